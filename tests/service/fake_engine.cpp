#include "tests/service/fake_engine.hpp"

#include <utility>

namespace auction::test {

// A socket directory that does not exist: every connection attempt fails at
// once, so each query ends as it would with the database down.
FakeEngine::FakeEngine(TimePoint now)
    : now_(now),
      unreachable_("host=/nonexistent/auction-service-test port=1 dbname=none user=none"),
      pool_(unreachable_, 1) {}

FakeEngine::~FakeEngine() {
  pool_.stop();
  drop_all();
}

template <class Cmd>
void FakeEngine::receive(Inbox<Cmd>& inbox, Received<Cmd> r) {
  Responder<Cmd> respond;
  {
    std::lock_guard lock(mu_);
    respond = inbox.respond;
  }
  if (respond) respond(r);
  {
    std::lock_guard lock(mu_);
    inbox.received.push_back(std::move(r));
  }
  arrived_.notify_all();
}

template <class Cmd>
std::optional<Received<Cmd>> FakeEngine::wait_for(const Inbox<Cmd>& inbox, std::size_t n,
                                                  std::chrono::seconds timeout) {
  std::unique_lock lock(mu_);
  if (!arrived_.wait_for(lock, timeout, [&] { return inbox.received.size() >= n; })) {
    return std::nullopt;
  }
  return inbox.received[n - 1];
}

void FakeEngine::create_auction(const actors::Caller& seller, NewAuction auction,
                                actors::ReplyPtr<actors::AuctionView> reply) {
  receive(creates_, {0, CreateCommand{seller, std::move(auction), std::move(reply)}});
}

void FakeEngine::place_bid(AuctionId id, actors::BidCommand cmd) {
  receive(bids_, {id, std::move(cmd)});
}

void FakeEngine::buy_now(AuctionId id, actors::BuyNowCommand cmd) {
  receive(buy_nows_, {id, std::move(cmd)});
}

void FakeEngine::cancel(AuctionId id, actors::CancelCommand cmd) {
  receive(cancels_, {id, std::move(cmd)});
}

void FakeEngine::get_auction(AuctionId id, actors::GetCommand cmd) {
  receive(gets_, {id, std::move(cmd)});
}

void FakeEngine::watch(AuctionId id, actors::WatchCommand cmd) {
  receive(watches_, {id, std::move(cmd)});
}

bool FakeEngine::query(persistence::QueryPool::Task task) {
  {
    std::lock_guard lock(mu_);
    ++queries_;
    if (refuse_queries_) return false;
  }
  return pool_.submit(std::move(task));
}

bool FakeEngine::is_suspended(UserId id) const {
  std::lock_guard lock(mu_);
  return suspended_.contains(id);
}

TimePoint FakeEngine::now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeEngine::set_now(TimePoint now) {
  std::lock_guard lock(mu_);
  now_ = now;
}

void FakeEngine::suspend(UserId id) {
  std::lock_guard lock(mu_);
  suspended_.insert(id);
}

void FakeEngine::refuse_queries(bool refuse) {
  std::lock_guard lock(mu_);
  refuse_queries_ = refuse;
}

void FakeEngine::on_create(Responder<CreateCommand> r) {
  std::lock_guard lock(mu_);
  creates_.respond = std::move(r);
}

void FakeEngine::on_bid(Responder<actors::BidCommand> r) {
  std::lock_guard lock(mu_);
  bids_.respond = std::move(r);
}

void FakeEngine::on_buy_now(Responder<actors::BuyNowCommand> r) {
  std::lock_guard lock(mu_);
  buy_nows_.respond = std::move(r);
}

void FakeEngine::on_cancel(Responder<actors::CancelCommand> r) {
  std::lock_guard lock(mu_);
  cancels_.respond = std::move(r);
}

void FakeEngine::on_get(Responder<actors::GetCommand> r) {
  std::lock_guard lock(mu_);
  gets_.respond = std::move(r);
}

void FakeEngine::on_watch(Responder<actors::WatchCommand> r) {
  std::lock_guard lock(mu_);
  watches_.respond = std::move(r);
}

std::vector<Received<CreateCommand>> FakeEngine::creates() const {
  std::lock_guard lock(mu_);
  return creates_.received;
}

std::vector<Received<actors::BidCommand>> FakeEngine::bids() const {
  std::lock_guard lock(mu_);
  return bids_.received;
}

std::vector<Received<actors::BuyNowCommand>> FakeEngine::buy_nows() const {
  std::lock_guard lock(mu_);
  return buy_nows_.received;
}

std::vector<Received<actors::CancelCommand>> FakeEngine::cancels() const {
  std::lock_guard lock(mu_);
  return cancels_.received;
}

std::vector<Received<actors::GetCommand>> FakeEngine::gets() const {
  std::lock_guard lock(mu_);
  return gets_.received;
}

std::vector<Received<actors::WatchCommand>> FakeEngine::watches() const {
  std::lock_guard lock(mu_);
  return watches_.received;
}

std::size_t FakeEngine::queries() const {
  std::lock_guard lock(mu_);
  return queries_;
}

std::size_t FakeEngine::total() const {
  std::lock_guard lock(mu_);
  return queries_ + creates_.received.size() + bids_.received.size() + buy_nows_.received.size() +
         cancels_.received.size() + gets_.received.size() + watches_.received.size();
}

std::optional<Received<actors::BidCommand>> FakeEngine::wait_for_bid(std::size_t n,
                                                                     std::chrono::seconds timeout) {
  return wait_for(bids_, n, timeout);
}

std::optional<Received<actors::WatchCommand>> FakeEngine::wait_for_watch(
    std::size_t n, std::chrono::seconds timeout) {
  return wait_for(watches_, n, timeout);
}

void FakeEngine::drop_all() {
  // Destroyed outside the lock: an unanswered reply finishes its call.
  std::vector<Received<CreateCommand>> creates;
  std::vector<Received<actors::BidCommand>> bids;
  std::vector<Received<actors::BuyNowCommand>> buy_nows;
  std::vector<Received<actors::CancelCommand>> cancels;
  std::vector<Received<actors::GetCommand>> gets;
  std::vector<Received<actors::WatchCommand>> watches;
  {
    std::lock_guard lock(mu_);
    creates.swap(creates_.received);
    bids.swap(bids_.received);
    buy_nows.swap(buy_nows_.received);
    cancels.swap(cancels_.received);
    gets.swap(gets_.received);
    watches.swap(watches_.received);
    creates_.respond = nullptr;
    bids_.respond = nullptr;
    buy_nows_.respond = nullptr;
    cancels_.respond = nullptr;
    gets_.respond = nullptr;
    watches_.respond = nullptr;
  }
}

}  // namespace auction::test
