#pragma once
/// One actor per live auction: the single writer of its auction. A thin
/// shell around AuctionCore (the decisions, batching and answers) and
/// AuctionWatchers (the streams): it gives them mailbox order and the time,
/// turns their timer requests into delayed messages, and hands decided
/// batches to the commit sink and reads to the query source.
#include <functional>

#include "actors/auction_core.hpp"
#include "actors/auction_watchers.hpp"
#include "actors/idempotency_index.hpp"
#include "actors/protocol.hpp"
#include "actors/registry.hpp"
#include "actors/seams.hpp"

namespace auction::actors {

/// What every auction actor shares: the writers, the readers, the registry
/// it leaves when it retires, and the clock.
struct ActorContext {
  CommitSink& commits;
  QuerySource& queries;
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
  WatcherSettings watchers{};
};

class AuctionActor : public auction_actor::base {
 public:
  AuctionActor(caf::actor_config& cfg, ActorContext& ctx, persistence::LoadedAuction loaded);
  ~AuctionActor() override;
  AuctionActor(const AuctionActor&) = delete;
  AuctionActor& operator=(const AuctionActor&) = delete;
  AuctionActor(AuctionActor&&) = delete;
  AuctionActor& operator=(AuctionActor&&) = delete;
  behavior_type make_behavior() override;
  const char* name() const override { return "auction"; }

 private:
  /// Carries out what the core asked for after one message.
  void apply(Effects effects);
  void arm_heartbeat();
  void retire();

  ActorContext& ctx_;
  AuctionCore core_;
  AuctionWatchers watchers_;
};

}  // namespace auction::actors
