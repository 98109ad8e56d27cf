#pragma once
/// A history checker for the fault suites (issue 4): it records every bid
/// call the clients made (request, reply or error, and "unknown" for calls
/// cut off by a crash or an outage) and every version a watcher saw, and
/// afterwards checks them against PostgreSQL, the domain rules and the
/// server's API:
///
/// - every acknowledged reply is stored as acknowledged (bid id, accepted,
///   reason, leading, price, leader, minimum next bid, end, version);
/// - per auction, auction_events versions are gap-free 1..N (N = the
///   auction's version) and the events, prices and leaders equal a replay of
///   the stored accepted bids through domain/auction.hpp (place_bid,
///   close_if_due, buy_now, cancel);
/// - no bid was accepted at or after its auction's end (or before its start),
///   and no bid was rejected AUCTION_ENDED before it;
/// - every call with an unknown outcome, retried with its idempotency key,
///   resolves to exactly one stored row (committed before the retry, or by
///   the retry itself), and the retry's answer equals that row;
/// - every ended auction's winner, price and ended_at equal the replay (a
///   time-ended auction records its scheduled end, even after a crash), in the
///   database and in GetAuction;
/// - no watcher saw a version go backwards or a version never committed.
///
/// Thread-safe: bidder and watcher threads record concurrently; check() runs
/// once, after the load has stopped.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "auction/v1/auction.grpc.pb.h"
#include "tests/support/database.hpp"

namespace auction::test {

/// How a call ended, from the client's point of view.
enum class CallOutcome {
  kAcknowledged,   ///< OK: the reply is a promise (accepted or rejected)
  kDefiniteError,  ///< an error that says nothing was applied (INVALID_ARGUMENT, ...)
  kUnknown,        ///< UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ...: may or may not be stored
};

/// The outcome a status code implies. UNAVAILABLE is "unknown": a call cut off
/// by a crash gets it as well as one refused while the database is down.
CallOutcome outcome_of(const grpc::Status& status);

/// One PlaceBid call as the client saw it.
struct BidCall {
  std::string auction_id;
  std::string bidder_id;
  std::string token;  ///< for retries of unknown outcomes
  std::int64_t max_amount = 0;
  std::string idempotency_key;  ///< required by the checker (retries need it)
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  ::auction::v1::PlaceBidResponse reply;  ///< when code == OK
  std::int64_t sent_us = 0;               ///< wall clock, microseconds since the epoch
  std::int64_t done_us = 0;

  CallOutcome outcome() const { return outcome_of(grpc::Status(code, message)); }
};

struct CheckOptions {
  /// How long one retry of an unknown outcome may keep getting UNAVAILABLE
  /// (the server may still be recovering) before it is a violation.
  std::chrono::milliseconds retry_patience{std::chrono::seconds(20)};
  /// Acknowledged calls are retried too (the same key must give the same
  /// reply); at most this many, spread over the run. 0 = none.
  std::size_t acknowledged_retries = 300;
  /// An auction still OPEN this long after its end time is a violation.
  std::chrono::milliseconds overdue_grace{std::chrono::seconds(5)};
  /// Findings (see CheckReport::findings) count as violations too.
  bool findings_are_violations = false;
};

struct CheckReport {
  std::size_t calls = 0;
  std::size_t acknowledged = 0;
  std::size_t acknowledged_accepted = 0;
  std::size_t acknowledged_rejected = 0;
  std::size_t definite_errors = 0;
  std::size_t unknown = 0;       ///< calls with an unknown outcome
  std::size_t unknown_keys = 0;  ///< distinct (bidder, key) among them
  /// Per key: the cut-off attempt itself had committed (its row was placed
  /// before the call ended), or it had not and a retry decided the key.
  std::size_t unknown_committed = 0;
  std::size_t unknown_not_committed = 0;
  std::size_t unknown_resolved_by_client = 0;  ///< a later call with the key was answered
  std::size_t unknown_retried_by_checker = 0;
  std::size_t acknowledged_retried = 0;
  std::size_t auctions = 0;
  std::size_t ended_auctions = 0;
  std::size_t stored_bids = 0;  ///< rows (accepted or not) of the checked auctions
  std::size_t stored_accepted = 0;
  std::size_t events_checked = 0;
  std::size_t watchers = 0;
  std::size_t watch_updates = 0;
  std::map<std::string, std::size_t> error_codes;  ///< per status code name, over all calls
  /// Per "CODE: message" (the first 160 characters), over all calls.
  std::map<std::string, std::size_t> error_messages;
  /// The errors of calls that had in fact committed ("CODE: message" -> count).
  std::map<std::string, std::size_t> committed_unknown_messages;
  std::vector<std::string> violations;
  /// Breaches of the contract that lose no data: a call that failed saying
  /// nothing was changed (SPEC section 4: UNAVAILABLE = not applied) although
  /// its bid was committed; bids answered INTERNAL; a watcher that skipped or
  /// got a repeated event (SPEC section 5). Violations only with
  /// findings_are_violations.
  std::vector<std::string> findings;

