#include "row_mapping.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "sql.hpp"

namespace auction::persistence {
namespace {

std::optional<std::int64_t> opt_i64(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}

}  // namespace

UserRecord user_from_row(const pqxx::row& r) {
  UserRecord u;
  u.id = r[0].as<std::int64_t>();
  u.username = r[1].as<std::string>();
  u.display_name = r[2].as<std::string>();
  u.password_hash = r[3].as<std::string>();
  u.role = r[4].as<std::string>() == "ADMIN" ? Role::kAdmin : Role::kUser;
  u.suspended = r[5].as<bool>();
  u.created_at = us_to_time(r[6].as<std::int64_t>());
  return u;
}

AuctionRecord auction_from_row(const pqxx::row& r) {
  AuctionRecord a;
  AuctionTerms& t = a.state.terms;
  t.id = r[0].as<std::int64_t>();
  t.seller_id = r[1].as<std::int64_t>();
  a.listing.title = r[2].as<std::string>();
  a.listing.description = r[3].as<std::string>();
  for (const auto& url : nlohmann::json::parse(r[4].as<std::string>())) {
    a.listing.media_urls.push_back(url.get<std::string>());
  }
  a.listing.category = r[5].as<std::string>();
  t.currency = r[6].as<std::string>();
  t.starting_price = r[7].as<std::int64_t>();
  t.reserve_price = r[8].as<std::int64_t>();
  t.buy_now_price = r[9].as<std::int64_t>();
  t.increment.fixed = r[10].as<std::int64_t>();
  t.start_time = us_to_time(r[11].as<std::int64_t>());
  t.original_end_time = us_to_time(r[12].as<std::int64_t>());
  t.soft_close_window = Duration{r[13].as<std::int64_t>()};
  t.soft_close_extension = Duration{r[14].as<std::int64_t>()};
  a.created_at = us_to_time(r[15].as<std::int64_t>());
  AuctionState& s = a.state;
  s.phase = phase_from(r[16].as<std::string>());
  s.end_time = us_to_time(r[17].as<std::int64_t>());
  s.leader = opt_i64(r[18]);
  s.leader_max = r[19].as<std::int64_t>();
  s.second_max = r[20].as<std::int64_t>();
  s.current_price = r[21].as<std::int64_t>();
  s.bid_count = r[22].as<std::int64_t>();
  s.version = r[23].as<std::int64_t>();
  s.outcome = outcome_from(r[24].as<std::string>());
  s.winner = opt_i64(r[25]);
  s.final_price = r[26].as<std::int64_t>();
  if (auto ended = opt_i64(r[27])) s.ended_at = us_to_time(*ended);
  a.seller_name = r[28].as<std::string>();
  a.leader_name = r[29].is_null() ? "" : r[29].as<std::string>();
  a.ending_soon_sent = r[30].as<bool>();
  t.soft_close_max_extension = Duration{r[31].as<std::int64_t>()};
  return a;
}

BidRow bid_from_row(const pqxx::row& r) {
  BidRow b;
  b.id = r[0].as<std::int64_t>();
  b.auction_id = r[1].as<std::int64_t>();
  b.bidder_id = r[2].as<std::int64_t>();
  b.buy_now = r[3].as<bool>();
  b.max_amount = r[4].as<std::int64_t>();
  b.accepted = r[5].as<bool>();
  b.reject_reason = reject_reason_from(r[6].as<std::string>());
  b.leading = r[7].as<bool>();
  b.price_after = r[8].as<std::int64_t>();
  b.leader_after = opt_i64(r[9]);
  b.min_next_after = r[10].as<std::int64_t>();
  b.ends_at_after = us_to_time(r[11].as<std::int64_t>());
  b.version_after = r[12].as<std::int64_t>();
  b.placed_at = us_to_time(r[13].as<std::int64_t>());
  b.idempotency_key = r[14].as<std::string>();
  b.bidder_name = r[15].as<std::string>();
  b.currency = r[16].as<std::string>();
  b.leader_name_after = r[17].as<std::string>();
  return b;
}

std::string_view bid_select() {
  // sql.hpp keeps its column lists to itself: cut the SELECT ... FROM off the
  // statement that has nothing else before its WHERE.
  static const std::string_view select = [] {
    for (const auto& [name, text] : sql::kPrepared) {
      if (std::string_view(name) != "keyed_bid") continue;
      const std::string_view statement(text);
      const auto where = statement.find("WHERE ");
      if (where != std::string_view::npos) return statement.substr(0, where);
    }
    throw std::logic_error("sql.hpp: no keyed_bid statement to take the bid columns from");
  }();
  return select;
}

StoredEvent event_from_row(const pqxx::row& r) {
  StoredEvent s;
  AuctionEvent& e = s.event;
  e.version = r[0].as<std::int64_t>();
  e.type = event_type_from(r[1].as<std::string>());
  e.at = us_to_time(r[2].as<std::int64_t>());
  e.price = r[3].as<std::int64_t>();
  e.leader = opt_i64(r[4]);
  e.bid_count = r[5].as<std::int64_t>();
  e.ends_at = us_to_time(r[6].as<std::int64_t>());
  e.outcome = outcome_from(r[7].as<std::string>());
  e.winner = opt_i64(r[8]);
  s.leader_name = r[9].as<std::string>();
  s.winner_name = r[10].as<std::string>();
  return s;
}

NotificationRecord notification_from_row(const pqxx::row& r) {
  NotificationRecord n;
  n.seq = r[0].as<std::int64_t>();
  n.type = notice_type_from(r[1].as<std::string>());
  n.auction_id = r[2].as<std::int64_t>();
  n.auction_title = r[3].as<std::string>();
  n.amount = r[4].as<std::int64_t>();
  n.currency = r[5].as<std::string>();
  n.auction_version = r[6].as<std::int64_t>();
  n.created_at = us_to_time(r[7].as<std::int64_t>());
  n.read = r[8].as<bool>();
  n.ends_at = us_to_time(r[9].as<std::int64_t>());
  return n;
}

}  // namespace auction::persistence
