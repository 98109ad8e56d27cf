#include "actors/engine.hpp"

#include <spdlog/spdlog.h>

#include "actors/mailbox_sync.hpp"
#include "actors/views.hpp"

namespace auction::actors {
namespace {

Error overloaded() { return unavailable("the server is overloaded; retry shortly"); }
Error unknown_auction() { return not_found("no auction with that id"); }
Error key_reused() {
  return Error{ErrorCode::kAlreadyExists,
               "this idempotency_key was already used with different parameters"};
}

}  // namespace

Engine::Engine(caf::actor_system& system, const persistence::Database& db, EngineConfig config)
    : system_(system),
      commits_(db, config.commit_writers),
      queries_(db, config.query_threads),
      context_{
          commits_, queries_, registry_, keys_,
          [] { return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()); }},
      db_(db) {
  context_.ending_soon_lead = config.ending_soon_lead;
  context_.heartbeat = config.heartbeat;
}

Engine::~Engine() { shutdown(); }

TimePoint Engine::now() const { return context_.clock(); }

Result<std::size_t> Engine::recover() {
  persistence::Repository repo(db_);
  auto suspended = repo.suspended_users();
  if (!suspended) return suspended.error();
  {
    std::unique_lock lock(suspended_mu_);
    suspended_.insert(suspended->begin(), suspended->end());
  }
  auto open = repo.load_open_auctions();
  if (!open) return open.error();
  for (auto& loaded : *open) ensure_actor(std::move(loaded));
  return open->size();
}

auction_actor Engine::ensure_actor(persistence::LoadedAuction loaded) {
  std::lock_guard lock(spawn_mu_);
  const AuctionId id = loaded.record.state.terms.id;
  if (auto existing = registry_.find(id)) return *existing;
  auto actor = system_.spawn<AuctionActor>(context_, std::move(loaded));
  registry_.add(id, actor);
  return actor;
}

bool Engine::is_suspended(UserId id) const {
  std::shared_lock lock(suspended_mu_);
  return suspended_.count(id) > 0;
}

void Engine::set_suspended(UserId id, bool suspended) {
  std::unique_lock lock(suspended_mu_);
  if (suspended) {
    suspended_.insert(id);
  } else {
    suspended_.erase(id);
  }
}

void Engine::create_auction(const Caller& seller, NewAuction auction, ReplyPtr<AuctionView> reply) {
  auction.terms.seller_id = seller.id;
  const bool queued = queries_.submit([this, seller_id = seller.id, auction = std::move(auction),
                                       reply](persistence::Repository& repo) {
    auto record = repo.create_auction(seller_id, auction, now());
    if (!record) {
      (*reply)(record.error());
      return;
    }
    AuctionView view{*record, {}};
    ensure_actor(persistence::LoadedAuction{std::move(*record), {}, {}});
    (*reply)(std::move(view));
  });
  if (!queued) (*reply)(overloaded());
}

void Engine::place_bid(AuctionId id, BidCommand cmd) {
  if (cmd.idempotency_key.empty()) {
    route_bid(id, std::move(cmd));
    return;
  }
  const KeyUse use{id, cmd.max_amount, false};
  switch (keys_.claim(cmd.bidder.id, cmd.idempotency_key, use)) {
    case KeyClaim::kConflict:
      (*cmd.reply)(key_reused());
      return;
    case KeyClaim::kSameUse:
      route_bid(id, std::move(cmd));
      return;
    case KeyClaim::kFirstSeen:
      break;
  }
  // First time this process sees the key: it may predate a restart.
  auto task = [this, id, use, cmd](persistence::Repository& repo) mutable {
    auto stored = repo.find_keyed_bid(cmd.bidder.id, cmd.idempotency_key);
    if (!stored) {
      keys_.forget(cmd.bidder.id, cmd.idempotency_key);
      (*cmd.reply)(stored.error());
      return;
    }
    if (*stored) {
      const persistence::BidRow& row = **stored;
      const KeyUse earlier{row.auction_id, row.max_amount, row.buy_now};
      keys_.set(cmd.bidder.id, cmd.idempotency_key, earlier);
      if (!(earlier == use)) {
        (*cmd.reply)(key_reused());
        return;
      }
      // A live auction's actor knows the answer; otherwise it is this row.
      if (!registry_.find(id)) {
        (*cmd.reply)(bid_reply_from_row(row, row.currency));
        return;
      }
    }
    route_bid(id, std::move(cmd));
  };
  if (!queries_.submit(std::move(task))) {
    keys_.forget(cmd.bidder.id, cmd.idempotency_key);
    (*cmd.reply)(overloaded());
  }
}

