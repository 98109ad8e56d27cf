#pragma once
/// The auction rules (SPEC section 3) as plain values and functions. No CAF,
/// gRPC or SQL here; time is always passed in.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "increments.hpp"
#include "money.hpp"
#include "result.hpp"

namespace auction {

using UserId = std::int64_t;
using AuctionId = std::int64_t;
using Duration = std::chrono::microseconds;
/// Microsecond resolution: exactly what PostgreSQL's timestamptz stores.
using TimePoint = std::chrono::sys_time<Duration>;

/// The lifecycle as stored. SCHEDULED and ACTIVE are both kOpen and are told
/// apart by the clock (see status_at), so starting needs no state change.
enum class Phase { kOpen, kEnded, kCancelled };
enum class Status { kScheduled, kActive, kEnded, kCancelled };
enum class Outcome { kNone, kSold, kUnsold };
enum class RejectReason {
  kNone,
  kBidTooLow,
  kAuctionNotStarted,
  kAuctionEnded,
  kAuctionCancelled,
  kSelfBid,
  kBidderSuspended,
};

/// What the seller fixed at creation; never changes afterwards.
struct AuctionTerms {
  AuctionId id = 0;
  UserId seller_id = 0;
  std::string currency = "USD";
  Money starting_price = 0;
  Money reserve_price = 0;  ///< 0 = no reserve
  Money buy_now_price = 0;  ///< 0 = no buy-now
  IncrementPolicy increment;
  TimePoint start_time;
  TimePoint original_end_time;
  Duration soft_close_window{0};  ///< both zero = fixed end time
  Duration soft_close_extension{0};
  /// How far beyond original_end_time extensions may move the end; 0 = no cap.
  Duration soft_close_max_extension{0};

  friend bool operator==(const AuctionTerms&, const AuctionTerms&) = default;
};

/// The whole decision state of one auction. Maxima are private: they live
/// here and in the database, never in a public reply.
struct AuctionState {
  AuctionTerms terms;
  Phase phase = Phase::kOpen;
  TimePoint end_time;            ///< after soft-close extensions
  std::optional<UserId> leader;  ///< highest maximum; earlier wins ties
  Money leader_max = 0;
  Money second_max = 0;  ///< best maximum of anyone else; 0 = none
  Money current_price = 0;
  std::int64_t bid_count = 0;  ///< accepted bids
  std::int64_t version = 1;    ///< +1 per event; creation is version 1
  Outcome outcome = Outcome::kNone;
  std::optional<UserId> winner;
  Money final_price = 0;
  std::optional<TimePoint> ended_at;  ///< the scheduled end, or the cancel/buy time

  friend bool operator==(const AuctionState&, const AuctionState&) = default;
};

enum class EventType { kCreated, kBidPlaced, kTimeExtended, kEnded, kCancelled };

/// One state change; exactly one per version. Carries the public state right
/// after the change, so a watcher or the events table needs nothing else.
struct AuctionEvent {
  EventType type = EventType::kCreated;
  std::int64_t version = 0;
  TimePoint at;
  Money price = 0;
  std::optional<UserId> leader;
  std::int64_t bid_count = 0;
  TimePoint ends_at;
  Outcome outcome = Outcome::kNone;
  std::optional<UserId> winner;
};

/// A fresh auction at version 1 (with its kCreated event).
AuctionState open_auction(const AuctionTerms& terms);
AuctionEvent created_event(const AuctionState& state, TimePoint at);

Status status_at(const AuctionState& s, TimePoint now);
/// The status clients are shown: status_at, except that an open auction past
/// its end stays ACTIVE (with no time left) until its actor has committed the
/// outcome, because ENDED is only ever shown with its outcome (SPEC 3).
Status shown_status(const AuctionState& s, TimePoint now);
bool reserve_met(const AuctionState& s);
/// starting_price with no bids, else current_price + increment(current_price);
/// 0 once the auction is over (ended or cancelled): there is no next bid.
Money minimum_next_bid(const AuctionState& s);
/// When bidding ends: end_time (after extensions) while open; once over, when
/// it ended (a buy-now or a cancel ends it before end_time).
TimePoint bidding_end(const AuctionState& s);

/// Ends an open auction whose end_time has come (now >= end_time): winner is
/// the leader at current_price, SOLD unless a reserve exists and was not met.
/// ended_at is the scheduled end time even when called late (after a crash).
/// Returns the kEnded event, or nothing when not due.
std::vector<AuctionEvent> close_if_due(AuctionState& s, TimePoint now);

struct BidAttempt {
  UserId bidder = 0;
  Money max_amount = 0;
  bool bidder_suspended = false;
  TimePoint now;
};

struct BidDecision {
  bool accepted = false;
  RejectReason reason = RejectReason::kNone;
  bool leading = false;  ///< the bidder leads after this bid
  /// The events this attempt caused, in version order: possibly kEnded (the
  /// end was due), kBidPlaced, kTimeExtended (soft close).
  std::vector<AuctionEvent> events;
};

/// Decides one bid against the state and applies it when accepted (proxy
/// bidding, soft close). Rejections leave the state unchanged except that a
/// due end is applied first.
BidDecision place_bid(AuctionState& s, const BidAttempt& bid);

/// Callers close a due auction first (close_if_due) so that the end is
/// recorded; buy_now and cancel then see it as ended and change nothing.
///
/// Buy now: while ACTIVE and current_price < buy_now_price; ends SOLD to the
/// buyer at buy_now_price. Errors: FAILED_PRECONDITION (not possible now),
/// PERMISSION_DENIED (seller, suspended).
Result<std::vector<AuctionEvent>> buy_now(AuctionState& s, UserId buyer, bool buyer_suspended,
                                          TimePoint now);

/// Cancel: the seller while there are no bids; an admin any time before the
/// end. Errors: PERMISSION_DENIED, FAILED_PRECONDITION.
Result<std::vector<AuctionEvent>> cancel(AuctionState& s, UserId caller, bool caller_is_admin,
                                         TimePoint now);

/// An accepted bid as stored, for rebuilding state from history.
struct AcceptedBid {
  UserId bidder = 0;
  Money max_amount = 0;
  TimePoint at;
};

/// Replays accepted bids, in order, on a fresh auction. Used to check stored
/// history and to recompute after a bid is voided.
AuctionState replay(const AuctionTerms& terms, std::span<const AcceptedBid> bids);

}  // namespace auction
