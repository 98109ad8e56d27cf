#include "server/rate_limiter.hpp"

namespace auction::server {

bool BidRateLimiter::allow(UserId user, TimePoint now) {
  if (rate_ <= 0) return true;
  Shard& shard = shards_[static_cast<std::size_t>(user) % kShards];
  std::lock_guard lock(shard.mu);
  if (shard.buckets.size() > kSweepAbove) {
    // A full bucket is the same as none: forget it, so memory follows the
    // number of users bidding right now, not of all users ever.
    std::erase_if(shard.buckets, [now](auto& entry) { return entry.second.full(now); });
  }
  auto it = shard.buckets.try_emplace(user, rate_, burst_, now).first;
  return it->second.take(now);
}

}  // namespace auction::server
