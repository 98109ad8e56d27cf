#pragma once
/// Who hears about an auction change (SPEC section 4, UserService): pure
/// rules, so the actor only has to hand the result to the commit that
/// writes the change.
#include <optional>
#include <set>
#include <vector>

#include "auction.hpp"

namespace auction {

enum class NoticeType { kOutbid, kWon, kLost, kSold, kUnsold, kCancelled, kEndingSoon };

/// One notification to one user, caused by one auction version.
struct Notice {
  UserId user = 0;
  NoticeType type = NoticeType::kOutbid;
  std::int64_t version = 0;  ///< the auction version that caused it
  /// OUTBID: the new price; WON, LOST, SOLD of a sale: the final price;
  /// otherwise 0 (UNSOLD, CANCELLED, LOST when nothing sold).
  Money amount = 0;
  TimePoint ends_at;

  friend bool operator==(const Notice&, const Notice&) = default;
};

/// The notices one event causes.
/// - BID_PLACED: OUTBID to `leader_before` when the lead changes hands (also
///   when another bidder's proxy raise takes it over);
/// - ENDED: WON to the winner, LOST to every other bidder (all of them when
///   UNSOLD), SOLD or UNSOLD to the seller;
/// - CANCELLED: CANCELLED to every bidder.
/// `bidders` are the users with an accepted bid, including this event's.
std::vector<Notice> notices_for(const AuctionEvent& event, UserId seller,
                                std::optional<UserId> leader_before,
                                const std::set<UserId>& bidders);

}  // namespace auction
