#include "repository.hpp"

#include <sodium.h>

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <unordered_map>

#include "row_mapping.hpp"

namespace auction::persistence {
namespace {

const char* role_name(Role r) { return r == Role::kAdmin ? "ADMIN" : "USER"; }

const char* status_name(std::optional<Status> s) {
  if (!s) return "";
  switch (*s) {
    case Status::kScheduled:
      return "SCHEDULED";
    case Status::kActive:
      return "ACTIVE";
    case Status::kEnded:
      return "ENDED";
    case Status::kCancelled:
      return "CANCELLED";
  }
  return "";
}

/// ILIKE pattern for a substring match, with the wildcards escaped.
std::string like_pattern(const std::string& text) {
  if (text.empty()) return "";
  std::string p = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

int clamp_page_size(int requested) { return requested <= 0 ? 20 : std::min(requested, 100); }

struct Keys {
  bool has = false;
  std::int64_t a = 0;
  std::int64_t b = 0;
};

Result<Keys> keys_of(const PageRequest& page) {
  if (page.page_token.empty()) return Keys{};
  auto decoded = decode_page_token(page.page_token);
  if (!decoded) return decoded.error();
  return Keys{true, decoded->first, decoded->second};
}

}  // namespace

std::string encode_page_token(std::int64_t a, std::int64_t b) {
  const std::string raw = std::to_string(a) + "." + std::to_string(b);
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<std::pair<std::int64_t, std::int64_t>> decode_page_token(const std::string& token) {
  const Error bad = invalid_argument("page_token is not valid; use a next_page_token we returned");
  if (token.size() > 64) return bad;
  std::string raw(token.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), token.c_str(),
                        token.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return bad;
  }
  raw.resize(len);
  const auto dot = raw.find('.');
  if (dot == std::string::npos) return bad;
  std::int64_t a = 0;
  std::int64_t b = 0;
  const char* begin = raw.data();
  auto r1 = std::from_chars(begin, begin + dot, a);
  auto r2 = std::from_chars(begin + dot + 1, begin + raw.size(), b);
  if (r1.ec != std::errc{} || r1.ptr != begin + dot || r2.ec != std::errc{} ||
      r2.ptr != begin + raw.size()) {
    return bad;
  }
  return std::pair{a, b};
}

Result<UserRecord> Repository::create_user(const std::string& username,
                                           const std::string& display_name,
                                           const std::string& password_hash, Role role) {
  try {
    pqxx::work w(session_.conn());
    auto row = w.exec_prepared1("insert_user", username, display_name, password_hash,
                                std::string(role_name(role)));
    w.commit();
    UserRecord u;
    u.id = row[0].as<std::int64_t>();
    u.username = username;
    u.display_name = display_name;
    u.password_hash = password_hash;
    u.role = role;
    u.created_at = us_to_time(row[1].as<std::int64_t>());
    return u;
  } catch (const pqxx::unique_violation&) {
    return Error{ErrorCode::kAlreadyExists, "that username is taken"};
  } catch (...) {
    return database_error_from_current_exception(session_, "create_user");
  }
}

Result<UserId> Repository::upsert_admin(const std::string& username,
                                        const std::string& password_hash) {
  return guarded<UserId>(session_, "upsert_admin", [&]() -> Result<UserId> {
    pqxx::work w(session_.conn());
    auto row = w.exec_prepared1("upsert_admin", username, username, password_hash);
    w.commit();
    return row[0].as<std::int64_t>();
  });
}

Result<std::optional<UserRecord>> Repository::find_user(const std::string& username) {
  return guarded<std::optional<UserRecord>>(session_, "find_user", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("user_by_name", username);
    return rows.empty() ? std::optional<UserRecord>{} : user_from_row(rows[0]);
  });
}

Result<std::optional<UserRecord>> Repository::find_user(UserId id) {
  return guarded<std::optional<UserRecord>>(session_, "find_user", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("user_by_id", id);
    return rows.empty() ? std::optional<UserRecord>{} : user_from_row(rows[0]);
  });
}

Result<std::vector<UserId>> Repository::suspended_users() {
  return guarded<std::vector<UserId>>(session_, "suspended_users", [&]() {
    pqxx::read_transaction w(session_.conn());
    std::vector<UserId> ids;
    for (const auto& row : w.exec_prepared("suspended_users"))
      ids.push_back(row[0].as<std::int64_t>());
    return ids;
  });
}

