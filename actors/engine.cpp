#include "actors/engine.hpp"

#include <spdlog/spdlog.h>

#include "actors/mailbox_sync.hpp"
#include "actors/views.hpp"

namespace auction::actors {
namespace {

Error overloaded() { return unavailable("the server is overloaded; retry shortly"); }
Error unknown_auction() { return not_found("no auction with that id"); }

}  // namespace

ActorEngine::ActorEngine(caf::actor_system& system, const persistence::Database& db,
                         EngineConfig config)
    : system_(system),
      commits_(db, config.commit_writers),
      queries_(db, config.query_threads),
      commit_sink_(commits_),
      query_source_(queries_),
      context_{
          commit_sink_, query_source_, registry_, keys_,
          [] { return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()); }},
      db_(db) {
  context_.ending_soon_lead = config.ending_soon_lead;
  context_.heartbeat = config.heartbeat;
}

ActorEngine::~ActorEngine() { shutdown(); }

TimePoint ActorEngine::now() const { return context_.clock(); }

Result<std::size_t> ActorEngine::recover() {
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

auction_actor ActorEngine::ensure_actor(persistence::LoadedAuction loaded) {
  std::lock_guard lock(spawn_mu_);
  const AuctionId id = loaded.record.state.terms.id;
  if (auto existing = registry_.find(id)) return *existing;
  auto actor = system_.spawn<AuctionActor>(context_, std::move(loaded));
  registry_.add(id, actor);
  return actor;
}

bool ActorEngine::is_suspended(UserId id) const {
  std::shared_lock lock(suspended_mu_);
  return suspended_.contains(id);
}

void ActorEngine::set_suspended(UserId id, bool suspended) {
  std::unique_lock lock(suspended_mu_);
  if (suspended) {
    suspended_.insert(id);
  } else {
    suspended_.erase(id);
  }
}

void ActorEngine::create_auction(const Caller& seller, NewAuction auction,
                                 ReplyPtr<AuctionView> reply) {
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

void ActorEngine::place_bid(AuctionId id, BidCommand cmd) {
  if (cmd.idempotency_key.empty()) {
    route_bid(id, std::move(cmd));
    return;
  }
  const KeyUse use{id, cmd.max_amount, false};
  switch (keys_.claim(cmd.bidder.id, cmd.idempotency_key, use)) {
    case KeyClaim::kConflict:
      (*cmd.reply)(idempotency_key_reused());
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
        (*cmd.reply)(idempotency_key_reused());
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

template <class Atom, class Command, class OnFinal>
void ActorEngine::dispatch(AuctionId id, Atom atom, Command cmd, OnFinal on_final) {
  if (auto actor = registry_.find(id)) {
    send_to(*actor, atom, std::move(cmd));
    return;
  }
  auto reply = cmd.reply;
  const bool queued =
      queries_.submit([this, id, atom, cmd = std::move(cmd),
                       on_final = std::move(on_final)](persistence::Repository& repo) mutable {
        auto found = repo.get_auction(id);
        if (!found) return (*cmd.reply)(found.error());
        if (!*found) return (*cmd.reply)(unknown_auction());
        if ((*found)->state.phase != Phase::kOpen) return on_final(std::move(**found), cmd, repo);
        auto loaded = repo.load_auction(id);
        if (!loaded) return (*cmd.reply)(loaded.error());
        if (!*loaded) return (*cmd.reply)(unknown_auction());
        send_to(ensure_actor(std::move(**loaded)), atom, std::move(cmd));
      });
  if (!queued) (*reply)(overloaded());
}

void ActorEngine::route_bid(AuctionId id, BidCommand cmd) {
  dispatch(id, bid_atom::value, std::move(cmd),
           [this](const persistence::AuctionRecord& record, BidCommand& bid,
                  persistence::Repository& repo) { bid_on_final(record, bid, repo); });
}

void ActorEngine::bid_on_final(const persistence::AuctionRecord& record, BidCommand& cmd,
                               persistence::Repository& repo) const {
  AuctionState state = record.state;
  const TimePoint at = now();
  const BidDecision d = auction::place_bid(
      state, BidAttempt{cmd.bidder.id, cmd.max_amount, cmd.bidder.suspended, at});
  persistence::BidRow row =
      attempt_row(state, cmd.bidder, cmd.max_amount, d, at, cmd.idempotency_key);
  // Rejected on a final auction: the leader is still the record's, and so is
  // the name (a retry reads it back from the database).
  row.leader_name_after = record.leader_name;
  auto stored = repo.record_rejected_bid(std::move(row));
  if (!stored) {
    (*cmd.reply)(stored.error());
    return;
  }
  (*cmd.reply)(bid_reply_from_row(*stored, state.terms.currency));
}

namespace {

/// A final auction refuses every purchase and cancellation; the domain's
/// rules say why. (Success would mean it was not final after all.)
Error refusal(const Result<std::vector<AuctionEvent>>& decided) {
  if (!decided) return decided.error();
  return unavailable("the auction changed while this was decided; retry");
}

}  // namespace

void ActorEngine::buy_now(AuctionId id, BuyNowCommand cmd) {
  if (!cmd.idempotency_key.empty()) {
    // Any amount: a buy-now is identified by the auction alone.
    const KeyUse use{id, 0, true};
    if (keys_.claim(cmd.buyer.id, cmd.idempotency_key, use) == KeyClaim::kConflict) {
      (*cmd.reply)(idempotency_key_reused());
      return;
    }
  }
  dispatch(
      id, buy_now_atom::value, std::move(cmd),
      [this, id](persistence::AuctionRecord record, BuyNowCommand& buy,
                 persistence::Repository& repo) {
        if (!buy.idempotency_key.empty()) {
          // A retry of a purchase that ended the auction: its first answer.
          auto earlier = repo.find_keyed_bid(buy.buyer.id, buy.idempotency_key);
          if (!earlier) return (*buy.reply)(earlier.error());
          if (*earlier && (*earlier)->buy_now && (*earlier)->auction_id == id) {
            auto latest = repo.latest_bid_per_bidder(id);
            if (!latest) return (*buy.reply)(latest.error());
            return (*buy.reply)(BuyNowReply{
                (*earlier)->id, view_from_rows(std::move(record), *latest, kDefaultTopBidders)});
          }
        }
        AuctionState state = record.state;
        (*buy.reply)(refusal(auction::buy_now(state, buy.buyer.id, buy.buyer.suspended, now())));
      });
}

void ActorEngine::cancel(AuctionId id, CancelCommand cmd) {
  dispatch(
      id, cancel_atom::value, std::move(cmd),
      [this](persistence::AuctionRecord record, CancelCommand& cancel, persistence::Repository&) {
        AuctionState state = record.state;
        (*cancel.reply)(
            refusal(auction::cancel(state, cancel.caller.id, cancel.caller.is_admin, now())));
      });
}

void ActorEngine::get_auction(AuctionId id, GetCommand cmd) {
  dispatch(id, get_atom::value, std::move(cmd),
           [id](persistence::AuctionRecord record, GetCommand& get, persistence::Repository& repo) {
             auto latest = repo.latest_bid_per_bidder(id);
             if (!latest) return (*get.reply)(latest.error());
             (*get.reply)(view_from_rows(std::move(record), *latest, get.top_bidders));
           });
}

void ActorEngine::watch(AuctionId id, WatchCommand cmd) {
  dispatch(id, watch_atom::value, std::move(cmd),
           [this](persistence::AuctionRecord record, WatchCommand& watch,
                  persistence::Repository& repo) { watch_final(std::move(record), watch, repo); });
}

void ActorEngine::watch_final(persistence::AuctionRecord record, WatchCommand& cmd,
                              persistence::Repository& repo) const {
  const AuctionState& s = record.state;
  (*cmd.reply)(true);
  const std::optional<std::int64_t> from = cmd.from_version;
  if (from && *from >= 1 && *from < s.version &&
      s.version - *from <= context_.watchers.max_replay) {
    // A watcher that saw the auction live: exactly what it missed, the end last.
    auto stored = repo.events_between(s.terms.id, *from, s.version);
    if (stored && stored->size() == static_cast<std::size_t>(s.version - *from)) {
      cmd.sink->catch_up(updates_from_stored(s.terms, std::move(*stored), now()));
      return;
    }
  }
  auto latest = repo.latest_bid_per_bidder(s.terms.id);
  if (!latest) {
    cmd.sink->fail(latest.error());
    return;
  }
  const std::vector<WatchUpdatePtr> final_state{
      snapshot_update(view_from_rows(std::move(record), *latest, kDefaultTopBidders), now())};
  const Coalescer same = [&final_state] { return final_state.front(); };
  cmd.sink->push(final_state, same);
}

void ActorEngine::shutdown() {
  if (stopped_.exchange(true)) return;
  commits_.stop();
  queries_.stop();
  for (auto& actor : registry_.all()) stop_actor(actor, caf::exit_reason::user_shutdown);
  system_.await_actors_before_shutdown(false);
  spdlog::info("engine stopped: {} commits, {} bids committed", commits_.stats().transactions,
               commits_.stats().bids);
}

}  // namespace auction::actors
