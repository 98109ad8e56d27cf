#pragma once
/// An actors::Engine for in-process service tests: it records every command
/// the services send and answers them as the test says. Queries go to a real
/// QueryPool whose database cannot be reached (every query ends UNAVAILABLE,
/// as with the database down), or are refused (overloaded).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "actors/engine_api.hpp"
#include "persistence/database.hpp"
#include "persistence/query_pool.hpp"

namespace auction::test {

/// One command as the engine received it.
template <class Cmd>
struct Received {
  AuctionId id = 0;  ///< 0 for create_auction
  Cmd cmd;
};

/// create_auction's arguments as one command.
struct CreateCommand {
  actors::Caller seller;
  NewAuction auction;
  actors::ReplyPtr<actors::AuctionView> reply;
};

class FakeEngine final : public actors::Engine {
 public:
  /// How a command is answered when it arrives (on a gRPC thread): answer
  /// its reply, reset it (never answered: the handle's destructor answers
  /// UNAVAILABLE), or leave it for the test to answer later.
  template <class Cmd>
  using Responder = std::function<void(Received<Cmd>&)>;

  explicit FakeEngine(TimePoint now);
  ~FakeEngine() override;
  FakeEngine(const FakeEngine&) = delete;
  FakeEngine& operator=(const FakeEngine&) = delete;
  FakeEngine(FakeEngine&&) = delete;
  FakeEngine& operator=(FakeEngine&&) = delete;

  // actors::Engine
  void create_auction(const actors::Caller& seller, NewAuction auction,
                      actors::ReplyPtr<actors::AuctionView> reply) override;
  void place_bid(AuctionId id, actors::BidCommand cmd) override;
  void buy_now(AuctionId id, actors::BuyNowCommand cmd) override;
  void cancel(AuctionId id, actors::CancelCommand cmd) override;
  void get_auction(AuctionId id, actors::GetCommand cmd) override;
  void watch(AuctionId id, actors::WatchCommand cmd) override;
  [[nodiscard]] bool query(persistence::QueryPool::Task task) override;
  [[nodiscard]] bool is_suspended(UserId id) const override;
  [[nodiscard]] TimePoint now() const override;

  // What the test sets.
  void set_now(TimePoint now);
  void suspend(UserId id);
  /// True: query() answers false, as a full pool does.
  void refuse_queries(bool refuse);
  void on_create(Responder<CreateCommand> r);
  void on_bid(Responder<actors::BidCommand> r);
  void on_buy_now(Responder<actors::BuyNowCommand> r);
  void on_cancel(Responder<actors::CancelCommand> r);
  void on_get(Responder<actors::GetCommand> r);
  void on_watch(Responder<actors::WatchCommand> r);

  // What the services sent (copies: they share the reply handles).
  std::vector<Received<CreateCommand>> creates() const;
  std::vector<Received<actors::BidCommand>> bids() const;
  std::vector<Received<actors::BuyNowCommand>> buy_nows() const;
  std::vector<Received<actors::CancelCommand>> cancels() const;
  std::vector<Received<actors::GetCommand>> gets() const;
  std::vector<Received<actors::WatchCommand>> watches() const;
  /// query() calls, refused ones included.
  std::size_t queries() const;
  /// Commands of any kind (queries included).
  std::size_t total() const;

  /// Waits (at most `timeout`, a guard against hanging) until `n` bids /
  /// watches arrived; the n-th one, or nullopt on timeout.
  std::optional<Received<actors::BidCommand>> wait_for_bid(std::size_t n,
                                                           std::chrono::seconds timeout);
  std::optional<Received<actors::WatchCommand>> wait_for_watch(std::size_t n,
                                                               std::chrono::seconds timeout);

  /// Forgets every command: replies nobody answered answer UNAVAILABLE.
  void drop_all();

 private:
  template <class Cmd>
  struct Inbox {
    Responder<Cmd> respond;
    std::vector<Received<Cmd>> received;
  };
  template <class Cmd>
  void receive(Inbox<Cmd>& inbox, Received<Cmd> r);
  template <class Cmd>
  std::optional<Received<Cmd>> wait_for(const Inbox<Cmd>& inbox, std::size_t n,
                                        std::chrono::seconds timeout);

  mutable std::mutex mu_;
  std::condition_variable arrived_;
  TimePoint now_;
  std::set<UserId> suspended_;
  bool refuse_queries_ = false;
  std::size_t queries_ = 0;
  Inbox<CreateCommand> creates_;
  Inbox<actors::BidCommand> bids_;
  Inbox<actors::BuyNowCommand> buy_nows_;
  Inbox<actors::CancelCommand> cancels_;
  Inbox<actors::GetCommand> gets_;
  Inbox<actors::WatchCommand> watches_;
  persistence::Database unreachable_;
  persistence::QueryPool pool_;
};

}  // namespace auction::test
