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
#include "actors/database_seams.hpp"
#include "actors/engine_api.hpp"
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

/// The engine of a running server: actors on a CAF system, PostgreSQL behind.
class ActorEngine final : public Engine {
 public:
  ActorEngine(caf::actor_system& system, const persistence::Database& db, EngineConfig config);
  ~ActorEngine() override;
  ActorEngine(const ActorEngine&) = delete;
  ActorEngine& operator=(const ActorEngine&) = delete;
  ActorEngine(ActorEngine&&) = delete;
  ActorEngine& operator=(ActorEngine&&) = delete;

  /// Spawns an actor for every open auction in the database (overdue ones
  /// end at once) and loads the suspension list. Blocking: call before
  /// serving. Returns the number of live auctions.
  Result<std::size_t> recover();

  void create_auction(const Caller& seller, NewAuction auction,
                      ReplyPtr<AuctionView> reply) override;
  void place_bid(AuctionId id, BidCommand cmd) override;
  void buy_now(AuctionId id, BuyNowCommand cmd) override;
  void cancel(AuctionId id, CancelCommand cmd) override;
  void get_auction(AuctionId id, GetCommand cmd) override;
  void watch(AuctionId id, WatchCommand cmd) override;
  /// Called after each commit with the users who got notifications.
  void on_notified(persistence::NotifiedCallback listener) {
    commits_.set_notified_listener(std::move(listener));
  }

  [[nodiscard]] bool query(persistence::QueryPool::Task task) override {
    return queries_.submit(std::move(task));
  }

  [[nodiscard]] bool is_suspended(UserId id) const override;
  void set_suspended(UserId id, bool suspended);
  std::size_t live_auctions() const { return registry_.size(); }
  persistence::CommitStats commit_stats() const { return commits_.stats(); }
  [[nodiscard]] TimePoint now() const override;

  /// Commits what is queued, stops the writers and the pool, stops actors.
  void shutdown();

 private:
  void route_bid(AuctionId id, BidCommand cmd);
  /// Sends the command to the auction's actor. An auction without one is
  /// read on the query pool: an open one gets its actor back (it failed to
  /// reload earlier) and the command; a final one is answered by
  /// `on_final(record, cmd, repo)`.
  template <class Atom, class Command, class OnFinal>
  void dispatch(AuctionId id, Atom atom, Command cmd, OnFinal on_final);
  /// A bid on a final auction without an actor: decided (rejected) by the
  /// same rules as any other, and recorded for audit.
  void bid_on_final(const persistence::AuctionRecord& record, BidCommand& cmd,
                    persistence::Repository& repo) const;
  void watch_final(persistence::AuctionRecord record, WatchCommand& cmd,
                   persistence::Repository& repo) const;
  /// Spawns the actor of an open auction unless one exists; returns it.
  auction_actor ensure_actor(persistence::LoadedAuction loaded);

  caf::actor_system& system_;
  persistence::CommitQueue commits_;
  persistence::QueryPool queries_;
  CommitQueueSink commit_sink_;
  QueryPoolSource query_source_;
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
