#pragma once
/// When an auction's ENDING_SOON notification is due. The lead scales with
/// the auction: a short auction warns near its end, not as it starts (when
/// nobody has bid or followed yet).
#include "auction.hpp"

namespace auction {

/// ENDING_SOON comes at most this fraction of an auction's scheduled length
/// before its end: 1/4, so a 2-minute auction warns 30 s before it ends.
inline constexpr int kEndingSoonLengthDivisor = 4;

/// The lead an auction gets: `configured_lead`, but at most a quarter of its
/// scheduled length (start to original end). Soft-close extensions do not
/// change it.
Duration ending_soon_lead(const AuctionTerms& terms, Duration configured_lead);

/// When ENDING_SOON is due: the auction's lead before its current end (soft
/// close may have moved it), never before the start.
TimePoint ending_soon_at(const AuctionState& s, Duration configured_lead);

}  // namespace auction
