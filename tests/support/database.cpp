#include "tests/support/database.hpp"

namespace auction::test {
namespace {

// Microseconds since the epoch, exactly (extract(epoch) is numeric in PG 15).
std::string us(const std::string& column) {
  return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

std::optional<std::int64_t> opt_int(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}

const std::string kBidColumns =
    "id, auction_id, bidder_id, buy_now, max_amount, accepted, reject_reason, is_leading, "
    "price_after, version_after, " +
    us("placed_at") + ", coalesce(idempotency_key, '')";

StoredBid bid_from(const pqxx::row& r) {
  StoredBid b;
  b.id = r[0].as<std::int64_t>();
  b.auction_id = r[1].as<std::int64_t>();
  b.bidder_id = r[2].as<std::int64_t>();
  b.buy_now = r[3].as<bool>();
  b.max_amount = r[4].as<std::int64_t>();
  b.accepted = r[5].as<bool>();
  b.reject_reason = r[6].as<std::string>();
  b.leading = r[7].as<bool>();
  b.price_after = r[8].as<std::int64_t>();
  b.version_after = r[9].as<std::int64_t>();
  b.placed_at_us = r[10].as<std::int64_t>();
  b.idempotency_key = r[11].as<std::string>();
  return b;
}

}  // namespace

pqxx::result Db::query(const std::string& sql) {
  pqxx::connection conn(url_);
  pqxx::read_transaction tx(conn);
  return tx.exec(sql);
}

std::int64_t Db::scalar(const std::string& sql) { return query(sql)[0][0].as<std::int64_t>(); }

RowCounts Db::counts() {
  const auto r = query(
      "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM auctions), "
      "(SELECT count(*) FROM bids), (SELECT count(*) FROM auction_events)");
  return RowCounts{r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(),
                   r[0][2].as<std::int64_t>(), r[0][3].as<std::int64_t>()};
}

std::optional<StoredAuction> Db::auction(std::int64_t id) {
  const auto r = query(
      "SELECT id, seller_id, phase, outcome, current_price, leader_id, winner_id, "
      "final_price, bid_count, version, " +
      us("end_time") + ", " + us("ended_at") + " FROM auctions WHERE id = " + std::to_string(id));
  if (r.empty()) return std::nullopt;
  const auto& row = r[0];
  StoredAuction a;
  a.id = row[0].as<std::int64_t>();
  a.seller_id = row[1].as<std::int64_t>();
  a.phase = row[2].as<std::string>();
  a.outcome = row[3].as<std::string>();
  a.current_price = row[4].as<std::int64_t>();
  a.leader_id = opt_int(row[5]);
  a.winner_id = opt_int(row[6]);
  a.final_price = row[7].as<std::int64_t>();
  a.bid_count = row[8].as<std::int64_t>();
  a.version = row[9].as<std::int64_t>();
  a.end_time_us = row[10].as<std::int64_t>();
  a.ended_at_us = opt_int(row[11]);
  return a;
}

std::vector<StoredBid> Db::bids(std::int64_t auction_id) {
  std::vector<StoredBid> out;
  for (const auto& row : query("SELECT " + kBidColumns + " FROM bids WHERE auction_id = " +
                               std::to_string(auction_id) + " ORDER BY id")) {
    out.push_back(bid_from(row));
  }
  return out;
}

std::optional<StoredBid> Db::bid(std::int64_t id) {
  const auto r = query("SELECT " + kBidColumns + " FROM bids WHERE id = " + std::to_string(id));
  if (r.empty()) return std::nullopt;
  return bid_from(r[0]);
}

std::vector<StoredEvent> Db::events(std::int64_t auction_id) {
  std::vector<StoredEvent> out;
  for (const auto& row : query("SELECT version, type, " + us("at") +
                               ", price, leader_id FROM auction_events WHERE auction_id = " +
                               std::to_string(auction_id) + " ORDER BY version")) {
    out.push_back(StoredEvent{row[0].as<std::int64_t>(), row[1].as<std::string>(),
                              row[2].as<std::int64_t>(), row[3].as<std::int64_t>(),
                              opt_int(row[4])});
  }
  return out;
}

}  // namespace auction::test
