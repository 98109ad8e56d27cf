#pragma once
/// The queue between an auction and one slow or fast watcher. Bounded: past
/// `limit` pending updates, everything pending is replaced by the newest
/// state, so a watcher that stops reading costs a constant amount of memory
/// and never slows the auction. With a `max_lag`, a watcher that is merely
/// behind (its oldest pending update waited that long) also gets the newest
/// state in one message instead of the stale events one by one: that keeps
/// delivery latency bounded when there are more watchers than the machine
/// can send every event to. Not thread-safe (its owner locks).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "actors/watch.hpp"

namespace auction::actors {

class WatchBacklog {
 public:
  using Clock = std::chrono::steady_clock;

  /// max_lag zero: coalesce only past the limit.
  explicit WatchBacklog(std::size_t limit, Clock::duration max_lag = Clock::duration::zero())
      : limit_(limit == 0 ? 1 : limit), max_lag_(max_lag) {}

  void push(const std::vector<WatchUpdatePtr>& updates, const Coalescer& newest,
            Clock::time_point now = Clock::now());
  /// Events a new watcher missed, sent exactly (never coalesced by age)
  /// ahead of everything live.
  void push_catch_up(const std::vector<WatchUpdatePtr>& missed,
                     Clock::time_point now = Clock::now());
  void hold(WatchUpdatePtr fallback);
  /// The missed events (versions up to the hold point) go before anything
  /// pushed meanwhile; none = they could not be read: the fallback instead.
  void replay(std::optional<std::vector<WatchUpdatePtr>> missed,
              Clock::time_point now = Clock::now());
  /// The next update to send; null while held or empty.
  WatchUpdatePtr pop(Clock::time_point now = Clock::now());

  bool held() const { return held_; }
  std::size_t size() const { return queue_.size(); }
  std::uint64_t coalesced() const { return coalesced_; }

 private:
  struct Pending {
    WatchUpdatePtr update;
    Clock::time_point queued_at;
  };
  std::size_t live() const { return queue_.size() - replayed_; }

  std::deque<Pending> queue_;
  std::size_t limit_;
  Clock::duration max_lag_;
  std::size_t replayed_ = 0;  ///< at the front; exact, and not counted against the limit
  bool held_ = false;
  bool overflowed_while_held_ = false;
  WatchUpdatePtr fallback_;
  /// The newest state, covering the last update pushed; kept while two or
  /// more live updates wait, for coalescing by age.
  WatchUpdatePtr newest_;
  std::uint64_t coalesced_ = 0;
};

}  // namespace auction::actors
