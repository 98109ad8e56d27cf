#include "ending_soon.hpp"

#include <algorithm>

namespace auction {

Duration ending_soon_lead(const AuctionTerms& terms, Duration configured_lead) {
  const Duration length = terms.original_end_time - terms.start_time;
  return std::max(Duration{0}, std::min(configured_lead, length / kEndingSoonLengthDivisor));
}

TimePoint ending_soon_at(const AuctionState& s, Duration configured_lead) {
  return std::max(s.end_time - ending_soon_lead(s.terms, configured_lead), s.terms.start_time);
}

}  // namespace auction