namespace {

/// For an auction without an actor: on the query pool, loads it and calls
/// `on_stored(record, cmd, repo)`; answers NOT_FOUND, database errors and a
/// full pool itself.
template <class Command, class OnStored>
void with_stored_auction(persistence::QueryPool& pool, AuctionId id, Command cmd,
                         OnStored on_stored) {
  auto reply = cmd.reply;
  const bool queued = pool.submit([id, cmd = std::move(cmd), on_stored = std::move(on_stored)](
                                      persistence::Repository& repo) mutable {
    auto found = repo.get_auction(id);
    if (!found) return (*cmd.reply)(found.error());
    if (!*found) return (*cmd.reply)(unknown_auction());
    on_stored(std::move(**found), cmd, repo);
  });
  if (!queued) (*reply)(overloaded());
}

}  // namespace

void Engine::route_bid(AuctionId id, BidCommand cmd) {
  if (auto actor = registry_.find(id)) {
    send_to(*actor, bid_atom::value, std::move(cmd));
    return;
  }
  with_stored_auction(
      queries_, id, std::move(cmd),
      [this](persistence::AuctionRecord record, BidCommand& bid, persistence::Repository& repo) {
        bid_on_stored(std::move(record), std::move(bid), repo);
      });
}

void Engine::bid_on_stored(persistence::AuctionRecord record, BidCommand cmd,
                           persistence::Repository& repo) {
  const AuctionState& s = record.state;
  const AuctionId id = s.terms.id;
  if (s.phase == Phase::kOpen) {
    // Open but without an actor (it failed to reload earlier): bring it back.
    auto loaded = repo.load_auction(id);
    if (!loaded || !*loaded) {
      (*cmd.reply)(loaded ? unknown_auction() : loaded.error());
      return;
    }
    auto actor = ensure_actor(std::move(**loaded));
    send_to(actor, bid_atom::value, std::move(cmd));
    return;
  }
  // Final: the attempt is rejected, and recorded for audit like any other.
  persistence::BidRow row;
  row.auction_id = id;
  row.bidder_id = cmd.bidder.id;
  row.max_amount = cmd.max_amount;
  row.reject_reason =
      s.phase == Phase::kCancelled ? RejectReason::kAuctionCancelled : RejectReason::kAuctionEnded;
  row.leading = s.leader == cmd.bidder.id;
  row.price_after = s.current_price;
  row.leader_after = s.leader;
  row.min_next_after = minimum_next_bid(s);
  row.ends_at_after = s.end_time;
  row.version_after = s.version;
  row.placed_at = now();
  row.idempotency_key = cmd.idempotency_key;
  auto stored = repo.record_rejected_bid(row);
  if (!stored) {
    (*cmd.reply)(stored.error());
    return;
  }
  (*cmd.reply)(bid_reply_from_row(*stored, s.terms.currency));
}

void Engine::buy_now(AuctionId id, BuyNowCommand cmd) {
  if (!cmd.idempotency_key.empty()) {
    // Any amount: a buy-now is identified by the auction alone.
    const KeyUse use{id, 0, true};
    if (keys_.claim(cmd.buyer.id, cmd.idempotency_key, use) == KeyClaim::kConflict) {
      (*cmd.reply)(key_reused());
      return;
    }
  }
  if (auto actor = registry_.find(id)) {
    send_to(*actor, buy_now_atom::value, std::move(cmd));
    return;
  }
  with_stored_auction(
      queries_, id, std::move(cmd),
      [id](persistence::AuctionRecord record, BuyNowCommand& buy, persistence::Repository& repo) {
        if (!buy.idempotency_key.empty()) {
          // A retry of a purchase that ended the auction: its first answer.
          auto earlier = repo.find_keyed_bid(buy.buyer.id, buy.idempotency_key);
          if (!earlier) return (*buy.reply)(earlier.error());
          if (*earlier && (*earlier)->buy_now && (*earlier)->auction_id == id) {
            auto latest = repo.latest_bid_per_bidder(id);
            if (!latest) return (*buy.reply)(latest.error());
            return (*buy.reply)(
                BuyNowReply{(*earlier)->id, view_from_rows(std::move(record), *latest, 5)});
          }
        }
        const AuctionState& s = record.state;
        if (s.terms.seller_id == buy.buyer.id) {
          return (*buy.reply)(permission_denied("sellers cannot buy their own item"));
        }
        (*buy.reply)(failed_precondition(s.phase == Phase::kCancelled ? "the auction was cancelled"
                                                                      : "the auction has ended"));
      });
}

