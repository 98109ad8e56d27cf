#pragma once
/// The commands an auction understands and their answers, as plain values:
/// no CAF here, so the auction's core can be run and tested without actors.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/reply.hpp"
#include "domain/auction.hpp"
#include "domain/top_bidders.hpp"
#include "persistence/records.hpp"

namespace auction::actors {

/// How many bidders a view shows when the caller does not say.
inline constexpr std::size_t kDefaultTopBidders = 5;

/// The answer to a bid: exactly what PlaceBid returns.
struct BidReply {
  std::int64_t bid_id = 0;
  bool accepted = false;
  RejectReason reason = RejectReason::kNone;
  bool leading = false;
  Money current_price = 0;
  std::optional<UserId> leader;
  std::string leader_name;  ///< display name of `leader`; "" when not known
  Money minimum_next_bid = 0;
  TimePoint ends_at;
  std::int64_t version = 0;
  std::string currency;
};

/// An auction as the public reads it (committed state only).
struct AuctionView {
  persistence::AuctionRecord record;
  std::vector<TopBidderEntry> top_bidders;
};

struct BuyNowReply {
  std::int64_t bid_id = 0;
  AuctionView auction;
};

/// Who is acting, as the authenticated token says (and the suspension list).
struct Caller {
  UserId id = 0;
  std::string display_name;
  bool is_admin = false;
  bool suspended = false;
};

/// The caller's gRPC deadline: a command still queued when it passes is
/// answered DEADLINE_EXCEEDED and not applied.
inline constexpr TimePoint kNoDeadline = TimePoint::max();

struct BidCommand {
  Caller bidder;
  Money max_amount = 0;
  std::string idempotency_key;  ///< empty = none
  ReplyPtr<BidReply> reply;
  TimePoint deadline = kNoDeadline;
};

struct BuyNowCommand {
  Caller buyer;
  std::string idempotency_key;
  ReplyPtr<BuyNowReply> reply;
  TimePoint deadline = kNoDeadline;
};

struct CancelCommand {
  Caller caller;
  ReplyPtr<AuctionView> reply;
  TimePoint deadline = kNoDeadline;
};

struct GetCommand {
  std::size_t top_bidders = kDefaultTopBidders;
  ReplyPtr<AuctionView> reply;
};

}  // namespace auction::actors
