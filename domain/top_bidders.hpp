#pragma once
/// The public "top bidders" board of one auction: each bidder once, with
/// the price their latest accepted bid produced (never their maximum).
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "auction.hpp"

namespace auction {

struct TopBidderEntry {
  UserId bidder = 0;
  std::string display_name;
  Money amount = 0;
  TimePoint last_bid_at;
  bool leading = false;
};

class TopBidders {
 public:
  void record(UserId bidder, std::string display_name, Money produced_price, TimePoint at);
  /// The leader first (at the current price), then by amount, then by the
  /// most recent bid; at most n entries.
  std::vector<TopBidderEntry> top(std::size_t n, const AuctionState& state) const;
  const std::string* display_name(UserId bidder) const;

 private:
  std::unordered_map<UserId, TopBidderEntry> by_bidder_;
};

}  // namespace auction
