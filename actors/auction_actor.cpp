#include "actors/auction_actor.hpp"

#include "actors/mailbox_sync.hpp"

namespace auction::actors {
namespace {

/// How long from now until `at`; never negative.
Duration delay_until(TimePoint at, TimePoint now) { return std::max(at - now, Duration{0}); }

}  // namespace

AuctionActor::AuctionActor(caf::actor_config& cfg, ActorContext& ctx,
                           persistence::LoadedAuction loaded)
    : auction_actor::base(cfg),
      ctx_(ctx),
      core_(std::move(loaded), ctx.ending_soon_lead),
      watchers_(ctx.queries, ctx.watchers) {
  tsan_release(this);  // the constructor runs on the spawning thread
}

// CAF destroys an actor on whichever thread drops the last reference.
AuctionActor::~AuctionActor() { tsan_acquire(this); }

AuctionActor::behavior_type AuctionActor::make_behavior() {
  HandlerScope start_scope(this);
  // Shutdown's exit message goes through a handler of ours too, so that the
  // mailbox hand-off is annotated before CAF tears the behaviour down.
  set_exit_handler([this](caf::exit_msg& msg) {
    tsan_behavior_entry();
    HandlerScope scope(this);
    quit(msg.reason);
  });
  // A restarted server finds overdue auctions here: they end at once.
  core_.start(ctx_.clock());
  apply(core_.take_effects());
  // Every handler: TSan's view of the mailbox first, then the core in
  // mailbox order with the time of handling, then what it asked for.
  auto on = [this](auto&& step) {
    HandlerScope scope(this);
    step(ctx_.clock());
    apply(core_.take_effects());
  };
  behavior_type behavior{
      [this, on](bid_atom, BidCommand& cmd) {
        tsan_behavior_entry();
        on([&](TimePoint now) { core_.bid(cmd, now); });
      },
      [this, on](buy_now_atom, BuyNowCommand& cmd) {
        tsan_behavior_entry();
        on([&](TimePoint now) { core_.buy_now(cmd, now); });
      },
      [this, on](cancel_atom, CancelCommand& cmd) {
        tsan_behavior_entry();
        on([&](TimePoint now) { core_.cancel(cmd, now); });
      },
      [this, on](get_atom, GetCommand& cmd) {
        tsan_behavior_entry();
        on([&](TimePoint now) { core_.get(cmd, now); });
      },
      [this, on](commit_atom, CommitOutcome& outcome) {
        tsan_behavior_entry();
        on([&](TimePoint) { core_.committed(outcome.batch, outcome.ids); });
      },
      [this, on](reload_atom, ReloadOutcome& outcome) {
        tsan_behavior_entry();
        on([&](TimePoint now) { core_.reloaded(std::move(outcome.loaded), now); });
      },
      [this, on](retry_atom) {
        tsan_behavior_entry();
        on([&](TimePoint) { core_.retry_reload(); });
      },
      [this, on](end_timer_atom, std::uint64_t generation) {
        tsan_behavior_entry();
        on([&](TimePoint now) { core_.end_timer_fired(generation, now); });
      },
      [this, on](ending_soon_atom, std::uint64_t generation) {
        tsan_behavior_entry();
        on([&](TimePoint now) { core_.ending_soon_fired(generation, now); });
      },
      [this, on](watch_atom, WatchCommand& cmd) {
        tsan_behavior_entry();
        on([&](TimePoint now) {
          watchers_.add(cmd, core_, now);
          arm_heartbeat();
        });
      },
      [this, on](heartbeat_atom) {
        tsan_behavior_entry();
        on([&](TimePoint now) {
          watchers_.heartbeat(core_, now);
          arm_heartbeat();
        });
      },
      [this](retire_atom) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        // Never quit with a commit in flight: its callers would lose the answer.
        if (core_.idle()) {
          quit();
        } else {
          delayed_send(this, ctx_.retire_grace, retire_atom::value);
        }
      },
  };
  tsan_behavior_published();
  return behavior;
}

void AuctionActor::apply(Effects effects) {
  const TimePoint now = ctx_.clock();
  watchers_.publish(effects.published, core_, now);
  if (effects.commit) {
    auto self = caf::actor_cast<auction_actor>(this);
    ctx_.commits.submit(std::move(effects.commit->write), effects.commit->prev_version,
                        [self, batch = effects.commit->batch](CommitResult ids) {
                          send_to(self, commit_atom::value, CommitOutcome{batch, std::move(ids)});
                        });
  }
  if (effects.end_timer) {
    delayed_send(this, delay_until(effects.end_timer->at, now), end_timer_atom::value,
                 effects.end_timer->generation);
  }
  if (effects.ending_soon_timer) {
    delayed_send(this, delay_until(effects.ending_soon_timer->at, now), ending_soon_atom::value,
                 effects.ending_soon_timer->generation);
  }
  if (effects.reload) {
    auto self = caf::actor_cast<auction_actor>(this);
    const bool queued =
        ctx_.queries.load_auction(core_.record().state.terms.id, [self](QuerySource::Loaded r) {
          send_to(self, reload_atom::value, ReloadOutcome{std::move(r)});
        });
    // A full reader is a failed reload: the core asks again after a pause.
    if (!queued) {
      send_to(self, reload_atom::value, ReloadOutcome{unavailable("the database reader is busy")});
    }
  }
  if (effects.retry_reload_later) delayed_send(this, ctx_.reload_retry, retry_atom::value);
  if (effects.retire) retire();
}

void AuctionActor::arm_heartbeat() {
  if (watchers_.wants_heartbeat()) delayed_send(this, ctx_.heartbeat, heartbeat_atom::value);
}

void AuctionActor::retire() {
  ctx_.registry.remove(core_.record().state.terms.id, address());
  // Watchers still here (the end came through a reload) get the final state.
  watchers_.close(core_, ctx_.clock());
  for (const auto& [bidder, key] : core_.idempotency_keys()) ctx_.keys.forget(bidder, key);
  // Keep answering for a moment: commands already routed here still get a
  // proper answer (AUCTION_ENDED, recorded) instead of a dropped message.
  delayed_send(this, ctx_.retire_grace, retire_atom::value);
}

}  // namespace auction::actors
