#pragma once
/// Where an auction actor's writes and reads go. Interfaces, so that the
/// actor can be run with fakes (tests/actors) and with the real group commit
/// and query pool (engine.cpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "domain/result.hpp"
#include "persistence/records.hpp"

namespace auction::actors {

/// The ids given to a write's bid rows, in order; or why nothing (or, in
/// doubt, possibly something) was committed.
using CommitResult = Result<std::vector<std::int64_t>>;

/// Takes decided batches and commits them, then calls back (on any thread).
class CommitSink {
 public:
  virtual ~CommitSink() = default;
  CommitSink() = default;
  CommitSink(const CommitSink&) = delete;
  CommitSink& operator=(const CommitSink&) = delete;
  CommitSink(CommitSink&&) = delete;
  CommitSink& operator=(CommitSink&&) = delete;

  /// `write.state.version` is the version after the write; `prev_version`
  /// the one the database must hold now.
  virtual void submit(persistence::AuctionWrite write, std::int64_t prev_version,
                      std::function<void(CommitResult)> done) = 0;
};

/// The reads an auction actor needs, answered off the scheduler threads.
class QuerySource {
 public:
  using Loaded = Result<std::optional<persistence::LoadedAuction>>;
  using Events = Result<std::vector<persistence::StoredEvent>>;

  virtual ~QuerySource() = default;
  QuerySource() = default;
  QuerySource(const QuerySource&) = delete;
  QuerySource& operator=(const QuerySource&) = delete;
  QuerySource(QuerySource&&) = delete;
  QuerySource& operator=(QuerySource&&) = delete;

  /// The auction as the database holds it (none: it does not exist). False
  /// when the reader is full or stopping; `done` is then never called.
  [[nodiscard]] virtual bool load_auction(AuctionId id, std::function<void(Loaded)> done) = 0;
  /// The stored events with after < version <= up_to, in order.
  [[nodiscard]] virtual bool events_between(AuctionId id, std::int64_t after, std::int64_t up_to,
                                            std::function<void(Events)> done) = 0;
};

}  // namespace auction::actors
