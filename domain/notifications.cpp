#include "notifications.hpp"

namespace auction {

std::vector<Notice> notices_for(const AuctionEvent& event, UserId seller,
                                std::optional<UserId> leader_before,
                                const std::set<UserId>& bidders) {
  std::vector<Notice> out;
  const bool sold = event.outcome == Outcome::kSold;
  // The amount a user sees: the new or final price; none without a sale.
  auto add = [&](UserId user, NoticeType type) {
    const bool priced =
        type == NoticeType::kOutbid || type == NoticeType::kEndingSoon ||
        ((type == NoticeType::kWon || type == NoticeType::kLost || type == NoticeType::kSold) &&
         sold);
    out.push_back(Notice{user, type, event.version, priced ? event.price : 0, event.ends_at});
  };
  switch (event.type) {
    case EventType::kBidPlaced:
      if (leader_before && event.leader != leader_before) add(*leader_before, NoticeType::kOutbid);
      break;
    case EventType::kEnded: {
      for (UserId bidder : bidders) {
        add(bidder, sold && event.winner == bidder ? NoticeType::kWon : NoticeType::kLost);
      }
      // A buy-now buyer may have had no earlier bid.
      if (sold && event.winner && !bidders.contains(*event.winner)) {
        add(*event.winner, NoticeType::kWon);
      }
      add(seller, sold ? NoticeType::kSold : NoticeType::kUnsold);
      break;
    }
    case EventType::kCancelled:
      for (UserId bidder : bidders) add(bidder, NoticeType::kCancelled);
      break;
    case EventType::kCreated:
    case EventType::kTimeExtended:
      break;
  }
  return out;
}

}  // namespace auction
