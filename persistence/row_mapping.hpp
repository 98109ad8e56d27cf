#pragma once
/// Result rows -> records, by the column lists in sql.hpp.
#include <string_view>

#include <pqxx/row>

#include "records.hpp"

namespace auction::persistence {

inline TimePoint us_to_time(std::int64_t us) { return TimePoint{Duration{us}}; }
inline std::int64_t time_to_us(TimePoint t) { return t.time_since_epoch().count(); }

UserRecord user_from_row(const pqxx::row& r);
/// How many columns AUCTION_COLUMNS has: a statement's own extra columns follow.
inline constexpr int kAuctionColumns = 32;
AuctionRecord auction_from_row(const pqxx::row& r);
BidRow bid_from_row(const pqxx::row& r);
/// "SELECT <the columns bid_from_row reads> FROM bids b JOIN ... ", as the
/// bid statements in sql.hpp have it: append "WHERE b.... ORDER BY ..." (the
/// tests read stored bids with it).
std::string_view bid_select();
StoredEvent event_from_row(const pqxx::row& r);
NotificationRecord notification_from_row(const pqxx::row& r);

}  // namespace auction::persistence
