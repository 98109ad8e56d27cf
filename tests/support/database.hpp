#pragma once
/// Direct, read-mostly access to the server's PostgreSQL database, to check
/// what was really committed. A fresh connection per call: robust across
/// cluster restarts, and tests never share it between threads.
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "persistence/records.hpp"

namespace auction::test {

/// SQL for a timestamp column as microseconds since the epoch, exactly
/// (extract(epoch) is numeric in PG 15).
std::string us(const std::string& column);
/// A nullable bigint column.
std::optional<std::int64_t> opt_int(const pqxx::field& f);

struct RowCounts {
  std::int64_t users = 0;
  std::int64_t auctions = 0;
  std::int64_t bids = 0;
  std::int64_t auction_events = 0;
  friend bool operator==(const RowCounts&, const RowCounts&) = default;
};

/// One row of `bids`, read with the server's own column list and mapping
/// (persistence/sql.hpp, persistence/row_mapping.hpp).
using StoredBid = persistence::BidRow;

/// The live state columns of `auctions`.
struct StoredAuction {
  std::int64_t id = 0;
  std::int64_t seller_id = 0;
  std::string phase;  ///< OPEN, ENDED, CANCELLED
  std::string outcome;
  std::int64_t current_price = 0;
  std::optional<std::int64_t> leader_id;
  std::optional<std::int64_t> winner_id;
  std::int64_t final_price = 0;
  std::int64_t bid_count = 0;
  std::int64_t version = 0;
  std::int64_t end_time_us = 0;
  std::optional<std::int64_t> ended_at_us;
};

struct StoredEvent {
  std::int64_t version = 0;
  std::string type;
  std::int64_t at_us = 0;
  std::int64_t price = 0;
  std::optional<std::int64_t> leader_id;
};

class Db {
 public:
  explicit Db(std::string url) : url_(std::move(url)) {}

  /// Runs one read-only statement.
  pqxx::result query(const std::string& sql);
  /// The first column of the first row, as a bigint.
  std::int64_t scalar(const std::string& sql);

  RowCounts counts();
  std::optional<StoredAuction> auction(std::int64_t id);
  /// Every bid attempt on the auction, by id.
  std::vector<StoredBid> bids(std::int64_t auction_id);
  std::optional<StoredBid> bid(std::int64_t id);
  /// Every event of the auction, by version.
  std::vector<StoredEvent> events(std::int64_t auction_id);

 private:
  std::string url_;
};

}  // namespace auction::test
