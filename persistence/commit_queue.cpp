#include "commit_queue.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "repository.hpp"
#include "row_mapping.hpp"

namespace auction::persistence {
namespace {

/// Builds a PostgreSQL array literal ("{1,2,3}") for one unnest column.
class ArrayLiteral {
 public:
  void add(std::int64_t v) { next() += std::to_string(v); }
  void add(bool v) { next() += v ? 't' : 'f'; }
  void add(const std::string& v) {
    std::string& s = next();
    s += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  std::string str() const { return text_ + "}"; }

 private:
  std::string& next() {
    text_ += text_.size() == 1 ? "" : ",";
    return text_;
  }
  std::string text_ = "{";
};

/// SQLSTATE raised by commit_auction_batch when an auction's stored version
/// is not the one its actor last committed: never expected, since each
/// auction has exactly one actor; the whole batch is refused.
constexpr const char* kVersionConflict = "AU001";

/// Something the batch writes that shows whether it committed, looked up
/// when the connection broke during the statement (atomic: one is enough).
struct Witness {
  enum class Kind { kNone, kBid, kVersion, kEndingSoon } kind = Kind::kNone;
  std::int64_t id = 0;
  std::int64_t version = 0;
};

/// `batch`: the queue's items (each has .write and .prev_version).
template <class Items>
Witness witness_of(const Items& batch, const std::vector<std::vector<std::int64_t>>& ids) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const AuctionWrite& w = batch[i].write;
    if (!ids[i].empty()) return {Witness::Kind::kBid, ids[i].front(), 0};
    if (w.state.version != batch[i].prev_version) {
      return {Witness::Kind::kVersion, w.state.terms.id, w.state.version};
    }
    if (w.ending_soon) return {Witness::Kind::kEndingSoon, w.state.terms.id, 0};
  }
  return {};
}

/// Whether a batch whose statement was cut off committed: asked on a new
/// connection for a little while; nothing when the database cannot say.
std::optional<bool> committed_after_all(Session& session, const Witness& w) {
  constexpr int kAttempts = 4;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(400));
    try {
      pqxx::nontransaction q(session.conn());
      switch (w.kind) {
        case Witness::Kind::kBid:
          return q.exec_prepared1("bid_exists", w.id)[0].as<std::int64_t>() > 0;
        case Witness::Kind::kVersion:
          return q.exec_prepared1("auction_progress", w.id)[0].as<std::int64_t>() >= w.version;
        case Witness::Kind::kEndingSoon:
          return q.exec_prepared1("auction_progress", w.id)[1].as<bool>();
        case Witness::Kind::kNone:
          return false;
      }
    } catch (const std::exception& e) {
      session.reset();
      spdlog::warn("group commit: cannot tell yet whether the cut-off batch committed: {}",
                   e.what());
    }
  }
  return std::nullopt;
}

/// Bid ids come from blocks of the database sequence, so they are unique
/// across writers and restarts without a round trip per bid. The writer's
/// current block lives in `next`/`end`.
struct BidIdBlocks {
  std::int64_t& next_id;
  std::int64_t& block_end;
  std::int64_t next(pqxx::nontransaction& w) {
    if (next_id == block_end) {
      next_id = w.exec_prepared1("next_bid_id_block")[0].as<std::int64_t>() * kBidIdBlockSize;
      block_end = next_id + kBidIdBlockSize;
    }
    return next_id++;
  }
};

/// The bid rows of a batch, one array literal per column.
struct BidColumns {
  ArrayLiteral id;
  ArrayLiteral auction;
  ArrayLiteral bidder;
  ArrayLiteral buy_now;
  ArrayLiteral max_amount;
  ArrayLiteral accepted;
  ArrayLiteral reason;
  ArrayLiteral leading;
  ArrayLiteral price;
  ArrayLiteral leader;
  ArrayLiteral min_next;
  ArrayLiteral ends_at;
  ArrayLiteral version;
  ArrayLiteral placed_at;
  ArrayLiteral key;

  void add(const BidRow& b, std::int64_t bid_id) {
    id.add(bid_id);
    auction.add(b.auction_id);
    bidder.add(b.bidder_id);
    buy_now.add(b.buy_now);
    max_amount.add(b.max_amount);
    accepted.add(b.accepted);
    reason.add(to_string(b.reject_reason));
    leading.add(b.leading);
    price.add(b.price_after);
    leader.add(b.leader_after.value_or(0));
    min_next.add(b.min_next_after);
    ends_at.add(time_to_us(b.ends_at_after));
    version.add(b.version_after);
    placed_at.add(time_to_us(b.placed_at));
    key.add(b.idempotency_key);
  }
};

