#include "tests/support/database.hpp"

#include "persistence/row_mapping.hpp"

namespace auction::test {

std::string us(const std::string& column) {
  return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

std::optional<std::int64_t> opt_int(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}

/// Stored bids, read as the server reads them.
std::vector<StoredBid> bids_where(Db& db, const std::string& where) {
  std::vector<StoredBid> out;
  for (const auto& row : db.query(std::string(persistence::bid_select()) + where)) {
    out.push_back(persistence::bid_from_row(row));
  }
  return out;
}

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
  return bids_where(*this, "WHERE b.auction_id = " + std::to_string(auction_id) + " ORDER BY b.id");
}

std::optional<StoredBid> Db::bid(std::int64_t id) {
  auto rows = bids_where(*this, "WHERE b.id = " + std::to_string(id));
  if (rows.empty()) return std::nullopt;
  return rows.front();
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
