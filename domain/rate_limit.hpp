#pragma once
/// A token bucket: `rate` actions per second on average, at most `burst` at
/// once. Time is passed in, so it is testable without a clock.
#include <algorithm>

#include "auction.hpp"

namespace auction {

class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst, TimePoint now)
      : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

  /// Takes one token if there is one.
  bool take(TimePoint now) {
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  /// Full again: nothing is lost by forgetting this bucket.
  bool full(TimePoint now) const { return tokens_ + refill_since(now) >= burst_; }

 private:
  double refill_since(TimePoint now) const {
    if (now <= last_) return 0;
    return std::chrono::duration<double>(now - last_).count() * rate_;
  }
  void refill(TimePoint now) {
    if (now <= last_) return;
    tokens_ = std::min(burst_, tokens_ + refill_since(now));
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  TimePoint last_;
};

}  // namespace auction
