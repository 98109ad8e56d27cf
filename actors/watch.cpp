#include "actors/watch.hpp"

namespace auction::actors {

WatchUpdatePtr event_update(const AuctionTerms& terms, const AuctionEvent& event,
                            std::string leader_name, std::string winner_name, TimePoint now) {
  auto u = std::make_shared<WatchUpdate>();
  u->kind = WatchUpdate::Kind::kEvent;
  u->auction_id = terms.id;
  u->version = event.version;
  u->server_time = now;
  u->event = event.type;
  u->current_price = event.price;
  u->leader = event.leader;
  u->leader_name = std::move(leader_name);
  u->bid_count = event.bid_count;
  AuctionState after;
  after.terms = terms;
  after.current_price = event.price;
  after.leader = event.leader;
  u->minimum_next_bid = minimum_next_bid(after);
  u->ends_at = event.ends_at;
  u->currency = terms.currency;
  u->outcome = event.outcome;
  u->winner = event.winner;
  u->winner_name = std::move(winner_name);
  u->final_price =
      event.type == EventType::kEnded && event.outcome == Outcome::kSold ? event.price : 0;
  u->final = event.type == EventType::kEnded || event.type == EventType::kCancelled;
  return u;
}

std::vector<WatchUpdatePtr> updates_from_stored(const AuctionTerms& terms,
                                                std::vector<persistence::StoredEvent> stored,
                                                TimePoint now) {
  std::vector<WatchUpdatePtr> updates;
  updates.reserve(stored.size());
  for (auto& e : stored) {
    updates.push_back(
        event_update(terms, e.event, std::move(e.leader_name), std::move(e.winner_name), now));
  }
  return updates;
}

WatchUpdatePtr snapshot_update(AuctionView view, TimePoint now) {
  auto u = std::make_shared<WatchUpdate>();
  const AuctionState& s = view.record.state;
  u->kind = WatchUpdate::Kind::kSnapshot;
  u->auction_id = s.terms.id;
  u->version = s.version;
  u->server_time = now;
  u->current_price = s.current_price;
  u->leader = s.leader;
  u->leader_name = view.record.leader_name;
  u->bid_count = s.bid_count;
  u->minimum_next_bid = minimum_next_bid(s);
  u->ends_at = bidding_end(s);
  u->currency = s.terms.currency;
  u->outcome = s.outcome;
  u->winner = s.winner;
  if (s.winner && s.winner == s.leader) u->winner_name = view.record.leader_name;
  u->final_price = s.final_price;
  u->final = s.phase != Phase::kOpen;
  u->snapshot = std::make_shared<const AuctionView>(std::move(view));
  return u;
}

WatchUpdatePtr heartbeat_update(const AuctionState& committed, TimePoint now) {
  auto u = std::make_shared<WatchUpdate>();
  u->kind = WatchUpdate::Kind::kHeartbeat;
  u->auction_id = committed.terms.id;
  u->version = committed.version;
  u->server_time = now;
  u->ends_at = bidding_end(committed);
  u->currency = committed.terms.currency;
  return u;
}

}  // namespace auction::actors
