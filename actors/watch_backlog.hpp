#pragma once
/// The queue between an auction and one slow or fast watcher. Bounded: past
/// `limit` pending updates, everything pending is replaced by the newest
/// state, so a watcher that stops reading costs a constant amount of memory
/// and never slows the auction. Not thread-safe (its owner locks).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "actors/watch.hpp"

namespace auction::actors {

class WatchBacklog {
 public:
  explicit WatchBacklog(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}

  void push(const std::vector<WatchUpdatePtr>& updates, const Coalescer& newest);
  void hold(WatchUpdatePtr fallback);
  /// The missed events (versions up to the hold point) go before anything
  /// pushed meanwhile; none = they could not be read: the fallback instead.
  void replay(std::optional<std::vector<WatchUpdatePtr>> missed);
  /// The next update to send; null while held or empty.
  WatchUpdatePtr pop();

  bool held() const { return held_; }
  std::size_t size() const { return queue_.size(); }
  std::uint64_t coalesced() const { return coalesced_; }

 private:
  std::deque<WatchUpdatePtr> queue_;
  std::size_t limit_;
  std::size_t replayed_ = 0;  ///< at the front; not counted against the limit
  bool held_ = false;
  bool overflowed_while_held_ = false;
  WatchUpdatePtr fallback_;
  std::uint64_t coalesced_ = 0;
};

}  // namespace auction::actors
