#pragma once
/// Synchronous queries and non-bid writes on one Session. Used from the
/// query pool's threads, never from CAF's scheduler threads.
#include <optional>
#include <string>
#include <vector>

#include "database.hpp"
#include "records.hpp"

namespace auction::persistence {

class Repository {
 public:
  explicit Repository(const Database& db) : session_(db) {}

  // Users
  /// ALREADY_EXISTS when the username is taken.
  Result<UserRecord> create_user(const std::string& username, const std::string& display_name,
                                 const std::string& password_hash, Role role);
  /// Creates the account or makes it an admin with this password.
  Result<UserId> upsert_admin(const std::string& username, const std::string& password_hash);
  Result<std::optional<UserRecord>> find_user(const std::string& username);
  Result<std::optional<UserRecord>> find_user(UserId id);
  Result<std::vector<UserId>> suspended_users();

  // Auctions
  /// Inserts the auction and its CREATED event (version 1) in one
  /// transaction; returns it with its id.
  Result<AuctionRecord> create_auction(UserId seller_id, const NewAuction& auction, TimePoint now);
  Result<std::optional<AuctionRecord>> get_auction(AuctionId id);
  Result<Page<AuctionRecord>> list_auctions(const AuctionFilter& filter, const PageRequest& page,
                                            TimePoint now);
  /// Accepted bids, newest first.
  Result<Page<BidRow>> list_bids(AuctionId id, const PageRequest& page);
  /// Every attempt of one bidder, newest first.
  Result<Page<BidRow>> list_user_bids(UserId bidder, const PageRequest& page);
  Result<std::vector<BidRow>> latest_bid_per_bidder(AuctionId id);

  // Recovery
  Result<std::vector<LoadedAuction>> load_open_auctions();
  Result<std::optional<LoadedAuction>> load_auction(AuctionId id);

  // Idempotency and bids on auctions that have no actor (final ones)
  Result<std::optional<BidRow>> find_keyed_bid(UserId bidder, const std::string& key);
  /// Records a rejected attempt (audit) outside any actor; returns the row
  /// with its id, or the earlier row when the idempotency key was used.
  Result<BidRow> record_rejected_bid(BidRow b);

  // Watchers
  /// Events with after < version <= up_to, in order.
  Result<std::vector<StoredEvent>> events_between(AuctionId id, std::int64_t after,
                                                  std::int64_t up_to);

  // Notifications
  /// Newest first; the page token is the last seq.
  Result<Page<NotificationRecord>> list_notifications(UserId user, bool unread_only,
                                                      const PageRequest& page);
  /// Oldest first, seq > after, at most `limit`.
  Result<std::vector<NotificationRecord>> notifications_after(UserId user, std::int64_t after,
                                                              int limit);
  Result<std::int64_t> unread_count(UserId user);
  /// The user's newest seq (0 = none yet).
  Result<std::int64_t> latest_notification_seq(UserId user);
  /// Marks `seqs` and every seq <= up_to (0 = none) read; returns how many.
  Result<std::int64_t> mark_notifications_read(UserId user, const std::vector<std::int64_t>& seqs,
                                               std::int64_t up_to);

  // Watch list
  /// True when newly followed. NOT_FOUND for an unknown auction.
  Result<bool> follow(UserId user, AuctionId auction);
  /// True when it was followed.
  Result<bool> unfollow(UserId user, AuctionId auction);
  /// Most recently followed first.
  Result<Page<AuctionRecord>> followed_auctions(UserId user, const PageRequest& page);

 private:
  Result<LoadedAuction> load_details(AuctionRecord record);
  Session session_;
};

/// Opaque keyset page tokens: base64url of "<a>.<b>".
std::string encode_page_token(std::int64_t a, std::int64_t b);
/// INVALID_ARGUMENT for a token we did not make.
Result<std::pair<std::int64_t, std::int64_t>> decode_page_token(const std::string& token);
/// A bid id block reserved from the database sequence: ids [first, first+size).
inline constexpr std::int64_t kBidIdBlockSize = 1000;

}  // namespace auction::persistence
