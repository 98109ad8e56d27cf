#include "tests/support/history_checker.hpp"

#include <algorithm>
#include <limits>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "domain/auction.hpp"
#include "persistence/records.hpp"
#include "persistence/row_mapping.hpp"
#include "tests/support/client.hpp"
#include "tests/support/database.hpp"

namespace auction::test {
namespace {

namespace v1 = ::auction::v1;
using Clock = std::chrono::steady_clock;

TimePoint tp(std::int64_t micros) { return TimePoint{Duration{micros}}; }
std::int64_t micros(TimePoint t) { return t.time_since_epoch().count(); }

std::string id_text(const std::optional<std::int64_t>& id) {
  return id ? std::to_string(*id) : std::string();
}

/// One row of `bids`, with every column a reply is rebuilt from.
using Row = persistence::BidRow;

/// An auction row: its terms and its live state.
struct AuctionRow {
  AuctionTerms terms;
  std::string phase;
  std::string outcome;
  std::int64_t end_time_us = 0;
  std::optional<std::int64_t> leader;
  std::int64_t current_price = 0;
  std::int64_t bid_count = 0;
  std::int64_t version = 0;
  std::optional<std::int64_t> winner;
  std::int64_t final_price = 0;
  std::optional<std::int64_t> ended_at_us;
};

struct EventRow {
  std::int64_t version = 0;
  std::string type;
  std::int64_t at_us = 0;
  std::int64_t price = 0;
  std::optional<std::int64_t> leader;
  std::int64_t bid_count = 0;
  std::int64_t ends_at_us = 0;
  std::string outcome;
  std::optional<std::int64_t> winner;
};

/// The stored spelling of a reply's reject reason.
std::string reason_text(v1::RejectReason r) {
  if (r == v1::REJECT_REASON_UNSPECIFIED) return "NONE";
  return v1::RejectReason_Name(r);
}

/// Differences between a reply and the stored row it must come from; empty
/// when they agree.
std::string reply_vs_row(const v1::PlaceBidResponse& reply, const Row& row) {
  std::ostringstream d;
  auto field = [&](const char* name, const auto& got, const auto& stored) {
    if (!(got == stored)) d << " " << name << ": reply " << got << ", stored " << stored << ";";
  };
  field("bid_id", reply.bid_id(), std::to_string(row.id));
  field("accepted", reply.accepted(), row.accepted);
  field("reject_reason", reason_text(reply.reject_reason()),
        persistence::to_string(row.reject_reason));
  field("leading", reply.leading(), row.leading);
  field("current_price", reply.current_price(), row.price_after);
  field("leading_bidder_id", reply.leading_bidder_id(), id_text(row.leader_after));
  field("minimum_next_bid", reply.minimum_next_bid(), row.min_next_after);
  field("ends_at", to_us(reply.ends_at()), micros(row.ends_at_after));
  field("version", reply.version(), row.version_after);
  return d.str();
}

/// The auction's stored state and history, read in one snapshot.
struct Stored {
  AuctionRow auction;
  std::vector<Row> rows;         ///< by id
  std::vector<EventRow> events;  ///< by version
};

std::optional<Stored> load(pqxx::connection& conn, std::int64_t id) {
  pqxx::read_transaction tx(conn);
  const std::string where = " WHERE auction_id = " + std::to_string(id);
  const auto a = tx.exec(
      "SELECT seller_id, currency, starting_price, reserve_price, buy_now_price, min_increment, " +
      us("start_time") + ", " + us("original_end_time") +
      ", soft_close_window_us, soft_close_extension_us, phase, outcome, " + us("end_time") +
      ", leader_id, current_price, bid_count, version, winner_id, final_price, " + us("ended_at") +
      ", soft_close_max_extension_us FROM auctions WHERE id = " + std::to_string(id));
  if (a.empty()) return std::nullopt;
  const auto& r = a[0];
  Stored s;
  AuctionRow& ar = s.auction;
  ar.terms.id = id;
  ar.terms.seller_id = r[0].as<std::int64_t>();
  ar.terms.currency = r[1].as<std::string>();
  ar.terms.starting_price = r[2].as<std::int64_t>();
  ar.terms.reserve_price = r[3].as<std::int64_t>();
  ar.terms.buy_now_price = r[4].as<std::int64_t>();
  ar.terms.increment.fixed = r[5].as<std::int64_t>();
  ar.terms.start_time = tp(r[6].as<std::int64_t>());
  ar.terms.original_end_time = tp(r[7].as<std::int64_t>());
  ar.terms.soft_close_window = Duration{r[8].as<std::int64_t>()};
  ar.terms.soft_close_extension = Duration{r[9].as<std::int64_t>()};
  ar.terms.soft_close_max_extension = Duration{r[20].as<std::int64_t>()};
  ar.phase = r[10].as<std::string>();
  ar.outcome = r[11].as<std::string>();
  ar.end_time_us = r[12].as<std::int64_t>();
  ar.leader = opt_int(r[13]);
  ar.current_price = r[14].as<std::int64_t>();
  ar.bid_count = r[15].as<std::int64_t>();
  ar.version = r[16].as<std::int64_t>();
  ar.winner = opt_int(r[17]);
  ar.final_price = r[18].as<std::int64_t>();
  ar.ended_at_us = opt_int(r[19]);
  for (const auto& row : tx.exec(std::string(persistence::bid_select()) +
                                 "WHERE b.auction_id = " + std::to_string(id) + " ORDER BY b.id")) {
    s.rows.push_back(persistence::bid_from_row(row));
  }
  for (const auto& row : tx.exec(
           "SELECT version, type, " + us("at") + ", price, leader_id, bid_count, " + us("ends_at") +
           ", outcome, winner_id FROM auction_events" + where + " ORDER BY version")) {
    s.events.push_back(
        EventRow{row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::int64_t>(),
                 row[3].as<std::int64_t>(), opt_int(row[4]), row[5].as<std::int64_t>(),
                 row[6].as<std::int64_t>(), row[7].as<std::string>(), opt_int(row[8])});
  }
  return s;
}

/// Rows with this (bidder, key).
std::vector<Row> rows_for_key(pqxx::connection& conn, const std::string& bidder_id,
                              const std::string& key) {
  pqxx::read_transaction tx(conn);
  std::vector<Row> out;
  for (const auto& row : tx.exec(
           std::string(persistence::bid_select()) + "WHERE b.bidder_id = " + tx.quote(bidder_id) +
           "::bigint AND b.idempotency_key = " + tx.quote(key) + " ORDER BY b.id")) {
    out.push_back(persistence::bid_from_row(row));
  }
  return out;
}

struct RetryResult {
  grpc::Status status;
  v1::PlaceBidResponse reply;
};

/// PlaceBid again with the call's parameters and key, riding out UNAVAILABLE
/// (a server still recovering) for at most `patience`.
RetryResult retry(v1::AuctionService::Stub& stub, const BidCall& call,
                  std::chrono::milliseconds patience) {
  const auto give_up = Clock::now() + patience;
  v1::PlaceBidRequest req;
  req.set_auction_id(call.auction_id);
  req.set_max_amount(call.max_amount);
  req.set_idempotency_key(call.idempotency_key);
  RetryResult r;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization", "Bearer " + call.token);
    r.reply.Clear();
    r.status = stub.PlaceBid(&ctx, req, &r.reply);
    if (outcome_of(r.status) != CallOutcome::kUnknown || Clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return r;
}

v1::AuctionStatus expected_status(const std::string& phase) {
  if (phase == "ENDED") return v1::AUCTION_STATUS_ENDED;
  if (phase == "CANCELLED") return v1::AUCTION_STATUS_CANCELLED;
  return v1::AUCTION_STATUS_ACTIVE;  // open auctions in the suites have started
}

v1::Outcome expected_outcome(const std::string& outcome) {
  if (outcome == "SOLD") return v1::OUTCOME_SOLD;
  if (outcome == "UNSOLD") return v1::OUTCOME_UNSOLD;
  return v1::OUTCOME_UNSPECIFIED;
}

class Violations {
 public:
  explicit Violations(std::vector<std::string>& out) : out_(out) {}
  std::ostream& add() {
    flush();
    pending_ = true;
    return line_;
  }
  void flush() {
    if (pending_) out_.push_back(line_.str());
    line_.str({});
    line_.clear();
    pending_ = false;
  }
  ~Violations() { flush(); }
  Violations(const Violations&) = delete;
  Violations& operator=(const Violations&) = delete;

 private:
  std::vector<std::string>& out_;
  std::ostringstream line_;
  bool pending_ = false;
};

}  // namespace

CallOutcome outcome_of(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return CallOutcome::kAcknowledged;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNIMPLEMENTED:
      return CallOutcome::kDefiniteError;
    default:
      return CallOutcome::kUnknown;
  }
}

std::string CheckReport::summary() const {
  std::ostringstream s;
  s << calls << " calls: " << acknowledged << " acknowledged (" << acknowledged_accepted
    << " accepted, " << acknowledged_rejected << " rejected), " << unknown
    << " calls with unknown outcome on " << unknown_keys
    << " keys, each resolved to exactly one stored bid (" << unknown_committed
    << " had committed before the answer was lost, " << unknown_not_committed << " had not; "
    << unknown_resolved_by_client << " resolved by the client's own retry, "
    << unknown_retried_by_checker << " by the checker's), " << definite_errors
    << " definite errors; " << acknowledged_retried << " acknowledged calls retried; " << auctions
    << " auctions (" << ended_auctions << " ended), " << stored_bids << " stored bid rows ("
    << stored_accepted << " accepted), " << events_checked << " events checked; " << watchers
    << " watchers, " << watch_updates << " watch updates; " << violations.size() << " violations, "
    << findings.size() << " findings";
  if (!error_codes.empty()) {
    s << "; errors by code:";
    for (const auto& [code, n] : error_codes) s << " " << code << "=" << n;
  }
  for (const auto& [message, n] : committed_unknown_messages) {
    s << "; committed although the call failed '" << message << "': " << n;
  }
  return s.str();
}

std::string CheckReport::describe(std::size_t max) const {
  std::string out = summary() + "\n";
  for (const auto& [message, n] : error_messages) {
    out += "  error " + message + ": " + std::to_string(n) + "\n";
  }
  for (std::size_t i = 0; i < findings.size() && i < max; ++i) {
    out += "  finding: " + findings[i] + "\n";
  }
  for (std::size_t i = 0; i < violations.size() && i < max; ++i) {
    out += "  violation: " + violations[i] + "\n";
  }
  if (violations.size() > max) {
    out += "  ... and " + std::to_string(violations.size() - max) + " more\n";
  }
  return out;
}

HistoryChecker::HistoryChecker(std::string database_url, CheckOptions options)
    : database_url_(std::move(database_url)), options_(options) {}

void HistoryChecker::track_auction(const std::string& auction_id) {
  std::lock_guard lock(mu_);
  auctions_.insert(auction_id);
}

void HistoryChecker::record_bid(BidCall call) {
  std::lock_guard lock(mu_);
  auctions_.insert(call.auction_id);
  calls_.push_back(std::move(call));
}

BidCall HistoryChecker::place_bid(v1::AuctionService::Stub& stub, const std::string& token,
                                  const std::string& bidder_id, const std::string& auction_id,
                                  std::int64_t max_amount, const std::string& idempotency_key,
                                  std::chrono::milliseconds deadline) {
  BidCall call;
  call.auction_id = auction_id;
  call.bidder_id = bidder_id;
  call.token = token;
  call.max_amount = max_amount;
  call.idempotency_key = idempotency_key;
  v1::PlaceBidRequest req;
  req.set_auction_id(auction_id);
  req.set_max_amount(max_amount);
  req.set_idempotency_key(idempotency_key);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  ctx.AddMetadata("authorization", "Bearer " + token);
  call.sent_us = now_us();
  const grpc::Status status = stub.PlaceBid(&ctx, req, &call.reply);
  call.done_us = now_us();
  call.code = status.error_code();
  call.message = status.error_message();
  if (!status.ok()) call.reply.Clear();
  record_bid(call);
  return call;
}

HistoryChecker::WatchSeen& HistoryChecker::seen_locked(const std::string& watcher,
                                                       const std::string& auction_id,
                                                       std::int64_t version) {
  ++watch_updates_;
  WatchSeen& seen = watched_[{watcher, auction_id}];
  if (version < seen.last) {
    std::ostringstream v;
    v << "watcher '" << watcher << "' of auction " << auction_id << " saw version " << version
      << " after version " << seen.last;
    watch_violations_.push_back(v.str());
  }
  return seen;
}

void HistoryChecker::record_watch_update(const std::string& auction_id, std::int64_t version,
                                         const std::string& watcher,
                                         std::optional<std::int64_t> price) {
  std::lock_guard lock(mu_);
  WatchSeen& seen = seen_locked(watcher, auction_id, version);
  seen.last = std::max(seen.last, version);
  if (price) seen.prices.emplace_back(version, *price);
}

void HistoryChecker::record_watch_update(const std::string& watcher,
                                         const v1::AuctionUpdate& update) {
  using U = v1::AuctionUpdate;
  const std::string& auction_id = update.auction_id();
  const std::int64_t version = update.version();
  std::lock_guard lock(mu_);
  WatchSeen& seen = seen_locked(watcher, auction_id, version);
  seen.recent.push_back(U::Type_Name(update.type()) + " v" + std::to_string(version) + " at " +
                        std::to_string(now_us()));
  if (seen.recent.size() > 12) seen.recent.erase(seen.recent.begin());
  std::string stored_type;
  switch (update.type()) {
    case U::BID_PLACED:
      stored_type = "BID_PLACED";
      break;
    case U::TIME_EXTENDED:
      stored_type = "TIME_EXTENDED";
      break;
    case U::AUCTION_ENDED:
      stored_type = "ENDED";
      seen.saw_end = true;
      break;
    case U::AUCTION_CANCELLED:
      stored_type = "CANCELLED";
      break;
    case U::SNAPSHOT:
      if (update.auction().status() == v1::AUCTION_STATUS_ENDED) seen.saw_end = true;
      break;
    default:
      break;
  }
  if (!stored_type.empty()) {
    if (seen.last > 0 && version != seen.last + 1 && version >= seen.last) {
      std::ostringstream v;
      v << "watcher '" << watcher << "' of auction " << auction_id << " got " << stored_type << " v"
        << version << " right after v" << seen.last
        << (version == seen.last ? " (a repeat)" : " (missed events in between)")
        << "; its last messages:";
      for (const auto& r : seen.recent) v << " [" << r << "]";
      watch_findings_.push_back(v.str());
    }
    seen.types.emplace_back(version, stored_type);
  }
  if (update.type() != U::HEARTBEAT) seen.prices.emplace_back(version, update.current_price());
  seen.last = std::max(seen.last, version);
}

void HistoryChecker::record_watch_connect(const std::string& watcher, const std::string& auction_id,
                                          std::int64_t from_version) {
  std::lock_guard lock(mu_);
  WatchSeen& seen = watched_[{watcher, auction_id}];
  seen.recent.push_back("connect from_version=" + std::to_string(from_version) + " at " +
                        std::to_string(now_us()));
  if (seen.recent.size() > 12) seen.recent.erase(seen.recent.begin());
}

bool HistoryChecker::watcher_saw_end(const std::string& watcher,
                                     const std::string& auction_id) const {
  std::lock_guard lock(mu_);
  const auto it = watched_.find({watcher, auction_id});
  return it != watched_.end() && it->second.saw_end;
}

std::vector<std::string> HistoryChecker::watch_violations() const {
  std::lock_guard lock(mu_);
  return watch_violations_;
}

std::vector<std::string> HistoryChecker::watch_findings() const {
  std::lock_guard lock(mu_);
  return watch_findings_;
}

std::size_t HistoryChecker::calls() const {
  std::lock_guard lock(mu_);
  return calls_.size();
}

std::vector<BidCall> HistoryChecker::recorded_calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

CheckReport HistoryChecker::check(v1::AuctionService::Stub& stub) {
  std::vector<BidCall> calls;
  std::set<std::string> auction_ids;
  std::map<std::pair<std::string, std::string>, WatchSeen> watched;
  CheckReport report;
  {
    std::lock_guard lock(mu_);
    calls = calls_;
    auction_ids = auctions_;
    watched = watched_;
    report.violations = watch_violations_;
    report.findings = watch_findings_;
    report.watch_updates = watch_updates_;
  }
  report.calls = calls.size();
  report.watchers = watched.size();
  if (options_.findings_are_violations) {
    report.violations.insert(report.violations.end(), report.findings.begin(),
                             report.findings.end());
  }
  Violations bad(report.violations);
  pqxx::connection conn(database_url_);

  // Calls per (bidder, key): a key the suite itself used more than once (a
  // client-side retry) resolves through all of its calls together.
  std::map<std::pair<std::string, std::string>, std::vector<const BidCall*>> by_key;
  for (const BidCall& c : calls) {
    if (c.code != grpc::StatusCode::OK) {
      ++report.error_codes[status_code_name(c.code)];
      ++report.error_messages[status_code_name(c.code) + std::string(": ") +
                              c.message.substr(0, 160)];
    }
    if (c.idempotency_key.empty()) {
      bad.add() << "a call on auction " << c.auction_id << " carries no idempotency key";
      continue;
    }
    by_key[{c.bidder_id, c.idempotency_key}].push_back(&c);
  }

  // An INTERNAL answer to a well-formed bid is a server error (SPEC section 4
  // has no such answer for a bid): a finding, one line per message.
  for (const auto& [message, n] : report.error_messages) {
    if (message.rfind("INTERNAL", 0) != 0) continue;
    std::ostringstream f;
    f << n << " bids failed '" << message << "'";
    report.findings.push_back(f.str());
    if (options_.findings_are_violations) bad.add() << f.str();
  }

  // 1. Unknown outcomes, per key: a key whose call was cut off resolves to
  // exactly one stored row. When the client's own retry with the key got an
  // answer, that answer is the resolution (step 4 checks it against the row);
  // otherwise the checker retries now. Either way the row tells whether the
  // cut-off attempt itself had committed (placed before its call ended).
  for (const auto& [key, group] : by_key) {
    const BidCall* first_unknown = nullptr;
    const BidCall* acked_call = nullptr;
    for (const BidCall* c : group) {
      if (c->outcome() == CallOutcome::kUnknown) {
        ++report.unknown;
        if (first_unknown == nullptr) first_unknown = c;
      } else if (c->outcome() == CallOutcome::kAcknowledged && acked_call == nullptr) {
        acked_call = c;
      }
    }
    if (first_unknown == nullptr) continue;
    ++report.unknown_keys;
    const BidCall& c = *first_unknown;
    const std::string what = "unknown call (bidder " + c.bidder_id + ", key " + c.idempotency_key +
                             ", auction " + c.auction_id + ")";
    const std::vector<Row> before = rows_for_key(conn, c.bidder_id, c.idempotency_key);
    if (before.size() > 1) {
      bad.add() << what << ": " << before.size() << " rows stored for one key";
      continue;
    }
    const Row* resolved = nullptr;
    std::vector<Row> after;
    if (acked_call != nullptr) {
      if (before.size() != 1) {
        bad.add() << what << ": acknowledged by a retry as " << acked_call->reply.bid_id()
                  << " but " << before.size() << " rows are stored";
        continue;
      }
      ++report.unknown_resolved_by_client;
      resolved = &before.front();
    } else {
      const RetryResult r = retry(stub, c, options_.retry_patience);
      ++report.unknown_retried_by_checker;
      if (!r.status.ok()) {
        bad.add() << what << ": the retry failed: " << test::describe(r.status);
        continue;
      }
      after = rows_for_key(conn, c.bidder_id, c.idempotency_key);
      if (after.size() != 1) {
        bad.add() << what << ": " << after.size() << " rows stored after the retry, not 1";
        continue;
      }
      if (!before.empty() && before.front().id != after.front().id) {
        bad.add() << what << ": the stored row changed from " << before.front().id << " to "
                  << after.front().id;
      }
      if (const std::string diff = reply_vs_row(r.reply, after.front()); !diff.empty()) {
        bad.add() << what << ": the retry's answer differs from the stored row:" << diff;
      }
      resolved = &after.front();
    }
    if (resolved->max_amount != c.max_amount ||
        std::to_string(resolved->auction_id) != c.auction_id) {
      bad.add() << what << ": the stored row has other parameters";
    }
    if (micros(resolved->placed_at) <= c.done_us) {
      ++report.unknown_committed;
      ++report.committed_unknown_messages[status_code_name(c.code) + std::string(": ") + c.message];
      // SPEC section 4: UNAVAILABLE means the command was not applied.
      if (c.message.find("nothing was changed") != std::string::npos ||
          c.message.find("nothing was applied") != std::string::npos ||
          c.message.find("not applied") != std::string::npos) {
        std::ostringstream f;
        f << what << " failed '" << status_code_name(c.code) << ": " << c.message
          << "' but its bid " << resolved->id << " was committed (placed at "
          << micros(resolved->placed_at) << " us, the call ended at " << c.done_us << " us)";
        report.findings.push_back(f.str());
        if (options_.findings_are_violations) bad.add() << f.str();
      }
    } else {
      ++report.unknown_not_committed;
    }
  }

  // 2. Acknowledged calls retried: the same key gives the same reply.
  std::vector<const BidCall*> acked;
  for (const BidCall& c : calls) {
    if (c.outcome() == CallOutcome::kAcknowledged) acked.push_back(&c);
  }
  if (options_.acknowledged_retries > 0 && !acked.empty()) {
    const std::size_t step = std::max<std::size_t>(1, acked.size() / options_.acknowledged_retries);
    for (std::size_t i = 0; i < acked.size(); i += step) {
      const BidCall& c = *acked[i];
      const RetryResult r = retry(stub, c, options_.retry_patience);
      ++report.acknowledged_retried;
      if (!r.status.ok()) {
        bad.add() << "retry of acknowledged key " << c.idempotency_key << " (bidder " << c.bidder_id
                  << "): " << test::describe(r.status);
      } else if (r.reply.SerializeAsString() != c.reply.SerializeAsString()) {
        bad.add() << "retry of acknowledged key " << c.idempotency_key << " (bidder " << c.bidder_id
                  << ") answered {" << r.reply.ShortDebugString() << "}, first {"
                  << c.reply.ShortDebugString() << "}";
      }
    }
  }

  // 3. Per auction: the stored history against the rules.
  std::map<std::int64_t, Row> rows_by_id;
  std::map<std::string, std::int64_t> stored_version;  ///< per auction id
  std::map<std::string, std::map<std::int64_t, std::int64_t>>
      event_price;                                                        ///< auction -> v -> price
  std::map<std::string, std::map<std::int64_t, std::string>> event_type;  ///< auction -> v -> type
  const std::int64_t now = now_us();
  for (const std::string& auction_id : auction_ids) {
    const std::string what = "auction " + auction_id;
    std::optional<Stored> stored;
    try {
      stored = load(conn, to_id(auction_id));
    } catch (const std::exception& e) {
      bad.add() << what << ": cannot load: " << e.what();
      continue;
    }
    if (!stored) {
      bad.add() << what << ": not in the database";
      continue;
    }
    ++report.auctions;
    const AuctionRow& ar = stored->auction;
    if (ar.phase == "ENDED") ++report.ended_auctions;
    stored_version[auction_id] = ar.version;
    report.stored_bids += stored->rows.size();
    for (const Row& r : stored->rows) rows_by_id[r.id] = r;

    std::vector<const Row*> accepted;
    for (const Row& r : stored->rows) {
      if (r.accepted) accepted.push_back(&r);
    }
    std::sort(accepted.begin(), accepted.end(),
              [](const Row* x, const Row* y) { return x->version_after < y->version_after; });
    report.stored_accepted += accepted.size();

    // Replay, collecting the events the rules produce.
    AuctionState s = open_auction(ar.terms);
    std::vector<AuctionEvent> expected{created_event(s, ar.terms.start_time)};
    bool bought = false;
    for (const Row* b : accepted) {
      const TimePoint at = b->placed_at;
      if (s.phase != Phase::kOpen || at >= s.end_time) {
        bad.add() << what << ": bid " << b->id << " accepted at " << micros(b->placed_at)
                  << " us, at or after the end (" << micros(s.end_time) << " us, phase "
                  << persistence::to_string(s.phase) << ")";
      }
      if (at < ar.terms.start_time) {
        bad.add() << what << ": bid " << b->id << " accepted before the start";
      }
      if (b->buy_now) {
        auto r = ::auction::buy_now(s, b->bidder_id, false, at);
        if (!r) {
          bad.add() << what << ": buy-now " << b->id << " is not possible in the replay";
          continue;
        }
        expected.insert(expected.end(), r->begin(), r->end());
        bought = true;
      } else {
        BidDecision d = ::auction::place_bid(s, BidAttempt{b->bidder_id, b->max_amount, false, at});
        if (!d.accepted) {
          bad.add() << what << ": stored accepted bid " << b->id
                    << " is rejected by the replay (reason " << static_cast<int>(d.reason) << ")";
          continue;
        }
        expected.insert(expected.end(), d.events.begin(), d.events.end());
        if (b->leading != d.leading) {
          bad.add() << what << ": bid " << b->id << " stored leading=" << b->leading
                    << ", replay says " << d.leading;
        }
      }
      if (b->price_after != s.current_price || b->version_after != s.version ||
          b->leader_after != s.leader || b->ends_at_after != s.end_time ||
          b->min_next_after != minimum_next_bid(s)) {
        bad.add() << what << ": bid " << b->id << " stored price/version/leader/end/min-next "
                  << b->price_after << "/" << b->version_after << "/" << id_text(b->leader_after)
                  << "/" << micros(b->ends_at_after) << "/" << b->min_next_after << ", replay "
                  << s.current_price << "/" << s.version << "/" << id_text(s.leader) << "/"
                  << micros(s.end_time) << "/" << minimum_next_bid(s);
      }
    }
    if (ar.phase == "ENDED" && !bought) {
      auto ev = close_if_due(s, TimePoint::max());
      expected.insert(expected.end(), ev.begin(), ev.end());
    } else if (ar.phase == "CANCELLED" && ar.ended_at_us) {
      auto r = ::auction::cancel(s, ar.terms.seller_id, true, tp(*ar.ended_at_us));
      if (r) expected.insert(expected.end(), r->begin(), r->end());
    } else if (ar.phase == "OPEN" && now > ar.end_time_us + options_.overdue_grace.count() * 1000) {
      bad.add() << what << ": still OPEN " << (now - ar.end_time_us) / 1000 << " ms after its end";
    }

    // Bids rejected as too late or too early must have been so.
    for (const Row& r : stored->rows) {
      if (r.reject_reason == RejectReason::kAuctionEnded) {
        const std::int64_t end = ar.ended_at_us.value_or(ar.end_time_us);
        if (micros(r.placed_at) < end) {
          bad.add() << what << ": bid " << r.id << " rejected AUCTION_ENDED at "
                    << micros(r.placed_at) << " us, before the end at " << end << " us";
        }
      } else if (r.reject_reason == RejectReason::kAuctionNotStarted &&
                 r.placed_at >= ar.terms.start_time) {
        bad.add() << what << ": bid " << r.id << " rejected AUCTION_NOT_STARTED after the start";
      }
    }

    // The stored events against the replay, version by version.
    for (std::size_t i = 0; i < stored->events.size(); ++i) {
      if (stored->events[i].version != static_cast<std::int64_t>(i) + 1) {
        bad.add() << what << ": event versions are not gap-free: position " << i + 1
                  << " holds version " << stored->events[i].version;
        break;
      }
    }
    if (stored->events.size() != expected.size()) {
      bad.add() << what << ": " << stored->events.size() << " stored events, the replay gives "
                << expected.size();
    }
    if (static_cast<std::int64_t>(stored->events.size()) != ar.version) {
      bad.add() << what << ": version " << ar.version << " but " << stored->events.size()
                << " events";
    }
    for (std::size_t i = 0; i < std::min(stored->events.size(), expected.size()); ++i) {
      const EventRow& got = stored->events[i];
      const AuctionEvent& want = expected[i];
      ++report.events_checked;
      event_price[auction_id][got.version] = got.price;
      event_type[auction_id][got.version] = got.type;
      const bool at_matters = want.type != EventType::kCreated;
      if (got.version != want.version || got.type != persistence::to_string(want.type) ||
          got.price != want.price || got.leader != want.leader || got.bid_count != want.bid_count ||
          got.ends_at_us != micros(want.ends_at) ||
          got.outcome != persistence::to_string(want.outcome) || got.winner != want.winner ||
          (at_matters && got.at_us != micros(want.at))) {
        bad.add() << what << ": event " << i + 1 << " stored {v" << got.version << " " << got.type
                  << " price " << got.price << " leader " << id_text(got.leader) << " bids "
                  << got.bid_count << " ends " << got.ends_at_us << " at " << got.at_us << " "
                  << got.outcome << " winner " << id_text(got.winner) << "}, replay {v"
                  << want.version << " " << persistence::to_string(want.type) << " price "
                  << want.price << " leader " << id_text(want.leader) << " bids " << want.bid_count
                  << " ends " << micros(want.ends_at) << " at " << micros(want.at) << " "
                  << persistence::to_string(want.outcome) << " winner " << id_text(want.winner)
                  << "}";
        break;  // one per auction is enough to see what went wrong
      }
    }

    // The auction row against the replay: winner, price, end.
    if (ar.phase != persistence::to_string(s.phase) ||
        ar.outcome != persistence::to_string(s.outcome) || ar.winner != s.winner ||
        ar.final_price != s.final_price || ar.current_price != s.current_price ||
        ar.leader != s.leader || ar.bid_count != s.bid_count || ar.version != s.version ||
        ar.end_time_us != micros(s.end_time) ||
        ar.ended_at_us != (s.ended_at ? std::optional(micros(*s.ended_at)) : std::nullopt)) {
      bad.add() << what << ": stored {" << ar.phase << " " << ar.outcome << " winner "
                << id_text(ar.winner) << " final " << ar.final_price << " price "
                << ar.current_price << " leader " << id_text(ar.leader) << " bids " << ar.bid_count
                << " v" << ar.version << " end " << ar.end_time_us << " ended_at "
                << id_text(ar.ended_at_us) << "}, replay {" << persistence::to_string(s.phase)
                << " " << persistence::to_string(s.outcome) << " winner " << id_text(s.winner)
                << " final " << s.final_price << " price " << s.current_price << " leader "
                << id_text(s.leader) << " bids " << s.bid_count << " v" << s.version << " end "
                << micros(s.end_time) << " ended_at "
                << (s.ended_at ? std::to_string(micros(*s.ended_at)) : std::string()) << "}";
    }

    // And what the server's API says.
    v1::GetAuctionRequest req;
    req.set_auction_id(auction_id);
    v1::GetAuctionResponse view;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    const grpc::Status st = stub.GetAuction(&ctx, req, &view);
    if (!st.ok()) {
      bad.add() << what << ": GetAuction: " << test::describe(st);
      continue;
    }
    const v1::Auction& va = view.auction();
    if (view.version() != ar.version || va.version() != ar.version ||
        va.current_price() != ar.current_price || va.leading_bidder_id() != id_text(ar.leader) ||
        va.bid_count() != ar.bid_count || to_us(va.end_time()) != ar.end_time_us ||
        va.winner_id() != id_text(ar.winner) || va.final_price() != ar.final_price ||
        va.outcome() != expected_outcome(ar.outcome) ||
        (ar.phase != "OPEN" && va.status() != expected_status(ar.phase)) ||
        (ar.ended_at_us && to_us(va.ended_at()) != *ar.ended_at_us)) {
      bad.add() << what << ": GetAuction {" << va.ShortDebugString() << "} differs from stored {"
                << ar.phase << " " << ar.outcome << " v" << ar.version << " price "
                << ar.current_price << " leader " << id_text(ar.leader) << " winner "
                << id_text(ar.winner) << " final " << ar.final_price << "}";
    }
  }

  // 4. Every acknowledged reply is stored as acknowledged.
  for (const BidCall* c : acked) {
    ++report.acknowledged;
    if (c->reply.accepted()) {
      ++report.acknowledged_accepted;
    } else {
      ++report.acknowledged_rejected;
    }
    const std::string what = "acknowledged bid " + c->reply.bid_id() + " (bidder " + c->bidder_id +
                             ", key " + c->idempotency_key + ", auction " + c->auction_id + ")";
    std::int64_t id = 0;
    try {
      id = to_id(c->reply.bid_id());
    } catch (const std::exception&) {
      bad.add() << what << ": the reply has no bid id";
      continue;
    }
    const auto it = rows_by_id.find(id);
    if (it == rows_by_id.end()) {
      bad.add() << what << ": LOST, no such row in the database";
      continue;
    }
    const Row& row = it->second;
    if (std::to_string(row.auction_id) != c->auction_id ||
        std::to_string(row.bidder_id) != c->bidder_id || row.max_amount != c->max_amount ||
        row.idempotency_key != c->idempotency_key) {
      bad.add() << what << ": stored as auction " << row.auction_id << ", bidder " << row.bidder_id
                << ", max " << row.max_amount << ", key " << row.idempotency_key;
    }
    if (const std::string diff = reply_vs_row(c->reply, row); !diff.empty()) {
      bad.add() << what << ": stored otherwise:" << diff;
    }
  }

  // 5. Definite errors left nothing behind (unless the key was also used by
  // another call that may have stored it).
  for (const BidCall& c : calls) {
    if (c.outcome() != CallOutcome::kDefiniteError) continue;
    ++report.definite_errors;
    if (by_key[{c.bidder_id, c.idempotency_key}].size() != 1) continue;
    if (!rows_for_key(conn, c.bidder_id, c.idempotency_key).empty()) {
      bad.add() << "call with key " << c.idempotency_key << " failed " << status_code_name(c.code)
                << " but a row was stored for it";
    }
  }

  // 6. Watchers saw only committed versions, with the committed prices.
  for (const auto& [who, seen] : watched) {
    const auto& [watcher, auction_id] = who;
    const auto v = stored_version.find(auction_id);
    if (v == stored_version.end()) continue;  // not a checked auction
    if (seen.last > v->second) {
      bad.add() << "watcher '" << watcher << "' of auction " << auction_id << " saw version "
                << seen.last << ", the database has only " << v->second;
    }
    const auto& prices = event_price[auction_id];
    for (const auto& [version, price] : seen.prices) {
      const auto p = prices.find(version);
      if (p != prices.end() && p->second != price) {
        bad.add() << "watcher '" << watcher << "' of auction " << auction_id << " saw price "
                  << price << " at version " << version << ", stored " << p->second;
        break;
      }
    }
    const auto& types = event_type[auction_id];
    for (const auto& [version, type] : seen.types) {
      const auto t = types.find(version);
      if (t == types.end() || t->second != type) {
        bad.add() << "watcher '" << watcher << "' of auction " << auction_id << " saw " << type
                  << " at version " << version << ", stored "
                  << (t == types.end() ? std::string("nothing") : t->second);
        break;
      }
    }
  }
  bad.flush();
  return report;
}

}  // namespace auction::test