  bool ok() const { return violations.empty(); }
  /// One line of counts.
  std::string summary() const;
  /// summary() plus the first `max` violations, one per line.
  std::string describe(std::size_t max = 50) const;
};

class HistoryChecker {
 public:
  /// `database_url`: the server's database (read directly, never written).
  explicit HistoryChecker(std::string database_url, CheckOptions options = {});

  /// Adds an auction to the check even if no call was recorded on it.
  void track_auction(const std::string& auction_id);
  /// Records one finished PlaceBid call.
  void record_bid(BidCall call);
  /// Makes one PlaceBid call with `deadline` and records it. Returns the call.
  BidCall place_bid(::auction::v1::AuctionService::Stub& stub, const std::string& token,
                    const std::string& bidder_id, const std::string& auction_id,
                    std::int64_t max_amount, const std::string& idempotency_key,
                    std::chrono::milliseconds deadline);

  /// A watcher (any id that stays the same across its reconnects) saw
  /// `version` of `auction_id`, with `price` when the update carries one.
  /// Versions must never go backwards for one watcher and auction; a repeat
  /// of the same version (e.g. a HEARTBEAT) is fine.
  void record_watch_update(const std::string& auction_id, std::int64_t version,
                           const std::string& watcher = "",
                           std::optional<std::int64_t> price = std::nullopt);
  /// A whole WatchAuction message seen by `watcher` (an id that stays the same
  /// across its reconnects). Beyond record_watch_update(): an event
  /// (BID_PLACED, TIME_EXTENDED, AUCTION_ENDED, AUCTION_CANCELLED) should be
  /// exactly one version after the last one seen (a reconnect with
  /// from_version gets the events it missed; only a SNAPSHOT may jump): a
  /// skipped or repeated event is a finding. check() compares its type and
  /// price with the stored event (a violation when they differ).
  void record_watch_update(const std::string& watcher, const ::auction::v1::AuctionUpdate& update);
  /// Notes that `watcher` (re)connects to `auction_id` with `from_version`
  /// (0 = none): shown in violation reports.
  void record_watch_connect(const std::string& watcher, const std::string& auction_id,
                            std::int64_t from_version);
  /// Whether `watcher` saw `auction_id` end (AUCTION_ENDED, or a SNAPSHOT of
  /// the ended auction).
  bool watcher_saw_end(const std::string& watcher, const std::string& auction_id) const;
  /// The watcher violations so far (backwards versions). No database needed.
  std::vector<std::string> watch_violations() const;
  /// The watcher findings so far (skipped or repeated events).
  std::vector<std::string> watch_findings() const;

  /// Runs every check. `stub` reaches the (restarted, healthy) server: it is
  /// used for retries of unknown outcomes and for GetAuction. Call once,
  /// after the load stopped and the auctions that should end have ended.
  CheckReport check(::auction::v1::AuctionService::Stub& stub);

  std::size_t calls() const;
  /// The recorded calls so far (a copy).
  std::vector<BidCall> recorded_calls() const;

 private:
  struct WatchSeen {
    std::int64_t last = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> prices;  ///< (version, price)
    std::vector<std::pair<std::int64_t, std::string>> types;    ///< (version, stored type)
    bool saw_end = false;
    std::vector<std::string> recent;  ///< the last few messages, for violation reports
  };
  /// Records `version` for (watcher, auction) under mu_; the entry.
  WatchSeen& seen_locked(const std::string& watcher, const std::string& auction_id,
                         std::int64_t version);

  std::string database_url_;
  CheckOptions options_;
  mutable std::mutex mu_;
  std::vector<BidCall> calls_;
  std::set<std::string> auctions_;
  std::map<std::pair<std::string, std::string>, WatchSeen> watched_;  ///< (watcher, auction)
  std::vector<std::string> watch_violations_;
  std::vector<std::string> watch_findings_;  ///< events skipped or repeated
  std::size_t watch_updates_ = 0;
};

}  // namespace auction::test
