#include "bench/calls.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "domain/increments.hpp"

namespace auction::cli::bench {
namespace {

TEST(AmountLadder, StrictlyIncreasingPerAuction) {
  AmountLadder ladder(2, 100);
  Money a1 = ladder.next(0);
  Money a2 = ladder.next(0);
  Money b1 = ladder.next(1);
  EXPECT_GE(a1, 100);
  EXPECT_GT(a2, a1);
  EXPECT_EQ(b1, a1);  // auctions are independent
}

// Bid k overtaken by bid k+1 must still clear the price that bid k-1 and
// bid k+1 produce: (M[k-1] + inc(M[k-1])) + inc of that.
TEST(AmountLadder, SurvivesOneReorder) {
  Money prev = 100;
  for (int i = 0; i < 100000; ++i) {
    Money cur = AmountLadder::step(prev);
    Money price = prev + default_increment(prev);
    ASSERT_GE(cur, price + default_increment(price)) << prev;
    prev = cur;
  }
  EXPECT_LT(prev, kMaxAmount);
}

TEST(AmountLadder, ThreadSafe) {
  AmountLadder ladder(1, 100);
  std::vector<std::vector<Money>> seen(4);
  std::vector<std::thread> threads;
  threads.reserve(seen.size());
  for (auto& s : seen) {
    threads.emplace_back([&ladder, &s] {
      for (int i = 0; i < 10000; ++i) s.push_back(ladder.next(0));
    });
  }
  for (auto& t : threads) t.join();
  std::vector<Money> all;
  for (auto& s : seen) {
    for (std::size_t i = 1; i < s.size(); ++i) ASSERT_GT(s[i], s[i - 1]);
    all.insert(all.end(), s.begin(), s.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());  // no duplicates
}

}  // namespace
}  // namespace auction::cli::bench
