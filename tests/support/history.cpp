#include "tests/support/history.hpp"

#include <algorithm>

#include "tests/support/client.hpp"

namespace auction::test {
namespace {

TimePoint time_point(const google::protobuf::Timestamp& t) { return TimePoint{Duration{to_us(t)}}; }

}  // namespace

AuctionTerms terms_from(const ::auction::v1::Auction& created) {
  AuctionTerms t;
  t.id = to_id(created.id());
  t.seller_id = to_id(created.seller_id());
  t.currency = created.currency();
  t.starting_price = created.starting_price();
  t.reserve_price = created.reserve_price();  // visible to the seller who created it
  t.buy_now_price = created.buy_now_price();
  t.increment.fixed = created.min_increment();
  t.start_time = time_point(created.start_time());
  t.original_end_time = time_point(created.original_end_time());
  t.soft_close_window = Duration{to_us(created.soft_close_window())};
  t.soft_close_extension = Duration{to_us(created.soft_close_extension())};
  t.soft_close_max_extension = Duration{to_us(created.soft_close_max_extension())};
  return t;
}

std::vector<StoredBid> accepted_in_version_order(const std::vector<StoredBid>& bids) {
  std::vector<StoredBid> accepted;
  std::copy_if(bids.begin(), bids.end(), std::back_inserter(accepted),
               [](const StoredBid& b) { return b.accepted; });
  std::sort(accepted.begin(), accepted.end(), [](const StoredBid& x, const StoredBid& y) {
    return x.version_after < y.version_after;
  });
  return accepted;
}

AuctionState replay_stored(const AuctionTerms& terms, const std::vector<StoredBid>& accepted) {
  std::vector<AcceptedBid> history;
  history.reserve(accepted.size());
  for (const auto& b : accepted) {
    history.push_back(AcceptedBid{b.bidder_id, b.max_amount, b.placed_at});
  }
  return replay(terms, history);
}

}  // namespace auction::test
