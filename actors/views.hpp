#pragma once
/// Answers built from stored rows, shared by the actors and the paths that
/// serve auctions without an actor (ended, cancelled).
#include <string>
#include <vector>

#include "actors/commands.hpp"

namespace auction::actors {

/// The same (bidder, idempotency key) came with other parameters.
Error idempotency_key_reused();

BidReply bid_reply_from_row(const persistence::BidRow& row, const std::string& currency);

/// The public view of an auction from the database: leader name and board.
AuctionView view_from_rows(persistence::AuctionRecord record,
                           const std::vector<persistence::BidRow>& latest_bid_per_bidder,
                           std::size_t top);

}  // namespace auction::actors
