#pragma once
/// Per-user limit on bids (PlaceBid and BuyNow), shared by every gRPC
/// thread: a token bucket per user, in shards so threads rarely contend.
#include <array>
#include <mutex>
#include <unordered_map>

#include "domain/rate_limit.hpp"

namespace auction::server {

class BidRateLimiter {
 public:
  /// rate_per_second <= 0: no limit.
  BidRateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  /// True when `user` may bid now.
  bool allow(UserId user, TimePoint now);

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kSweepAbove = 4096;  ///< users per shard before forgetting idle ones
  struct Shard {
    std::mutex mu;
    std::unordered_map<UserId, TokenBucket> buckets;
  };
  double rate_;
  double burst_;
  std::array<Shard, kShards> shards_;
};

}  // namespace auction::server
