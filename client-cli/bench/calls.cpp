#include "bench/calls.hpp"

#include <optional>

#include "domain/increments.hpp"
#include "health.hpp"

namespace auction::cli::bench {
namespace {

class BidCall final : public LoopCall {
 public:
  explicit BidCall(BidWorkload& w) : w_(w) {}

  void start(grpc::CompletionQueue& cq, void* tag,
             std::chrono::system_clock::time_point deadline) override {
    std::uint64_t n = w_.counter.fetch_add(1, std::memory_order_relaxed);
    auto auction = static_cast<std::size_t>(n % w_.auction_ids.size());
    // Each round over the auctions moves to the next bidder, so consecutive
    // bids on one auction come from different bidders (when there are two).
    auto bidder = static_cast<std::size_t>(n / w_.auction_ids.size() % w_.bidder_auth.size());
    auto channel = static_cast<std::size_t>(n % w_.stubs.size());

    ctx_.emplace();
    ctx_->set_deadline(deadline);
    ctx_->AddMetadata("authorization", w_.bidder_auth[bidder]);
    request_.set_auction_id(w_.auction_ids[auction]);
    request_.set_max_amount(w_.ladder->next(auction));
    if (w_.idempotency_keys) request_.set_idempotency_key(w_.key_prefix + std::to_string(n));
    reply_.Clear();
    rpc_ = w_.stubs[channel]->PrepareAsyncPlaceBid(&*ctx_, request_, &cq);
    rpc_->StartCall();
    rpc_->Finish(&reply_, &status_, tag);
  }

  Outcome finish() override {
    if (!status_.ok()) return {OutcomeKind::kError, static_cast<int>(status_.error_code())};
    if (reply_.accepted()) return {OutcomeKind::kOk, 0};
    return {OutcomeKind::kRejected, static_cast<int>(reply_.reject_reason())};
  }

 private:
  BidWorkload& w_;
  std::optional<grpc::ClientContext> ctx_;
  v1::PlaceBidRequest request_;
  v1::PlaceBidResponse reply_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::PlaceBidResponse>> rpc_;
};

class HealthCall final : public LoopCall {
 public:
  explicit HealthCall(HealthWorkload& w) : w_(w) {}

  void start(grpc::CompletionQueue& cq, void* tag,
             std::chrono::system_clock::time_point deadline) override {
    std::uint64_t n = w_.counter.fetch_add(1, std::memory_order_relaxed);
    auto channel = static_cast<std::size_t>(n % w_.stubs.size());
    ctx_.emplace();
    ctx_->set_deadline(deadline);
    reply_.Clear();
    rpc_ = w_.stubs[channel]->PrepareUnaryCall(&*ctx_, kHealthCheckMethod, w_.request, &cq);
    rpc_->StartCall();
    rpc_->Finish(&reply_, &status_, tag);
  }

  Outcome finish() override {
    if (!status_.ok()) return {OutcomeKind::kError, static_cast<int>(status_.error_code())};
    auto serving = decode_health_status(to_bytes(reply_));
    if (!serving) return {OutcomeKind::kError, static_cast<int>(grpc::StatusCode::INTERNAL)};
    if (*serving == kServing) return {OutcomeKind::kOk, 0};
    return {OutcomeKind::kRejected, static_cast<int>(*serving)};
  }

 private:
  HealthWorkload& w_;
  std::optional<grpc::ClientContext> ctx_;
  grpc::ByteBuffer reply_;
  grpc::Status status_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> rpc_;
};

}  // namespace

AmountLadder::AmountLadder(std::size_t auctions, Money starting_price)
    : last_(auctions), starting_price_(starting_price) {}  // each std::atomic starts at 0 (C++20)

Money AmountLadder::step(Money previous) {
  // The highest price `previous` can produce as the second-highest maximum,
  // then the minimum next bid at that price, then 10.00 of slack.
  Money price = previous + default_increment(previous);
  return price + default_increment(price) + 1000;
}

Money AmountLadder::next(std::size_t index) {
  auto& last = last_[index];
  Money prev = last.load(std::memory_order_relaxed);
  Money next = 0;
  do {
    next = step(prev == 0 ? starting_price_ : prev);
  } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
  return next;
}

std::unique_ptr<LoopCall> make_bid_call(BidWorkload& workload) {
  return std::make_unique<BidCall>(workload);
}

std::unique_ptr<LoopCall> make_health_call(HealthWorkload& workload) {
  return std::make_unique<HealthCall>(workload);
}

}  // namespace auction::cli::bench