struct EventColumns {
  ArrayLiteral auction;
  ArrayLiteral version;
  ArrayLiteral type;
  ArrayLiteral at;
  ArrayLiteral price;
  ArrayLiteral leader;
  ArrayLiteral count;
  ArrayLiteral ends;
  ArrayLiteral outcome;
  ArrayLiteral winner;

  void add(AuctionId id, const AuctionEvent& e) {
    auction.add(id);
    version.add(e.version);
    type.add(to_string(e.type));
    at.add(time_to_us(e.at));
    price.add(e.price);
    leader.add(e.leader.value_or(0));
    count.add(e.bid_count);
    ends.add(time_to_us(e.ends_at));
    outcome.add(to_string(e.outcome));
    winner.add(e.winner.value_or(0));
  }
};

/// Auction rows whose state changed, with the version each must hold now.
struct AuctionColumns {
  ArrayLiteral id;
  ArrayLiteral prev;
  ArrayLiteral phase;
  ArrayLiteral end;
  ArrayLiteral leader;
  ArrayLiteral leader_max;
  ArrayLiteral second;
  ArrayLiteral price;
  ArrayLiteral count;
  ArrayLiteral version;
  ArrayLiteral outcome;
  ArrayLiteral winner;
  ArrayLiteral final_price;
  ArrayLiteral ended;

  void add(const AuctionState& s, std::int64_t prev_version) {
    id.add(s.terms.id);
    prev.add(prev_version);
    phase.add(to_string(s.phase));
    end.add(time_to_us(s.end_time));
    leader.add(s.leader.value_or(0));
    leader_max.add(s.leader_max);
    second.add(s.second_max);
    price.add(s.current_price);
    count.add(s.bid_count);
    version.add(s.version);
    outcome.add(to_string(s.outcome));
    winner.add(s.winner.value_or(0));
    final_price.add(s.final_price);
    ended.add(s.ended_at ? time_to_us(*s.ended_at) : 0);
  }
};

struct NoticeColumns {
  ArrayLiteral user;
  ArrayLiteral auction;
  ArrayLiteral type;
  ArrayLiteral version;
  ArrayLiteral amount;
  ArrayLiteral ends;

  void add(AuctionId id, const Notice& n) {
    user.add(n.user);
    auction.add(id);
    type.add(to_string(n.type));
    version.add(n.version);
    amount.add(n.amount);
    ends.add(time_to_us(n.ends_at));
  }
};

/// Everything one group commit writes, as the columns of commit_batch(...).
class BatchColumns {
 public:
  void add(const AuctionWrite& write, std::int64_t prev_version,
           const std::vector<std::int64_t>& bid_ids) {
    const AuctionState& s = write.state;
    for (std::size_t k = 0; k < write.bids.size(); ++k) bids_.add(write.bids[k], bid_ids[k]);
    for (const auto& e : write.events) events_.add(s.terms.id, e);
    for (const auto& n : write.notices) notices_.add(s.terms.id, n);
    if (write.ending_soon) ending_soon_.add(s.terms.id);
    if (s.version != prev_version) auctions_.add(s, prev_version);  // else only rejections
  }

  /// Runs the statement; returns the users who got notifications.
  pqxx::result commit(pqxx::nontransaction& w) const {
    const BidColumns& b = bids_;
    const EventColumns& e = events_;
    const AuctionColumns& a = auctions_;
    const NoticeColumns& n = notices_;
    return w.exec_prepared(
        "commit_batch", b.id.str(), b.auction.str(), b.bidder.str(), b.buy_now.str(),
        b.max_amount.str(), b.accepted.str(), b.reason.str(), b.leading.str(), b.price.str(),
        b.leader.str(), b.min_next.str(), b.ends_at.str(), b.version.str(), b.placed_at.str(),
        b.key.str(), e.auction.str(), e.version.str(), e.type.str(), e.at.str(), e.price.str(),
        e.leader.str(), e.count.str(), e.ends.str(), e.outcome.str(), e.winner.str(), a.id.str(),
        a.prev.str(), a.phase.str(), a.end.str(), a.leader.str(), a.leader_max.str(),
        a.second.str(), a.price.str(), a.count.str(), a.version.str(), a.outcome.str(),
        a.winner.str(), a.final_price.str(), a.ended.str(), n.user.str(), n.auction.str(),
        n.type.str(), n.version.str(), n.amount.str(), n.ends.str(), ending_soon_.str());
  }

 private:
  BidColumns bids_;
  EventColumns events_;
  AuctionColumns auctions_;
  NoticeColumns notices_;
  ArrayLiteral ending_soon_;
};

struct CommitFailure {
  Error error;
  bool refused = false;  ///< rolled back for certain: nothing to find out
};