Result<AuctionRecord> Repository::create_auction(UserId seller_id, const NewAuction& auction,
                                                 TimePoint now) {
  return guarded<AuctionRecord>(session_, "create_auction", [&]() -> Result<AuctionRecord> {
    const AuctionTerms& t = auction.terms;
    const Listing& l = auction.listing;
    pqxx::work w(session_.conn());
    auto row = w.exec_prepared1(
        "insert_auction", seller_id, l.title, l.description, nlohmann::json(l.media_urls).dump(),
        l.category, t.currency, t.starting_price, t.reserve_price, t.buy_now_price,
        t.increment.fixed, time_to_us(t.start_time), time_to_us(t.original_end_time),
        t.soft_close_window.count(), t.soft_close_extension.count(), time_to_us(now),
        t.soft_close_max_extension.count());
    const auto id = row[0].as<AuctionId>();
    w.exec_prepared0("insert_created_event", id, time_to_us(now), t.starting_price,
                     time_to_us(t.original_end_time));
    auto stored = w.exec_prepared("auction_by_id", id);
    w.commit();
    return auction_from_row(stored[0]);
  });
}

Result<std::optional<AuctionRecord>> Repository::get_auction(AuctionId id) {
  return guarded<std::optional<AuctionRecord>>(session_, "get_auction", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("auction_by_id", id);
    return rows.empty() ? std::optional<AuctionRecord>{} : auction_from_row(rows[0]);
  });
}

Result<Page<AuctionRecord>> Repository::list_auctions(const AuctionFilter& filter,
                                                      const PageRequest& page, TimePoint now) {
  auto keys = keys_of(page);
  if (!keys) return keys.error();
  const int limit = clamp_page_size(page.page_size);
  return guarded<Page<AuctionRecord>>(session_, "list_auctions", [&]() {
    const char* statement = filter.order == AuctionOrder::kEndingSoon ? "list_ending_soon"
                            : filter.order == AuctionOrder::kMostBids ? "list_most_bids"
                                                                      : "list_newest";
    pqxx::read_transaction w(session_.conn());
    auto rows =
        w.exec_prepared(statement, std::string(status_name(filter.status)),
                        filter.seller_id.value_or(0), filter.category.has_value(),
                        filter.category.value_or(""), like_pattern(filter.text), keys->has, keys->a,
                        keys->b, time_to_us(now), limit + 1, filter.seller_username.value_or(""));
    Page<AuctionRecord> out;
    for (const auto& row : rows) {
      if (static_cast<int>(out.items.size()) == limit) {
        const AuctionRecord& last = out.items.back();
        const std::int64_t key =
            filter.order == AuctionOrder::kEndingSoon ? time_to_us(last.state.end_time)
            : filter.order == AuctionOrder::kMostBids ? last.state.bid_count
                                                      : time_to_us(last.created_at);
        out.next_page_token = encode_page_token(key, last.state.terms.id);
        break;
      }
      out.items.push_back(auction_from_row(row));
    }
    return out;
  });
}

namespace {

template <class KeyOf>
Page<BidRow> bid_page(const pqxx::result& rows, int limit, KeyOf key_of) {
  Page<BidRow> out;
  for (const auto& row : rows) {
    if (static_cast<int>(out.items.size()) == limit) {
      const auto [a, b] = key_of(out.items.back());
      out.next_page_token = encode_page_token(a, b);
      break;
    }
    out.items.push_back(bid_from_row(row));
  }
  return out;
}

}  // namespace

Result<Page<BidRow>> Repository::list_bids(AuctionId id, const PageRequest& page) {
  auto keys = keys_of(page);
  if (!keys) return keys.error();
  const int limit = clamp_page_size(page.page_size);
  return guarded<Page<BidRow>>(session_, "list_bids", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("auction_bids_page", id, keys->has, keys->a, limit + 1);
    return bid_page(rows, limit, [](const BidRow& b) {
      return std::pair<std::int64_t, std::int64_t>{b.version_after, 0};
    });
  });
}

Result<Page<BidRow>> Repository::list_user_bids(UserId bidder, const PageRequest& page) {
  auto keys = keys_of(page);
  if (!keys) return keys.error();
  const int limit = clamp_page_size(page.page_size);
  return guarded<Page<BidRow>>(session_, "list_user_bids", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("user_bids_page", bidder, keys->has, keys->a, keys->b, limit + 1);
    return bid_page(rows, limit, [](const BidRow& b) {
      return std::pair<std::int64_t, std::int64_t>{time_to_us(b.placed_at), b.id};
    });
  });
}

