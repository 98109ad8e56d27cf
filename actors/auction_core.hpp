#pragma once
/// One auction's command handling as a plain class: no CAF, gRPC or SQL.
///
/// Commands and commit outcomes go in (with the time, which the caller
/// owns); what to write, which timers to set, which committed events to
/// publish and whether to reload or retire come out as Effects. Replies go
/// out through the commands' reply handles, and only after the commit that
/// makes them true. The CAF actor (auction_actor.hpp) is a thin shell around
/// this: mailbox order, real timers, the hand-off to the commit queue.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/commands.hpp"
#include "actors/seams.hpp"
#include "domain/top_bidders.hpp"

namespace auction::actors {

/// A decided batch for the group commit; `batch` comes back in committed().
struct CommitRequest {
  std::uint64_t batch = 0;
  persistence::AuctionWrite write;
  std::int64_t prev_version = 0;
};

/// A timer to (re)arm at `at`. Arming a timer of the same kind again makes
/// earlier ones stale: the core ignores a firing with an old generation.
struct TimerRequest {
  std::uint64_t generation = 0;
  TimePoint at;
};

/// What the shell must do after a call into the core, in this order:
/// publish, commit, arm timers, reload, retire.
struct Effects {
  /// Newly committed events, in version order, for the watchers.
  std::vector<AuctionEvent> published;
  std::optional<CommitRequest> commit;
  std::optional<TimerRequest> end_timer;
  std::optional<TimerRequest> ending_soon_timer;
  /// Read the auction from the database and hand it to reloaded().
  bool reload = false;
  /// The last reload failed: call retry_reload() after a pause.
  bool retry_reload_later = false;
  /// The auction is final (or gone): leave the registry, give watchers the
  /// final state, forget its idempotency keys, and quit once idle().
  bool retire = false;
};

/// The stored row of one bid attempt: the decision and the auction right
/// after it (the reply a retry with the same key gets). Shared by the core
/// and the path that records attempts on auctions without an actor.
persistence::BidRow attempt_row(const AuctionState& after, const Caller& bidder, Money max_amount,
                                const BidDecision& decision, TimePoint at,
                                const std::string& idempotency_key);

class AuctionCore {
 public:
  AuctionCore(persistence::LoadedAuction loaded, Duration ending_soon_lead);

  /// At spawn (and after a reload): an overdue auction ends at once with its
  /// scheduled end time; the timers are armed.
  void start(TimePoint now);

  void bid(BidCommand& cmd, TimePoint now);
  void buy_now(BuyNowCommand& cmd, TimePoint now);
  void cancel(CancelCommand& cmd, TimePoint now);
  /// Answers with the committed state; an end that is decided but not yet
  /// committed is answered once it is.
  void get(GetCommand& cmd, TimePoint now);

  void end_timer_fired(std::uint64_t generation, TimePoint now);
  void ending_soon_fired(std::uint64_t generation, TimePoint now);

  /// The group commit's outcome for `batch`. A failure (not known to be
  /// applied) answers everyone pending with the error and reloads.
  void committed(std::uint64_t batch, const CommitResult& ids);
  void reloaded(QuerySource::Loaded loaded, TimePoint now);
  void retry_reload();

  /// What the shell must do now; clears it.
  Effects take_effects();

  /// Nothing decided waits for or is in a commit: the actor may quit.
  [[nodiscard]] bool idle() const { return !inflight_ && next_.empty(); }
  /// The committed state is final (ENDED or CANCELLED).
  [[nodiscard]] bool is_final() const;
  [[nodiscard]] const persistence::AuctionRecord& record() const { return info_; }
  /// The public view of the committed state, with the top `top` bidders.
  [[nodiscard]] AuctionView view(std::size_t top) const;
  /// A bidder's display name as the board knows it; empty when unknown.
  [[nodiscard]] std::string name_of(std::optional<UserId> user) const;
  /// The (bidder, key) pairs this auction has answered or is answering.
  [[nodiscard]] std::vector<std::pair<UserId, std::string>> idempotency_keys() const;

 private:
  using Completion = std::function<void(const CommitResult&)>;
  /// Decided rows waiting for (or in) one group commit.
  struct Batch {
    std::vector<persistence::BidRow> rows;
    std::vector<AuctionEvent> events;
    std::vector<Completion> completions;
    std::vector<Notice> notices;
    bool ending_soon = false;
    [[nodiscard]] bool empty() const { return rows.empty() && events.empty() && !ending_soon; }
  };
  /// The first answer for one (bidder, idempotency key) on this auction.
  struct KeyedAnswer {
    UserId bidder = 0;
    std::string key;
    Money max_amount = 0;
    bool buy_now = false;
    std::optional<BidReply> answer;  ///< none while its commit is in flight
    std::vector<ReplyPtr<BidReply>> waiters;
  };

  void load(persistence::LoadedAuction loaded);
  /// Refuses a command that cannot be decided now (deadline passed, state
  /// not known); true when it was answered.
  template <class Command>
  bool refused(Command& cmd, TimePoint now);
  /// Queues decided events and the notices they cause.
  void add_events(const std::vector<AuctionEvent>& events, std::optional<UserId> leader_before);
  /// Queues the end when it is due (so it commits before anything after it).
  void close_if_due(TimePoint now);
  void flush_if_idle();
  void fail_pending(const Error& error);
  void request_reload();
  void arm_end_timer();
  void arm_ending_soon_timer();
  void retire();
  static std::string key_of(UserId bidder, const std::string& key);

  Duration ending_soon_lead_;
  persistence::AuctionRecord info_;  ///< listing + committed state
  AuctionState working_;             ///< committed state + decided, uncommitted batches
  TopBidders top_;                   ///< committed
  std::unordered_map<std::string, KeyedAnswer> keyed_;
  Batch next_;
  std::optional<Batch> inflight_;
  AuctionState inflight_state_;
  std::uint64_t batch_seq_ = 0;
  std::uint64_t end_timer_generation_ = 0;
  std::uint64_t ending_soon_generation_ = 0;
  std::set<UserId> bidders_;       ///< everyone with an accepted bid (decided)
  bool ending_soon_sent_ = false;  ///< decided (info_ has the committed flag)
  bool stale_ = false;             ///< a commit failed: refuse writes until reloaded
  bool reloading_ = false;
  bool retiring_ = false;
  Effects effects_;
};

}  // namespace auction::actors
