#include "actors/watch_backlog.hpp"

namespace auction::actors {

void WatchBacklog::push(const std::vector<WatchUpdatePtr>& updates, const Coalescer& newest) {
  if (queue_.size() - replayed_ + updates.size() <= limit_) {
    queue_.insert(queue_.end(), updates.begin(), updates.end());
    return;
  }
  queue_.clear();
  replayed_ = 0;
  queue_.push_back(newest());
  ++coalesced_;
  if (held_) overflowed_while_held_ = true;
}

void WatchBacklog::hold(WatchUpdatePtr fallback) {
  held_ = true;
  overflowed_while_held_ = false;
  fallback_ = std::move(fallback);
}

void WatchBacklog::replay(std::optional<std::vector<WatchUpdatePtr>> missed) {
  if (!held_) return;
  held_ = false;
  WatchUpdatePtr fallback = std::move(fallback_);
  fallback_.reset();
  // The newest state already replaced everything: the missed events are moot.
  if (overflowed_while_held_) return;
  if (!missed || missed->empty()) {
    if (!missed && fallback) queue_.push_front(std::move(fallback));
    return;
  }
  // Live updates pushed since the hold that the replay also covers go.
  const std::int64_t last = missed->back()->version;
  while (!queue_.empty() && queue_.front()->kind != WatchUpdate::Kind::kHeartbeat &&
         queue_.front()->version <= last) {
    queue_.pop_front();
  }
  queue_.insert(queue_.begin(), missed->begin(), missed->end());
  replayed_ = missed->size();
}

WatchUpdatePtr WatchBacklog::pop() {
  if (held_ || queue_.empty()) return nullptr;
  WatchUpdatePtr next = std::move(queue_.front());
  queue_.pop_front();
  if (replayed_ > 0) --replayed_;
  return next;
}

}  // namespace auction::actors
