#include "bench/latency.hpp"

#include <gtest/gtest.h>

namespace auction::cli::bench {
namespace {

TEST(Latency, NearestRank) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = 1; i <= 1000; ++i) v.push_back(i);
  EXPECT_EQ(percentile(v, 0.5), 500);
  EXPECT_EQ(percentile(v, 0.99), 990);
  EXPECT_EQ(percentile(v, 0.999), 999);
  EXPECT_EQ(percentile(v, 1.0), 1000);
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({7}, 0.999), 7);
}

TEST(Latency, SummarizeSorts) {
  std::vector<std::int64_t> v{5, 1, 4, 2, 3};
  auto s = summarize(v);
  EXPECT_EQ(s.count, 5U);
  EXPECT_EQ(s.p50.count(), 3);
  EXPECT_EQ(s.max.count(), 5);
  EXPECT_EQ(s.p999.count(), 5);
}

}  // namespace
}  // namespace auction::cli::bench
