#pragma once
/// The auction engine as the gRPC layer sees it: routes each command to the
/// auction's actor (or, for auctions without one, to the database), owns the
/// writers, the query pool and the registry, and rebuilds actors at start-up.
#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "actors/auction_actor.hpp"
#include "actors/idempotency_index.hpp"
#include "actors/protocol.hpp"
#include "actors/registry.hpp"
#include "actors/watch.hpp"
#include "domain/validation.hpp"
#include "persistence/commit_queue.hpp"
#include "persistence/database.hpp"
#include "persistence/query_pool.hpp"

namespace auction::actors {

struct EngineConfig {
  int commit_writers = 2;
  int query_threads = 4;
  Duration ending_soon_lead = std::chrono::minutes(5);
  Duration heartbeat = std::chrono::seconds(4);
};

class Engine {
 public:
  Engine(caf::actor_system& system, const persistence::Database& db, EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Spawns an actor for every open auction in the database (overdue ones
  /// end at once) and loads the suspension list. Blocking: call before
  /// serving. Returns the number of live auctions.
  Result<std::size_t> recover();

  void create_auction(const Caller& seller, NewAuction auction, ReplyPtr<AuctionView> reply);
  void place_bid(AuctionId id, BidCommand cmd);
  void buy_now(AuctionId id, BuyNowCommand cmd);
  void cancel(AuctionId id, CancelCommand cmd);
  void get_auction(AuctionId id, GetCommand cmd);
  /// Starts a watch: the auction's actor feeds the sink; an auction that has
  /// ended gets its final state (or the events the watcher missed) and ends.
  void watch(AuctionId id, WatchCommand cmd);
  /// Called after each commit with the users who got notifications.
  void on_notified(persistence::NotifiedCallback listener) {
    commits_.set_notified_listener(std::move(listener));
  }

  /// For queries that need no actor (lists, users). False = overloaded.
  [[nodiscard]] bool query(persistence::QueryPool::Task task) {
    return queries_.submit(std::move(task));
  }

  bool is_suspended(UserId id) const;
  void set_suspended(UserId id, bool suspended);
  std::size_t live_auctions() const { return registry_.size(); }
  persistence::CommitStats commit_stats() const { return commits_.stats(); }
  TimePoint now() const;

  /// Commits what is queued, stops the writers and the pool, stops actors.
  void shutdown();

 private:
  void route_bid(AuctionId id, BidCommand cmd);
  /// A bid on an auction that has no actor: an open one gets its actor
  /// back; on a final one the attempt is rejected and recorded.
  void bid_on_stored(persistence::AuctionRecord record, BidCommand cmd,
                     persistence::Repository& repo);
  void watch_stored(persistence::AuctionRecord record, WatchCommand cmd,
                    persistence::Repository& repo);
  /// Spawns the actor of an open auction unless one exists; returns it.
  auction_actor ensure_actor(persistence::LoadedAuction loaded);

  caf::actor_system& system_;
  persistence::CommitQueue commits_;
  persistence::QueryPool queries_;
  Registry registry_;
  IdempotencyIndex keys_;  // before context_, which refers to it
  ActorContext context_;
  std::mutex spawn_mu_;
  mutable std::shared_mutex suspended_mu_;
  std::unordered_set<UserId> suspended_;
  const persistence::Database& db_;
  std::atomic<bool> stopped_{false};
};

}  // namespace auction::actors
