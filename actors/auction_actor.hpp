#pragma once
/// One actor per live auction: the single writer of its auction. It orders
/// commands, decides with domain/, hands decided batches to the group-commit
/// queue, and answers only after the commit. It owns its end timer.
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/idempotency_index.hpp"
#include "actors/protocol.hpp"
#include "actors/registry.hpp"
#include "actors/watch.hpp"
#include "domain/top_bidders.hpp"
#include "persistence/commit_queue.hpp"
#include "persistence/query_pool.hpp"

namespace auction::actors {

/// What every auction actor shares: the writers, the query pool, the
/// registry it leaves when it retires, and the clock.
struct ActorContext {
  persistence::CommitQueue& commits;
  persistence::QueryPool& queries;
  Registry& registry;
  /// Keys of a retired auction are dropped from it (a later retry is looked
  /// up in the database), so it holds only live auctions' keys.
  IdempotencyIndex& keys;
  std::function<TimePoint()> clock;
  /// How long a finished auction's actor keeps answering before it quits.
  Duration retire_grace = std::chrono::seconds(5);
  Duration reload_retry = std::chrono::milliseconds(500);
  /// ENDING_SOON goes out this long before the end.
  Duration ending_soon_lead = std::chrono::minutes(5);
  /// Watchers hear at least this often, also when nothing happens.
  Duration heartbeat = std::chrono::seconds(4);
  /// A reconnecting watcher further behind than this gets a snapshot.
  std::int64_t max_replay = 1000;
  /// Recent events kept in memory for reconnecting watchers.
  std::size_t recent_events = 32;
};

class AuctionActor : public auction_actor::base {
 public:
  AuctionActor(caf::actor_config& cfg, ActorContext& ctx, persistence::LoadedAuction loaded);
  ~AuctionActor() override;
  AuctionActor(const AuctionActor&) = delete;
  AuctionActor& operator=(const AuctionActor&) = delete;
  behavior_type make_behavior() override;
  const char* name() const override { return "auction"; }

 private:
  using CommitResult = Result<std::vector<std::int64_t>>;
  using Completion = std::function<void(const CommitResult&)>;
  /// Decided rows waiting for (or in) one group commit.
  struct Batch {
    std::vector<persistence::BidRow> rows;
    std::vector<AuctionEvent> events;
    std::vector<Completion> completions;
    std::vector<Notice> notices;
    bool ending_soon = false;
    bool empty() const { return rows.empty() && events.empty() && !ending_soon; }
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

  void on_bid(BidCommand& cmd);
  void on_buy_now(BuyNowCommand& cmd);
  void on_cancel(CancelCommand& cmd);
  void on_get(GetCommand& cmd);
  void on_commit(CommitOutcome& outcome);
  void on_reload(ReloadOutcome& outcome);
  void on_end_timer(std::uint64_t generation);
  void on_watch(WatchCommand& cmd);
  void on_heartbeat();
  void on_ending_soon(std::uint64_t generation);

  /// Queues decided events and the notifications they cause.
  void add_events(const std::vector<AuctionEvent>& events, std::optional<UserId> leader_before);
  /// Sends committed events to the watchers (and keeps them for reconnects).
  void fan_out(const std::vector<AuctionEvent>& events);
  void arm_ending_soon_timer();
  void arm_heartbeat();

  void load(persistence::LoadedAuction loaded);
  /// Queues the end when it is due (so it commits before anything after it).
  void close_if_due(TimePoint now);
  void flush_if_idle();
  void fail_pending(const Error& error);
  void request_reload();
  void arm_end_timer();
  void retire();
  persistence::BidRow row_for(const Caller& who, Money max_amount, const BidDecision& d,
                              TimePoint now, const std::string& key) const;
  AuctionView view(std::size_t top) const;
  static std::string key_of(UserId bidder, const std::string& key);

  ActorContext& ctx_;
  persistence::AuctionRecord info_;  ///< listing + committed state
  AuctionState working_;             ///< committed state + decided, uncommitted batches
  TopBidders top_;                   ///< committed
  std::unordered_map<std::string, KeyedAnswer> keyed_;
  Batch next_;
  std::optional<Batch> inflight_;
  AuctionState inflight_state_;
  std::uint64_t batch_seq_ = 0;
  std::uint64_t timer_generation_ = 0;
  std::set<UserId> bidders_;       ///< everyone with an accepted bid (decided)
  bool ending_soon_sent_ = false;  ///< decided (info_ has the committed flag)
  std::uint64_t ending_soon_generation_ = 0;
  std::vector<std::shared_ptr<WatchSink>> watchers_;
  /// The newest committed events, contiguous up to info_'s version.
  std::deque<WatchUpdatePtr> recent_;
  bool heartbeat_armed_ = false;
  bool stale_ = false;  ///< a commit failed: refuse writes until reloaded
  bool reloading_ = false;
  bool retiring_ = false;
};

}  // namespace auction::actors
