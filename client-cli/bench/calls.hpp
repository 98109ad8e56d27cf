#pragma once
/// The two kinds of closed-loop calls: PlaceBid (the workload) and an empty
/// health check (the transport ceiling).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/generic/generic_stub.h>

#include "auction/v1/auction.grpc.pb.h"
#include "bench/closed_loop.hpp"
#include "domain/money.hpp"

namespace auction::cli::bench {

/// Per-auction maxima that strictly increase, by enough that a bid stays
/// acceptable even when the next one overtakes it on the way to the server.
/// Thread-safe.
class AmountLadder {
 public:
  AmountLadder(std::size_t auctions, Money starting_price);
  /// The next maximum to bid on auction `index`.
  Money next(std::size_t index);

  /// The step rule: with p = prev + increment(prev) (the highest price prev
  /// can produce), next = p + increment(p) + 10.00.
  static Money step(Money previous);

 private:
  std::vector<std::atomic<Money>> last_;  ///< one per auction; fixed size, never resized
  Money starting_price_;
};

/// Everything the bid calls share: channels, auctions, bidders, counters.
struct BidWorkload {
  std::vector<std::unique_ptr<v1::AuctionService::Stub>> stubs;  ///< one per channel
  std::vector<std::string> auction_ids;
  std::vector<std::string> bidder_auth;  ///< "Bearer <token>" per bidder
  bool idempotency_keys = false;
  std::string key_prefix;
  std::unique_ptr<AmountLadder> ladder;
  std::atomic<std::uint64_t> counter{0};
};

/// Everything the health calls share.
struct HealthWorkload {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;  ///< one per channel
  grpc::ByteBuffer request;                               ///< empty HealthCheckRequest
  std::atomic<std::uint64_t> counter{0};
};

/// Call n goes to auction n % M, bidder (n / M) % B, channel n % C.
std::unique_ptr<LoopCall> make_bid_call(BidWorkload& workload);
/// Call n goes to channel n % C. OK replies other than SERVING are
/// "rejected" with the serving status as their code.
std::unique_ptr<LoopCall> make_health_call(HealthWorkload& workload);

}  // namespace auction::cli::bench
