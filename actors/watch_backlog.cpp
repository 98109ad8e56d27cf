#include "actors/watch_backlog.hpp"

#include <algorithm>
#include <iterator>

namespace auction::actors {

void WatchBacklog::push(const std::vector<WatchUpdatePtr>& updates, const Coalescer& newest,
                        Clock::time_point now) {
  if (live() + updates.size() <= limit_) {
    for (const auto& u : updates) queue_.push_back({u, now});
    // One pending update is sent as it is; from two on, pop() may send
    // the newest state instead, so keep it at hand (built once per change
    // by the actor, shared by every watcher).
    if (max_lag_ > Clock::duration::zero() && live() >= 2) {
      newest_ = newest();
    } else {
      newest_.reset();
    }
    return;
  }
  queue_.clear();
  replayed_ = 0;
  newest_.reset();
  queue_.push_back({newest(), now});
  ++coalesced_;
  if (held_) overflowed_while_held_ = true;
}

void WatchBacklog::push_catch_up(const std::vector<WatchUpdatePtr>& missed, Clock::time_point now) {
  // Behind any earlier exact updates, ahead of everything live.
  auto at = queue_.begin() + static_cast<std::ptrdiff_t>(replayed_);
  for (const auto& u : missed) at = std::next(queue_.insert(at, {u, now}));
  replayed_ += missed.size();
}

void WatchBacklog::hold(WatchUpdatePtr fallback) {
  held_ = true;
  overflowed_while_held_ = false;
  fallback_ = std::move(fallback);
}

void WatchBacklog::replay(std::optional<std::vector<WatchUpdatePtr>> missed,
                          Clock::time_point now) {
  if (!held_) return;
  held_ = false;
  WatchUpdatePtr fallback = std::move(fallback_);
  fallback_.reset();
  // The newest state already replaced everything: the missed events are moot.
  if (overflowed_while_held_) return;
  if (!missed || missed->empty()) {
    if (!missed && fallback) queue_.push_front({std::move(fallback), now});
    return;
  }
  // Live updates pushed since the hold that the replay also covers go.
  const std::int64_t last = missed->back()->version;
  while (!queue_.empty() && queue_.front().update->kind != WatchUpdate::Kind::kHeartbeat &&
         queue_.front().update->version <= last) {
    queue_.pop_front();
  }
  // Newest first, each to the front: the missed events end up in order.
  std::for_each(missed->rbegin(), missed->rend(), [&](const WatchUpdatePtr& update) {
    queue_.push_front({update, now});
  });
  replayed_ = missed->size();
}

WatchUpdatePtr WatchBacklog::pop(Clock::time_point now) {
  if (held_ || queue_.empty()) return nullptr;
  if (replayed_ == 0 && newest_ && live() >= 2 && now - queue_.front().queued_at >= max_lag_) {
    // Behind by more than max_lag: everything pending in one message.
    queue_.clear();
    ++coalesced_;
    return std::move(newest_);
  }
  WatchUpdatePtr next = std::move(queue_.front().update);
  queue_.pop_front();
  if (replayed_ > 0) --replayed_;
  return next;
}

}  // namespace auction::actors
