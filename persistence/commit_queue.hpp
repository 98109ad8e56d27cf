#pragma once
/// Group commit across auctions. Auction actors submit their decided
/// batches; a few writer threads, each with its own connection, take
/// everything queued and commit it as one transaction (multi-row inserts via
/// unnest), then call each submitter back. Callers never block.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "database.hpp"
#include "records.hpp"

namespace auction::persistence {

/// The ids given to the write's bid rows, in order; or why nothing (or
/// possibly something, if in doubt) was committed.
using CommitCallback = std::function<void(Result<std::vector<std::int64_t>>)>;

/// Called after a commit with the users who got notifications in it.
using NotifiedCallback = std::function<void(const std::vector<UserId>&)>;

struct CommitStats {
  std::uint64_t transactions = 0;
  std::uint64_t auctions = 0;
  std::uint64_t bids = 0;
  std::uint64_t failures = 0;
  std::uint64_t commit_micros = 0;  ///< time spent in transactions, summed
};

class CommitQueue {
 public:
  CommitQueue(const Database& db, int writers, std::size_t max_rows_per_transaction = 4096);
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  /// `write.state.version` is the version after the write; `prev_version`
  /// the one the database must hold now (checked at commit).
  void submit(AuctionWrite write, std::int64_t prev_version, CommitCallback done);
  /// Commits what is queued, then stops the writers. Later submits fail.
  void stop();
  CommitStats stats() const;
  /// Who to tell (after each commit) which users got notifications.
  void set_notified_listener(NotifiedCallback listener);

 private:
  struct Item {
    AuctionWrite write;
    std::int64_t prev_version;
    CommitCallback done;
  };
  void writer_loop();
  void commit_batch(Session& session, std::vector<Item>& batch, std::int64_t& next_id,
                    std::int64_t& block_end);
  void record_commit(std::size_t auctions, std::size_t bids,
                     std::chrono::steady_clock::duration took);

  const Database& db_;
  const std::size_t max_rows_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  CommitStats stats_;
  NotifiedCallback on_notified_;
  std::vector<std::thread> writers_;
};

}  // namespace auction::persistence
