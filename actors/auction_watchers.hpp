#pragma once
/// The watchers of one auction, as a plain class: live fan-out of committed
/// events, the recent events kept for reconnecting watchers, heartbeats and
/// the final state. The actor owns one and calls it in mailbox order.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "actors/auction_core.hpp"
#include "actors/seams.hpp"
#include "actors/watch.hpp"

namespace auction::actors {

struct WatcherSettings {
  /// A reconnecting watcher further behind than this gets a snapshot.
  std::int64_t max_replay = 1000;
  /// Recent events kept in memory for reconnecting watchers.
  std::size_t recent_events = 32;
};

class AuctionWatchers {
 public:
  AuctionWatchers(QuerySource& queries, WatcherSettings settings)
      : queries_(queries), settings_(settings) {}

  /// Starts a watch: a snapshot, or exactly the events the watcher missed
  /// (from memory, else from the events table), then live updates.
  void add(WatchCommand& cmd, const AuctionCore& auction, TimePoint now);
  /// Newly committed events, in version order.
  void publish(const std::vector<AuctionEvent>& events, const AuctionCore& auction, TimePoint now);
  void heartbeat(const AuctionCore& auction, TimePoint now);
  /// The auction is final: whoever still watches gets its final state.
  void close(const AuctionCore& auction, TimePoint now);
  /// True when a heartbeat timer should be armed now (watchers and none
  /// armed); the caller then arms one and calls heartbeat() when it fires.
  [[nodiscard]] bool wants_heartbeat();
  [[nodiscard]] std::size_t size() const { return watchers_.size(); }

 private:
  void drop_closed();

  QuerySource& queries_;
  WatcherSettings settings_;
  std::vector<std::shared_ptr<WatchSink>> watchers_;
  /// The newest committed events, contiguous up to the committed version.
  std::deque<WatchUpdatePtr> recent_;
  bool heartbeat_armed_ = false;
};

}  // namespace auction::actors
