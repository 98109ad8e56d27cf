#pragma once
/// Result rows -> records, by the column lists in sql.hpp.
#include <pqxx/row>

#include "records.hpp"

namespace auction::persistence {

inline TimePoint us_to_time(std::int64_t us) { return TimePoint{Duration{us}}; }
inline std::int64_t time_to_us(TimePoint t) { return t.time_since_epoch().count(); }

UserRecord user_from_row(const pqxx::row& r);
AuctionRecord auction_from_row(const pqxx::row& r);
BidRow bid_from_row(const pqxx::row& r);
StoredEvent event_from_row(const pqxx::row& r);
NotificationRecord notification_from_row(const pqxx::row& r);

}  // namespace auction::persistence
