#include "top_bidders.hpp"

#include <algorithm>

namespace auction {

void TopBidders::record(UserId bidder, std::string display_name, Money produced_price,
                        TimePoint at) {
  auto& e = by_bidder_[bidder];
  e.bidder = bidder;
  e.display_name = std::move(display_name);
  e.amount = produced_price;
  e.last_bid_at = at;
}

std::vector<TopBidderEntry> TopBidders::top(std::size_t n, const AuctionState& state) const {
  std::vector<TopBidderEntry> all;
  all.reserve(by_bidder_.size());
  for (const auto& [id, e] : by_bidder_) {
    TopBidderEntry copy = e;
    copy.leading = state.leader == id;
    if (copy.leading) copy.amount = state.current_price;
    all.push_back(std::move(copy));
  }
  std::sort(all.begin(), all.end(), [](const TopBidderEntry& a, const TopBidderEntry& b) {
    if (a.leading != b.leading) return a.leading;
    if (a.amount != b.amount) return a.amount > b.amount;
    if (a.last_bid_at != b.last_bid_at) return a.last_bid_at > b.last_bid_at;
    return a.bidder < b.bidder;
  });
  if (all.size() > n) all.resize(n);
  return all;
}

const std::string* TopBidders::display_name(UserId bidder) const {
  auto it = by_bidder_.find(bidder);
  return it == by_bidder_.end() ? nullptr : &it->second.display_name;
}

}  // namespace auction