Result<std::vector<BidRow>> Repository::latest_bid_per_bidder(AuctionId id) {
  return guarded<std::vector<BidRow>>(session_, "latest_bid_per_bidder", [&]() {
    pqxx::read_transaction w(session_.conn());
    std::vector<BidRow> out;
    for (const auto& row : w.exec_prepared("latest_bid_per_bidder", id)) {
      out.push_back(bid_from_row(row));
    }
    return out;
  });
}

Result<LoadedAuction> Repository::load_details(AuctionRecord record) {
  return guarded<LoadedAuction>(session_, "load_auction", [&]() {
    pqxx::read_transaction w(session_.conn());
    LoadedAuction loaded;
    const AuctionId id = record.state.terms.id;
    loaded.record = std::move(record);
    for (const auto& row : w.exec_prepared("latest_bid_per_bidder", id)) {
      loaded.latest_bid_per_bidder.push_back(bid_from_row(row));
    }
    for (const auto& row : w.exec_prepared("keyed_bids_of_auction", id)) {
      loaded.keyed_bids.push_back(bid_from_row(row));
    }
    return loaded;
  });
}

Result<std::vector<LoadedAuction>> Repository::load_open_auctions() {
  // Three queries in all, however many auctions are live: recovery time
  // after a crash stays small.
  return guarded<std::vector<LoadedAuction>>(session_, "load_open_auctions", [&]() {
    pqxx::read_transaction w(session_.conn());
    std::vector<LoadedAuction> out;
    std::unordered_map<AuctionId, std::size_t> index;
    for (const auto& row : w.exec_prepared("open_auctions")) {
      LoadedAuction loaded;
      loaded.record = auction_from_row(row);
      index[loaded.record.state.terms.id] = out.size();
      out.push_back(std::move(loaded));
    }
    for (const auto& row : w.exec_prepared("latest_bid_per_bidder_open")) {
      BidRow b = bid_from_row(row);
      if (auto it = index.find(b.auction_id); it != index.end()) {
        out[it->second].latest_bid_per_bidder.push_back(std::move(b));
      }
    }
    for (const auto& row : w.exec_prepared("keyed_bids_open")) {
      BidRow b = bid_from_row(row);
      if (auto it = index.find(b.auction_id); it != index.end()) {
        out[it->second].keyed_bids.push_back(std::move(b));
      }
    }
    return out;
  });
}

Result<std::optional<LoadedAuction>> Repository::load_auction(AuctionId id) {
  auto record = get_auction(id);
  if (!record) return record.error();
  if (!*record) return std::optional<LoadedAuction>{};
  auto loaded = load_details(std::move(**record));
  if (!loaded) return loaded.error();
  return std::optional<LoadedAuction>{std::move(*loaded)};
}

Result<std::optional<BidRow>> Repository::find_keyed_bid(UserId bidder, const std::string& key) {
  return guarded<std::optional<BidRow>>(session_, "find_keyed_bid", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("keyed_bid", bidder, key);
    return rows.empty() ? std::optional<BidRow>{} : bid_from_row(rows[0]);
  });
}

Result<BidRow> Repository::record_rejected_bid(BidRow b) {
  return guarded<BidRow>(session_, "record_rejected_bid", [&]() -> Result<BidRow> {
    pqxx::work w(session_.conn());
    b.id = w.exec_prepared1("next_bid_id_block")[0].as<std::int64_t>() * kBidIdBlockSize;
    auto inserted =
        w.exec_prepared0("insert_single_bid", b.id, b.auction_id, b.bidder_id, b.max_amount,
                         to_string(b.reject_reason), b.leading, b.price_after,
                         b.leader_after.value_or(0), b.min_next_after, time_to_us(b.ends_at_after),
                         b.version_after, time_to_us(b.placed_at), b.idempotency_key);
    if (inserted.affected_rows() == 0) {
      // The key was used meanwhile: its first answer stands.
      auto rows = w.exec_prepared("keyed_bid", b.bidder_id, b.idempotency_key);
      w.commit();
      if (rows.empty()) return Error{ErrorCode::kInternal, "internal error"};
      return bid_from_row(rows[0]);
    }
    w.commit();
    return b;
  });
}

Result<std::vector<StoredEvent>> Repository::events_between(AuctionId id, std::int64_t after,
                                                            std::int64_t up_to) {
  return guarded<std::vector<StoredEvent>>(session_, "events_between", [&]() {
    pqxx::read_transaction w(session_.conn());
    std::vector<StoredEvent> out;
    for (const auto& row : w.exec_prepared("events_range", id, after, up_to)) {
      out.push_back(event_from_row(row));
    }
    return out;
  });
}

