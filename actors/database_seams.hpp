#pragma once
/// The seams of an auction actor (seams.hpp) over the real group commit and
/// query pool.
#include "actors/seams.hpp"
#include "persistence/commit_queue.hpp"
#include "persistence/query_pool.hpp"

namespace auction::actors {

class CommitQueueSink final : public CommitSink {
 public:
  explicit CommitQueueSink(persistence::CommitQueue& queue) : queue_(queue) {}
  void submit(persistence::AuctionWrite write, std::int64_t prev_version,
              std::function<void(CommitResult)> done) override {
    queue_.submit(std::move(write), prev_version, std::move(done));
  }

 private:
  persistence::CommitQueue& queue_;
};

class QueryPoolSource final : public QuerySource {
 public:
  explicit QueryPoolSource(persistence::QueryPool& pool) : pool_(pool) {}
  [[nodiscard]] bool load_auction(AuctionId id, std::function<void(Loaded)> done) override {
    return pool_.submit([id, done = std::move(done)](persistence::Repository& repo) {
      done(repo.load_auction(id));
    });
  }
  [[nodiscard]] bool events_between(AuctionId id, std::int64_t after, std::int64_t up_to,
                                    std::function<void(Events)> done) override {
    return pool_.submit([id, after, up_to, done = std::move(done)](persistence::Repository& repo) {
      done(repo.events_between(id, after, up_to));
    });
  }

 private:
  persistence::QueryPool& pool_;
};

}  // namespace auction::actors
