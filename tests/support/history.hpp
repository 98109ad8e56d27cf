#pragma once
/// Stored bid history checked against the domain rules (auction_domain).
#include <vector>

#include "auction/v1/auction.pb.h"
#include "domain/auction.hpp"
#include "tests/support/database.hpp"

namespace auction::test {

/// The auction's terms as the API reported them at creation.
AuctionTerms terms_from(const ::auction::v1::Auction& created);

/// The accepted bids among `bids`, in version order.
std::vector<StoredBid> accepted_in_version_order(const std::vector<StoredBid>& bids);

/// auction::replay() of stored accepted bids (already in version order).
AuctionState replay_stored(const AuctionTerms& terms, const std::vector<StoredBid>& accepted);

}  // namespace auction::test