/// What the exception being handled means for the batch's callers.
CommitFailure failure_of_current_exception(Session& session) {
  try {
    throw;
  } catch (const pqxx::sql_error& e) {
    // Refused as a whole (the statement rolled back): a version guard, a
    // deadlock, a serialization failure, or a key written meanwhile by
    // a killed predecessor's last commit. The actors reload and retry.
    const std::string& state = e.sqlstate();
    if (state == kVersionConflict || state == "40P01" || state == "40001" || state == "23505") {
      spdlog::warn("group commit refused ({}): {}", state, e.what());
      return {unavailable("the auction changed meanwhile; nothing was applied, please retry"),
              true};
    }
    return {database_error_from_current_exception(session, "group commit")};
  } catch (...) {
    return {database_error_from_current_exception(session, "group commit")};
  }
}

}  // namespace

CommitQueue::CommitQueue(const Database& db, int writers, std::size_t max_rows_per_transaction)
    : db_(db), max_rows_(max_rows_per_transaction) {
  for (int i = 0; i < writers; ++i) writers_.emplace_back([this] { writer_loop(); });
}

CommitQueue::~CommitQueue() { stop(); }

void CommitQueue::submit(AuctionWrite write, std::int64_t prev_version, CommitCallback done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(Item{std::move(write), prev_version, std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(unavailable("the server is shutting down"));
}

void CommitQueue::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : writers_) {
    if (t.joinable()) t.join();
  }
}

CommitStats CommitQueue::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void CommitQueue::writer_loop() {
  Session session(db_);
  std::int64_t next_id = 0;
  std::int64_t block_end = 0;
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      std::size_t rows = 0;
      while (!queue_.empty() &&
             (batch.empty() || rows + queue_.front().write.bids.size() <= max_rows_)) {
        rows += queue_.front().write.bids.size() + queue_.front().write.events.size() +
                queue_.front().write.notices.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(session, batch, next_id, block_end);
    batch.clear();
  }
}

void CommitQueue::commit_batch(Session& session, std::vector<Item>& batch, std::int64_t& next_id,
                               std::int64_t& block_end) {
  std::size_t bid_count = 0;
  for (const auto& item : batch) bid_count += item.write.bids.size();
  std::vector<std::vector<std::int64_t>> ids(batch.size());
  std::vector<UserId> notified;
  const auto started = std::chrono::steady_clock::now();
  bool sent = false;  // the statement went out: its outcome may be unknown
  try {
    // One autocommit statement: atomic, and a single round trip.
    pqxx::nontransaction w(session.conn());
    BidIdBlocks blocks{next_id, block_end};
    BatchColumns columns;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      for (std::size_t k = 0; k < batch[i].write.bids.size(); ++k) ids[i].push_back(blocks.next(w));
      columns.add(batch[i].write, batch[i].prev_version, ids[i]);
    }
    sent = true;
    for (const auto& row : columns.commit(w)) notified.push_back(row[0].as<std::int64_t>());
  } catch (...) {
    const auto failure = failure_of_current_exception(session);
    Error error = failure.error;
    bool committed = false;
    if (sent && !failure.refused && error.code == ErrorCode::kUnavailable) {
      // The connection broke while the statement ran: it may have
      // committed. Answer only what is known.
      const auto known = committed_after_all(session, witness_of(batch, ids));
      if (known && *known) {
        spdlog::warn("group commit: the cut-off batch did commit; answering its callers");
        committed = true;
      } else if (known) {
        error = unavailable("the database connection failed; nothing was applied, please retry");
      } else {
        error = unavailable(
            "the database connection failed during the commit and the outcome is unknown; "
            "retry with the same idempotency key");
      }
    }
    if (!committed) {
      {
        std::lock_guard lock(mu_);
        ++stats_.failures;
      }
      for (auto& item : batch) item.done(error);
      return;
    }
  }
  record_commit(batch.size(), bid_count, std::chrono::steady_clock::now() - started);
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(ids[i]));
  if (!notified.empty()) {
    NotifiedCallback listener;
    {
      std::lock_guard lock(mu_);
      listener = on_notified_;
    }
    if (listener) listener(notified);
  }
}

void CommitQueue::record_commit(std::size_t auctions, std::size_t bids,
                                std::chrono::steady_clock::duration took) {
  std::lock_guard lock(mu_);
  ++stats_.transactions;
  stats_.auctions += auctions;
  stats_.bids += bids;
  stats_.commit_micros += static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(took).count());
}

void CommitQueue::set_notified_listener(NotifiedCallback listener) {
  std::lock_guard lock(mu_);
  on_notified_ = std::move(listener);
}

}  // namespace auction::persistence
