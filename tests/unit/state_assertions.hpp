#pragma once
// Whole-state comparison with a readable failure message, shared by the
// domain test files.
#include <gtest/gtest.h>

#include <string>

#include "domain/auction.hpp"

namespace auction {

inline std::string describe(const AuctionState& s) {
  auto opt = [](const auto& o) { return o ? std::to_string(*o) : std::string("none"); };
  return "{phase=" + std::to_string(static_cast<int>(s.phase)) +
         " end=" + std::to_string(s.end_time.time_since_epoch().count()) +
         " leader=" + opt(s.leader) + " leader_max=" + std::to_string(s.leader_max) +
         " second_max=" + std::to_string(s.second_max) +
         " price=" + std::to_string(s.current_price) + " bids=" + std::to_string(s.bid_count) +
         " version=" + std::to_string(s.version) +
         " outcome=" + std::to_string(static_cast<int>(s.outcome)) + " winner=" + opt(s.winner) +
         " final=" + std::to_string(s.final_price) + " ended_at=" +
         (s.ended_at ? std::to_string(s.ended_at->time_since_epoch().count()) : "none") + "}";
}

/// Every field of the state and its terms (AuctionState's operator==).
inline ::testing::AssertionResult same_state(const AuctionState& a, const AuctionState& b) {
  if (a == b) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "states differ:\n  " << describe(a) << "\n  " << describe(b)
         << (a.terms == b.terms ? "" : "\n  (and their terms differ)");
}

}  // namespace auction
