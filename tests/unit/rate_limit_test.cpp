// The per-user bid rate limit's bucket: a burst, then the sustained rate.
#include "domain/rate_limit.hpp"

#include <gtest/gtest.h>

namespace auction {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr TimePoint kT0{seconds{1'700'000'000}};

int taken(TokenBucket& b, TimePoint at, int attempts) {
  int n = 0;
  for (int i = 0; i < attempts; ++i) n += b.take(at) ? 1 : 0;
  return n;
}

TEST(TokenBucket, AllowsABurstThenRefusesUntilTimePasses) {
  TokenBucket b(10, 20, kT0);
  EXPECT_EQ(taken(b, kT0, 50), 20);
  EXPECT_FALSE(b.take(kT0 + milliseconds(50)));  // half a token
  EXPECT_TRUE(b.take(kT0 + milliseconds(100)));  // one token after 1/rate
}

TEST(TokenBucket, SustainedRateIsTheConfiguredOne) {
  TokenBucket b(10, 2, kT0);
  int total = 0;
  for (int ms = 0; ms < 10'000; ms += 10) total += taken(b, kT0 + milliseconds(ms), 5);
  // 10 s at 10/s, plus the initial burst.
  EXPECT_GE(total, 100);
  EXPECT_LE(total, 102);
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket b(100, 5, kT0);
  EXPECT_EQ(taken(b, kT0 + seconds(3600), 100), 5);
}

TEST(TokenBucket, IsFullAgainOnceIdleLongEnough) {
  TokenBucket b(10, 10, kT0);
  EXPECT_EQ(taken(b, kT0, 10), 10);
  EXPECT_FALSE(b.full(kT0 + milliseconds(500)));
  EXPECT_TRUE(b.full(kT0 + seconds(1)));
}

TEST(TokenBucket, AClockThatGoesBackwardsGrantsNothing) {
  TokenBucket b(10, 1, kT0);
  EXPECT_TRUE(b.take(kT0));
  EXPECT_FALSE(b.take(kT0 - seconds(10)));
  EXPECT_FALSE(b.take(kT0));
}

}  // namespace
}  // namespace auction
