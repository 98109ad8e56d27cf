// Bid increments (SPEC section 3): the default table and a fixed increment.
#include "domain/increments.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <iterator>
#include <utility>

namespace auction {
namespace {

// The SPEC table, in cents: (lowest price of the band, increment).
constexpr auto kSpecBands = std::to_array<std::pair<Money, Money>>({
    {1, 5},             // < 1.00: 0.05
    {100, 25},          // 1 - 4.99: 0.25
    {500, 50},          // 5 - 24.99: 0.50
    {2'500, 100},       // 25 - 99.99: 1
    {10'000, 250},      // 100 - 249.99: 2.50
    {25'000, 500},      // 250 - 499.99: 5
    {50'000, 1'000},    // 500 - 999.99: 10
    {100'000, 2'500},   // 1,000 - 2,499.99: 25
    {250'000, 5'000},   // 2,500 - 4,999.99: 50
    {500'000, 10'000},  // 5,000 and up: 100
});

TEST(DefaultIncrement, EveryBandFromItsFirstToItsLastCent) {
  constexpr auto n = std::size(kSpecBands);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [low, step] = kSpecBands[i];
    EXPECT_EQ(default_increment(low), step) << "price " << low;
    EXPECT_EQ(default_increment(low + 1), step) << "price " << low + 1;
    if (i + 1 < n) {
      const Money last = kSpecBands[i + 1].first - 1;
      EXPECT_EQ(default_increment(last), step) << "price " << last;
    }
  }
}

TEST(DefaultIncrement, TopBandHasNoUpperLimit) {
  EXPECT_EQ(default_increment(1'000'000), 10'000);
  EXPECT_EQ(default_increment(kMaxAmount), 10'000);
}

TEST(IncrementPolicy, DefaultUsesTheTable) {
  const IncrementPolicy table;
  EXPECT_EQ(table.at(99), 5);
  EXPECT_EQ(table.at(100), 25);
  EXPECT_EQ(table.at(2'500), 100);
  EXPECT_EQ(table.at(500'000), 10'000);
}

TEST(IncrementPolicy, FixedIncrementIgnoresThePrice) {
  const IncrementPolicy fixed{7};
  for (Money price : {Money{1}, Money{99}, Money{100}, Money{10'000}, Money{500'000}, kMaxAmount}) {
    EXPECT_EQ(fixed.at(price), 7) << "price " << price;
  }
}

}  // namespace
}  // namespace auction
