#include "increments.hpp"

#include <array>
#include <utility>

namespace auction {

Money default_increment(Money price) {
  // (price below which the step applies, step), both in cents.
  static constexpr std::array<std::pair<Money, Money>, 9> kTable = {{
      {100, 5},
      {500, 25},
      {2'500, 50},
      {10'000, 100},
      {25'000, 250},
      {50'000, 500},
      {100'000, 1'000},
      {250'000, 2'500},
      {500'000, 5'000},
  }};
  for (const auto& [below, step] : kTable) {
    if (price < below) return step;
  }
  return 10'000;
}

}  // namespace auction
