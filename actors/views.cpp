#include "actors/views.hpp"

namespace auction::actors {

Error idempotency_key_reused() {
  return Error{ErrorCode::kAlreadyExists,
               "this idempotency_key was already used with different parameters"};
}

BidReply bid_reply_from_row(const persistence::BidRow& row, const std::string& currency) {
  BidReply r;
  r.bid_id = row.id;
  r.accepted = row.accepted;
  r.reason = row.reject_reason;
  r.leading = row.leading;
  r.current_price = row.price_after;
  r.leader = row.leader_after;
  r.leader_name = row.leader_name_after;
  r.minimum_next_bid = row.min_next_after;
  r.ends_at = row.ends_at_after;
  r.version = row.version_after;
  r.currency = currency;
  return r;
}

AuctionView view_from_rows(persistence::AuctionRecord record,
                           const std::vector<persistence::BidRow>& latest_bid_per_bidder,
                           std::size_t top) {
  TopBidders board;
  for (const auto& b : latest_bid_per_bidder) {
    board.record(b.bidder_id, b.bidder_name, b.price_after, b.placed_at);
  }
  AuctionView v;
  v.top_bidders = board.top(top, record.state);
  v.record = std::move(record);
  return v;
}

}  // namespace auction::actors