void Engine::cancel(AuctionId id, CancelCommand cmd) {
  if (auto actor = registry_.find(id)) {
    send_to(*actor, cancel_atom::value, std::move(cmd));
    return;
  }
  with_stored_auction(
      queries_, id, std::move(cmd),
      [](persistence::AuctionRecord record, CancelCommand& cancel, persistence::Repository&) {
        const AuctionState& s = record.state;
        if (!cancel.caller.is_admin && cancel.caller.id != s.terms.seller_id) {
          return (*cancel.reply)(
              permission_denied("only the seller or an admin can cancel this auction"));
        }
        (*cancel.reply)(failed_precondition(s.phase == Phase::kCancelled
                                                ? "the auction is already cancelled"
                                                : "the auction has already ended"));
      });
}

void Engine::get_auction(AuctionId id, GetCommand cmd) {
  if (auto actor = registry_.find(id)) {
    send_to(*actor, get_atom::value, std::move(cmd));
    return;
  }
  with_stored_auction(
      queries_, id, std::move(cmd),
      [id](persistence::AuctionRecord record, GetCommand& get, persistence::Repository& repo) {
        auto latest = repo.latest_bid_per_bidder(id);
        if (!latest) return (*get.reply)(latest.error());
        (*get.reply)(view_from_rows(std::move(record), *latest, get.top_bidders));
      });
}

void Engine::watch(AuctionId id, WatchCommand cmd) {
  if (auto actor = registry_.find(id)) {
    send_to(*actor, watch_atom::value, std::move(cmd));
    return;
  }
  with_stored_auction(queries_, id, std::move(cmd),
                      [this](persistence::AuctionRecord record, WatchCommand& watch,
                             persistence::Repository& repo) {
                        watch_stored(std::move(record), std::move(watch), repo);
                      });
}

void Engine::watch_stored(persistence::AuctionRecord record, WatchCommand cmd,
                          persistence::Repository& repo) {
  const AuctionState& s = record.state;
  if (s.phase == Phase::kOpen) {
    // Open but without an actor (it failed to reload earlier): bring it back.
    auto loaded = repo.load_auction(s.terms.id);
    if (!loaded || !*loaded) {
      (*cmd.reply)(loaded ? unknown_auction() : loaded.error());
      return;
    }
    send_to(ensure_actor(std::move(**loaded)), watch_atom::value, std::move(cmd));
    return;
  }
  (*cmd.reply)(true);
  const std::optional<std::int64_t> from = cmd.from_version;
  if (from && *from >= 1 && *from < s.version && s.version - *from <= context_.max_replay) {
    // A watcher that saw the auction live: exactly what it missed, the end last.
    auto stored = repo.events_between(s.terms.id, *from, s.version);
    if (stored && stored->size() == static_cast<std::size_t>(s.version - *from)) {
      std::vector<WatchUpdatePtr> missed;
      for (auto& e : *stored) {
        missed.push_back(event_update(s.terms, e.event, std::move(e.leader_name),
                                      std::move(e.winner_name), now()));
      }
      cmd.sink->catch_up(missed);
      return;
    }
  }
  auto latest = repo.latest_bid_per_bidder(s.terms.id);
  if (!latest) {
    cmd.sink->fail(latest.error());
    return;
  }
  const std::vector<WatchUpdatePtr> final_state{
      snapshot_update(view_from_rows(std::move(record), *latest, 5), now())};
  const Coalescer same = [&final_state] { return final_state.front(); };
  cmd.sink->push(final_state, same);
}

void Engine::shutdown() {
  if (stopped_.exchange(true)) return;
  commits_.stop();
  queries_.stop();
  for (auto& actor : registry_.all()) stop_actor(actor, caf::exit_reason::user_shutdown);
  system_.await_actors_before_shutdown(false);
  spdlog::info("engine stopped: {} commits, {} bids committed", commits_.stats().transactions,
               commits_.stats().bids);
}

}  // namespace auction::actors
