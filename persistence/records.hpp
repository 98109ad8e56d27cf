#pragma once
/// Plain rows exchanged with the database. No SQL or libpqxx types leak out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/auction.hpp"
#include "domain/notifications.hpp"
#include "domain/validation.hpp"

namespace auction::persistence {

enum class Role { kUser, kAdmin };

struct UserRecord {
  UserId id = 0;
  std::string username;
  std::string display_name;
  std::string password_hash;
  Role role = Role::kUser;
  bool suspended = false;
  TimePoint created_at;
};

/// An auction as the public reads it: listing, terms and state, plus names.
struct AuctionRecord {
  Listing listing;
  AuctionState state;
  std::string seller_name;
  std::string leader_name;
  TimePoint created_at;
  bool ending_soon_sent = false;  ///< ENDING_SOON went out (once per auction)
};

/// One bid attempt as stored. The *_after fields are the auction right
/// after the attempt: they are the reply, so a retry with the same
/// idempotency key gets the very same answer, also after a restart.
struct BidRow {
  std::int64_t id = 0;  ///< set by the commit writer
  AuctionId auction_id = 0;
  UserId bidder_id = 0;
  std::string bidder_name;  ///< read side only
  /// Display name of leader_after, read side only: a retry's reply names the
  /// leader as the first reply did.
  std::string leader_name_after;
  bool buy_now = false;
  Money max_amount = 0;
  bool accepted = false;
  RejectReason reject_reason = RejectReason::kNone;
  bool leading = false;
  Money price_after = 0;
  std::optional<UserId> leader_after;
  Money min_next_after = 0;
  TimePoint ends_at_after;
  std::int64_t version_after = 0;
  TimePoint placed_at;
  std::string idempotency_key;  ///< empty = none
  std::string currency;         ///< read side only
};

/// What an auction actor needs to come back to life after a restart.
struct LoadedAuction {
  AuctionRecord record;
  /// Per bidder, their latest accepted bid (for the top-bidders board).
  std::vector<BidRow> latest_bid_per_bidder;
  /// Every attempt on this auction that carried an idempotency key.
  std::vector<BidRow> keyed_bids;
};

/// One auction's share of a group commit: its state after the batch, and the
/// rows the batch produced, in decision order.
struct AuctionWrite {
  AuctionState state;
  std::vector<BidRow> bids;
  std::vector<AuctionEvent> events;
  std::vector<Notice> notices;  ///< caused by `events`, same transaction
  /// ENDING_SOON is due: the commit notifies the bidders and followers
  /// (only the database knows the followers) and marks it sent.
  bool ending_soon = false;
};

/// One stored auction event, with the names a watcher shows.
struct StoredEvent {
  AuctionEvent event;
  std::string leader_name;
  std::string winner_name;
};

/// One notification as its user reads it.
struct NotificationRecord {
  std::int64_t seq = 0;
  NoticeType type = NoticeType::kOutbid;
  AuctionId auction_id = 0;
  std::string auction_title;
  Money amount = 0;
  std::string currency;
  std::int64_t auction_version = 0;
  TimePoint created_at;
  bool read = false;
  TimePoint ends_at;
};

/// Keyset pagination. Tokens are opaque to clients.
struct PageRequest {
  int page_size = 20;
  std::string page_token;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

enum class AuctionOrder { kNewest, kEndingSoon, kMostBids };

struct AuctionFilter {
  std::optional<Status> status;
  std::optional<UserId> seller_id;
  std::optional<std::string> seller_username;
  std::optional<std::string> category;
  std::string text;
  AuctionOrder order = AuctionOrder::kNewest;
};

std::string to_string(RejectReason r);
RejectReason reject_reason_from(std::string_view s);
std::string to_string(EventType t);
std::string to_string(Outcome o);
Outcome outcome_from(std::string_view s);
std::string to_string(Phase p);
std::string to_string(NoticeType t);
NoticeType notice_type_from(std::string_view s);
EventType event_type_from(std::string_view s);
Phase phase_from(std::string_view s);

}  // namespace auction::persistence