Result<Page<NotificationRecord>> Repository::list_notifications(UserId user, bool unread_only,
                                                                const PageRequest& page) {
  auto keys = keys_of(page);
  if (!keys) return keys.error();
  const int limit = clamp_page_size(page.page_size);
  return guarded<Page<NotificationRecord>>(session_, "list_notifications", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows =
        w.exec_prepared("notifications_page", user, unread_only, keys->has, keys->a, limit + 1);
    Page<NotificationRecord> out;
    for (const auto& row : rows) {
      if (static_cast<int>(out.items.size()) == limit) {
        out.next_page_token = encode_page_token(out.items.back().seq, 0);
        break;
      }
      out.items.push_back(notification_from_row(row));
    }
    return out;
  });
}

Result<std::vector<NotificationRecord>> Repository::notifications_after(UserId user,
                                                                        std::int64_t after,
                                                                        int limit) {
  return guarded<std::vector<NotificationRecord>>(session_, "notifications_after", [&]() {
    pqxx::read_transaction w(session_.conn());
    std::vector<NotificationRecord> out;
    for (const auto& row : w.exec_prepared("notifications_after", user, after, limit)) {
      out.push_back(notification_from_row(row));
    }
    return out;
  });
}

Result<std::int64_t> Repository::unread_count(UserId user) {
  return guarded<std::int64_t>(session_, "unread_count", [&]() {
    pqxx::read_transaction w(session_.conn());
    return w.exec_prepared1("unread_count", user)[0].as<std::int64_t>();
  });
}

Result<std::int64_t> Repository::latest_notification_seq(UserId user) {
  return guarded<std::int64_t>(session_, "latest_notification_seq", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("latest_notification_seq", user);
    return rows.empty() ? std::int64_t{0} : rows[0][0].as<std::int64_t>();
  });
}

Result<std::int64_t> Repository::mark_notifications_read(UserId user,
                                                         const std::vector<std::int64_t>& seqs,
                                                         std::int64_t up_to) {
  std::string list = "{";
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (i > 0) list += ',';
    list += std::to_string(seqs[i]);
  }
  list += '}';
  return guarded<std::int64_t>(session_, "mark_notifications_read", [&]() {
    pqxx::work w(session_.conn());
    auto r = w.exec_prepared("mark_read", user, list, up_to);
    w.commit();
    return static_cast<std::int64_t>(r.affected_rows());
  });
}

Result<bool> Repository::follow(UserId user, AuctionId auction) {
  // Empty: unknown auction.
  auto followed = guarded<std::optional<bool>>(session_, "follow", [&]() -> std::optional<bool> {
    pqxx::work w(session_.conn());
    if (w.exec_prepared("auction_by_id", auction).empty()) return std::nullopt;
    auto r = w.exec_prepared("follow", user, auction);
    w.commit();
    return r.affected_rows() == 1;
  });
  if (!followed) return followed.error();
  if (!*followed) return not_found("no auction with that id");
  return **followed;
}

Result<bool> Repository::unfollow(UserId user, AuctionId auction) {
  return guarded<bool>(session_, "unfollow", [&]() {
    pqxx::work w(session_.conn());
    auto r = w.exec_prepared("unfollow", user, auction);
    w.commit();
    return r.affected_rows() == 1;
  });
}

Result<Page<AuctionRecord>> Repository::followed_auctions(UserId user, const PageRequest& page) {
  auto keys = keys_of(page);
  if (!keys) return keys.error();
  const int limit = clamp_page_size(page.page_size);
  return guarded<Page<AuctionRecord>>(session_, "followed_auctions", [&]() {
    pqxx::read_transaction w(session_.conn());
    auto rows = w.exec_prepared("followed_page", user, keys->has, keys->a, keys->b, limit + 1);
    Page<AuctionRecord> out;
    std::int64_t last_followed_at = 0;
    for (const auto& row : rows) {
      if (static_cast<int>(out.items.size()) == limit) {
        out.next_page_token = encode_page_token(last_followed_at, out.items.back().state.terms.id);
        break;
      }
      out.items.push_back(auction_from_row(row));
      last_followed_at = row[kAuctionColumns].as<std::int64_t>();
    }
    return out;
  });
}

}  // namespace auction::persistence
