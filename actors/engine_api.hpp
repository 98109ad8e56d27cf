#pragma once
/// What the gRPC layer needs from the auction engine: commands routed to the
/// auctions' actors, queries on the pool, the clock and the suspension list.
/// An interface, so that the services can be run in-process over a fake.
#include "actors/commands.hpp"
#include "actors/watch.hpp"
#include "domain/validation.hpp"
#include "persistence/query_pool.hpp"

namespace auction::actors {

class Engine {
 public:
  virtual ~Engine() = default;
  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  Engine(Engine&&) = delete;
  Engine& operator=(Engine&&) = delete;

  virtual void create_auction(const Caller& seller, NewAuction auction,
                              ReplyPtr<AuctionView> reply) = 0;
  virtual void place_bid(AuctionId id, BidCommand cmd) = 0;
  virtual void buy_now(AuctionId id, BuyNowCommand cmd) = 0;
  virtual void cancel(AuctionId id, CancelCommand cmd) = 0;
  virtual void get_auction(AuctionId id, GetCommand cmd) = 0;
  /// Starts a watch: the auction's actor feeds the sink; an auction that has
  /// ended gets its final state (or the events the watcher missed) and ends.
  virtual void watch(AuctionId id, WatchCommand cmd) = 0;
  /// For queries that need no actor (lists, users). False = overloaded.
  [[nodiscard]] virtual bool query(persistence::QueryPool::Task task) = 0;
  [[nodiscard]] virtual bool is_suspended(UserId id) const = 0;
  [[nodiscard]] virtual TimePoint now() const = 0;
};

}  // namespace auction::actors
