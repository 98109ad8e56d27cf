#pragma once
/// Bid increments: a fixed minimum increment, or the default table.
#include "money.hpp"

namespace auction {

/// The default increment table (SPEC section 3), in cents, for a price.
Money default_increment(Money price);

struct IncrementPolicy {
  Money fixed = 0;  ///< 0 = use the default table

  Money at(Money price) const { return fixed > 0 ? fixed : default_increment(price); }
  friend bool operator==(const IncrementPolicy&, const IncrementPolicy&) = default;
};

}  // namespace auction
