#include "actors/auction_watchers.hpp"

#include <algorithm>

namespace auction::actors {

void AuctionWatchers::drop_closed() {
  std::erase_if(watchers_, [](const std::shared_ptr<WatchSink>& w) { return w->closed(); });
}

void AuctionWatchers::add(WatchCommand& cmd, const AuctionCore& auction, TimePoint now) {
  (*cmd.reply)(true);
  const AuctionState& state = auction.record().state;
  const std::int64_t version = state.version;
  const bool final = auction.is_final();
  WatchUpdatePtr newest;
  const Coalescer snapshot = [&] {
    if (!newest) newest = snapshot_update(auction.view(kDefaultTopBidders), now);
    return newest;
  };
  const std::optional<std::int64_t> from = cmd.from_version;
  if (!from || *from < 1 || *from >= version || version - *from > settings_.max_replay) {
    // Up to date and still open: only live updates follow.
    if (!(from && *from == version && !final)) cmd.sink->push({snapshot()}, snapshot);
  } else if (!recent_.empty() && recent_.front()->version <= *from + 1) {
    std::vector<WatchUpdatePtr> missed;
    for (const auto& u : recent_) {
      if (u->version > *from) missed.push_back(u);
    }
    cmd.sink->catch_up(missed);
  } else {
    // Older than memory: from the events table, before anything live.
    cmd.sink->hold_for_replay(snapshot());
    auto sink = cmd.sink;
    const bool queued = queries_.events_between(
        state.terms.id, *from, version,
        [sink, terms = state.terms, expected = version - *from, now](QuerySource::Events stored) {
          if (!stored || stored->size() != static_cast<std::size_t>(expected)) {
            sink->replay(std::nullopt);
            return;
          }
          sink->replay(updates_from_stored(terms, std::move(*stored), now));
        });
    if (!queued) cmd.sink->replay(std::nullopt);
  }
  if (!final) watchers_.push_back(std::move(cmd.sink));
}

void AuctionWatchers::publish(const std::vector<AuctionEvent>& events, const AuctionCore& auction,
                              TimePoint now) {
  if (events.empty()) return;
  drop_closed();
  if (watchers_.empty()) {
    recent_.clear();  // kept only while contiguous
    return;
  }
  const AuctionTerms& terms = auction.record().state.terms;
  std::vector<WatchUpdatePtr> updates;
  updates.reserve(events.size());
  for (const auto& e : events) {
    updates.push_back(
        event_update(terms, e, auction.name_of(e.leader), auction.name_of(e.winner), now));
    recent_.push_back(updates.back());
  }
  while (recent_.size() > settings_.recent_events) recent_.pop_front();
  // An overflowing watcher gets the newest state; the end itself is never
  // coalesced away, since it carries the outcome.
  WatchUpdatePtr newest;
  const Coalescer coalesce = [&] {
    if (!newest) {
      newest = updates.back()->final ? updates.back()
                                     : snapshot_update(auction.view(kDefaultTopBidders), now);
    }
    return newest;
  };
  for (auto& w : watchers_) w->push(updates, coalesce);
  if (auction.is_final()) watchers_.clear();
}

bool AuctionWatchers::wants_heartbeat() {
  if (heartbeat_armed_ || watchers_.empty()) return false;
  heartbeat_armed_ = true;
  return true;
}

void AuctionWatchers::heartbeat(const AuctionCore& auction, TimePoint now) {
  heartbeat_armed_ = false;
  drop_closed();
  if (watchers_.empty()) return;
  const std::vector<WatchUpdatePtr> beat{heartbeat_update(auction.record().state, now)};
  WatchUpdatePtr newest;
  const Coalescer snapshot = [&] {
    if (!newest) newest = snapshot_update(auction.view(kDefaultTopBidders), now);
    return newest;
  };
  for (auto& w : watchers_) w->push(beat, snapshot);
}

void AuctionWatchers::close(const AuctionCore& auction, TimePoint now) {
  drop_closed();
  if (watchers_.empty()) return;
  const std::vector<WatchUpdatePtr> last{snapshot_update(auction.view(kDefaultTopBidders), now)};
  const Coalescer same = [&last] { return last.front(); };
  for (auto& w : watchers_) w->push(last, same);
  watchers_.clear();
}

}  // namespace auction::actors
