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
    // Ids come from blocks of the database sequence, so they are unique
    // across writers and restarts without a round trip per bid.
    for (std::size_t i = 0; i < batch.size(); ++i) {
      for (std::size_t k = 0; k < batch[i].write.bids.size(); ++k) {
        if (next_id == block_end) {
          next_id = w.exec_prepared1("next_bid_id_block")[0].as<std::int64_t>() * kBidIdBlockSize;
          block_end = next_id + kBidIdBlockSize;
        }
        ids[i].push_back(next_id++);
      }
    }
    ArrayLiteral id, auction, bidder, buy_now, max_amount, accepted, reason, leading, price, leader,
        min_next, ends_at, version, placed_at, key;
    ArrayLiteral e_auction, e_version, e_type, e_at, e_price, e_leader, e_count, e_ends, e_outcome,
        e_winner;
    ArrayLiteral a_id, a_prev, a_phase, a_end, a_leader, a_leader_max, a_second, a_price, a_count,
        a_version, a_outcome, a_winner, a_final, a_ended;
    ArrayLiteral n_user, n_auction, n_type, n_version, n_amount, n_ends, es_auction;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const AuctionWrite& write = batch[i].write;
      for (std::size_t k = 0; k < write.bids.size(); ++k) {
        const BidRow& b = write.bids[k];
        id.add(ids[i][k]);
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
      const AuctionState& s = write.state;
      for (const auto& e : write.events) {
        e_auction.add(s.terms.id);
        e_version.add(e.version);
        e_type.add(to_string(e.type));
        e_at.add(time_to_us(e.at));
        e_price.add(e.price);
        e_leader.add(e.leader.value_or(0));
        e_count.add(e.bid_count);
        e_ends.add(time_to_us(e.ends_at));
        e_outcome.add(to_string(e.outcome));
        e_winner.add(e.winner.value_or(0));
      }
      for (const auto& n : write.notices) {
        n_user.add(n.user);
        n_auction.add(s.terms.id);
        n_type.add(to_string(n.type));
        n_version.add(n.version);
        n_amount.add(n.amount);
        n_ends.add(time_to_us(n.ends_at));
      }
      if (write.ending_soon) es_auction.add(s.terms.id);
      if (s.version == batch[i].prev_version) continue;  // only rejections: state unchanged
      a_id.add(s.terms.id);
      a_prev.add(batch[i].prev_version);
      a_phase.add(to_string(s.phase));
      a_end.add(time_to_us(s.end_time));
      a_leader.add(s.leader.value_or(0));
      a_leader_max.add(s.leader_max);
      a_second.add(s.second_max);
      a_price.add(s.current_price);
      a_count.add(s.bid_count);
      a_version.add(s.version);
      a_outcome.add(to_string(s.outcome));
      a_winner.add(s.winner.value_or(0));
      a_final.add(s.final_price);
      a_ended.add(s.ended_at ? time_to_us(*s.ended_at) : 0);
    }
    sent = true;
    auto notified_rows = w.exec_prepared(
        "commit_batch", id.str(), auction.str(), bidder.str(), buy_now.str(), max_amount.str(),
        accepted.str(), reason.str(), leading.str(), price.str(), leader.str(), min_next.str(),
        ends_at.str(), version.str(), placed_at.str(), key.str(), e_auction.str(), e_version.str(),
        e_type.str(), e_at.str(), e_price.str(), e_leader.str(), e_count.str(), e_ends.str(),
        e_outcome.str(), e_winner.str(), a_id.str(), a_prev.str(), a_phase.str(), a_end.str(),
        a_leader.str(), a_leader_max.str(), a_second.str(), a_price.str(), a_count.str(),
        a_version.str(), a_outcome.str(), a_winner.str(), a_final.str(), a_ended.str(),
        n_user.str(), n_auction.str(), n_type.str(), n_version.str(), n_amount.str(), n_ends.str(),
        es_auction.str());
    for (const auto& row : notified_rows) notified.push_back(row[0].as<std::int64_t>());
  } catch (...) {
    bool refused = false;  // rolled back for certain: nothing to find out
    Error error = [&] {
      try {
        throw;
      } catch (const pqxx::sql_error& e) {
        // Refused as a whole (the statement rolled back): a version guard, a
        // deadlock, a serialization failure, or a key written meanwhile by
        // a killed predecessor's last commit. The actors reload and retry.
        const std::string& state = e.sqlstate();
        if (state == kVersionConflict || state == "40P01" || state == "40001" || state == "23505") {
          spdlog::warn("group commit refused ({}): {}", state, e.what());
          refused = true;
          return unavailable("the auction changed meanwhile; nothing was applied, please retry");
        }
        return database_error_from_current_exception(session, "group commit");
      } catch (...) {
        return database_error_from_current_exception(session, "group commit");
      }
    }();
    bool committed = false;
    if (sent && !refused && error.code == ErrorCode::kUnavailable) {
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
  {
    std::lock_guard lock(mu_);
    ++stats_.transactions;
    stats_.auctions += batch.size();
    stats_.bids += bid_count;
    stats_.commit_micros +=
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count());
  }
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

void CommitQueue::set_notified_listener(NotifiedCallback listener) {
  std::lock_guard lock(mu_);
  on_notified_ = std::move(listener);
}

}  // namespace auction::persistence
