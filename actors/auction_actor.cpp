#include "actors/auction_actor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/mailbox_sync.hpp"
#include "actors/views.hpp"
#include "domain/notifications.hpp"

namespace auction::actors {
namespace {

Error db_down() {
  return unavailable("the auction is recovering from a database error; nothing was applied, retry");
}

Error too_late() {
  return Error{ErrorCode::kDeadlineExceeded,
               "the call's deadline passed before the auction reached it; nothing was applied"};
}

Error key_reused() {
  return Error{ErrorCode::kAlreadyExists,
               "this idempotency_key was already used with different parameters"};
}

bool is_final(const AuctionState& s) { return s.phase != Phase::kOpen; }

void drop_closed(std::vector<std::shared_ptr<WatchSink>>& watchers) {
  std::erase_if(watchers, [](const std::shared_ptr<WatchSink>& w) { return w->closed(); });
}

}  // namespace

AuctionActor::AuctionActor(caf::actor_config& cfg, ActorContext& ctx,
                           persistence::LoadedAuction loaded)
    : auction_actor::base(cfg), ctx_(ctx) {
  load(std::move(loaded));
  tsan_release(this);  // the constructor runs on the spawning thread
}

// CAF destroys an actor on whichever thread drops the last reference.
AuctionActor::~AuctionActor() { tsan_acquire(this); }

std::string AuctionActor::key_of(UserId bidder, const std::string& key) {
  return std::to_string(bidder) + ":" + key;
}

void AuctionActor::load(persistence::LoadedAuction loaded) {
  info_ = std::move(loaded.record);
  working_ = info_.state;
  top_ = TopBidders{};
  bidders_.clear();
  for (const auto& b : loaded.latest_bid_per_bidder) {
    top_.record(b.bidder_id, b.bidder_name, b.price_after, b.placed_at);
    bidders_.insert(b.bidder_id);
  }
  ending_soon_sent_ = info_.ending_soon_sent;
  recent_.clear();
  keyed_.clear();
  for (const auto& b : loaded.keyed_bids) {
    KeyedAnswer& k = keyed_[key_of(b.bidder_id, b.idempotency_key)];
    k.bidder = b.bidder_id;
    k.key = b.idempotency_key;
    k.max_amount = b.max_amount;
    k.buy_now = b.buy_now;
    k.answer = bid_reply_from_row(b, info_.state.terms.currency);
  }
}

AuctionActor::behavior_type AuctionActor::make_behavior() {
  HandlerScope start_scope(this);
  // Shutdown's exit message goes through a handler of ours too, so that the
  // mailbox hand-off is annotated before CAF tears the behaviour down.
  set_exit_handler([this](caf::exit_msg& msg) {
    tsan_behavior_entry();
    HandlerScope scope(this);
    quit(msg.reason);
  });
  // A restarted server finds overdue auctions here: end them at once (with
  // their scheduled end time), else wait for the end.
  close_if_due(ctx_.clock());
  flush_if_idle();
  arm_end_timer();
  arm_ending_soon_timer();
  behavior_type behavior{
      [this](bid_atom, BidCommand& cmd) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_bid(cmd);
      },
      [this](buy_now_atom, BuyNowCommand& cmd) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_buy_now(cmd);
      },
      [this](cancel_atom, CancelCommand& cmd) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_cancel(cmd);
      },
      [this](get_atom, GetCommand& cmd) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_get(cmd);
      },
      [this](commit_atom, CommitOutcome& outcome) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_commit(outcome);
      },
      [this](reload_atom, ReloadOutcome& outcome) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_reload(outcome);
      },
      [this](retry_atom) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        request_reload();
      },
      [this](end_timer_atom, std::uint64_t generation) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_end_timer(generation);
      },
      [this](watch_atom, WatchCommand& cmd) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_watch(cmd);
      },
      [this](heartbeat_atom) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_heartbeat();
      },
      [this](ending_soon_atom, std::uint64_t generation) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        on_ending_soon(generation);
      },
      [this](retire_atom) {
        tsan_behavior_entry();
        HandlerScope scope(this);
        // Never quit with a commit in flight: its callers would lose the answer.
        if (inflight_ || !next_.empty()) {
          delayed_send(this, ctx_.retire_grace, retire_atom::value);
        } else {
          quit();
        }
      },
  };
  tsan_behavior_published();
  return behavior;
}

persistence::BidRow AuctionActor::row_for(const Caller& who, Money max_amount, const BidDecision& d,
                                          TimePoint now, const std::string& key) const {
  persistence::BidRow row;
  row.auction_id = info_.state.terms.id;
  row.bidder_id = who.id;
  row.bidder_name = who.display_name;
  row.max_amount = max_amount;
  row.accepted = d.accepted;
  row.reject_reason = d.reason;
  row.leading = d.leading;
  row.price_after = working_.current_price;
  row.leader_after = working_.leader;
  row.min_next_after = minimum_next_bid(working_);
  row.ends_at_after = working_.end_time;
  row.version_after = working_.version;
  row.placed_at = now;
  row.idempotency_key = key;
  return row;
}

void AuctionActor::on_bid(BidCommand& cmd) {
  if (ctx_.clock() > cmd.deadline) {
    (*cmd.reply)(too_late());
    return;
  }
  if (stale_) {
    (*cmd.reply)(db_down());
    request_reload();
    return;
  }
  std::string key;
  if (!cmd.idempotency_key.empty()) {
    key = key_of(cmd.bidder.id, cmd.idempotency_key);
    if (auto it = keyed_.find(key); it != keyed_.end()) {
      KeyedAnswer& k = it->second;
      if (k.buy_now || k.max_amount != cmd.max_amount) {
        (*cmd.reply)(key_reused());
      } else if (k.answer) {
        (*cmd.reply)(*k.answer);
      } else {
        k.waiters.push_back(std::move(cmd.reply));
      }
      return;
    }
  }
  const TimePoint now = ctx_.clock();
  const TimePoint end_before = working_.end_time;
  const std::optional<UserId> leader_before = working_.leader;
  BidDecision d =
      place_bid(working_, BidAttempt{cmd.bidder.id, cmd.max_amount, cmd.bidder.suspended, now});
  const std::size_t index = next_.rows.size();
  next_.rows.push_back(row_for(cmd.bidder, cmd.max_amount, d, now, cmd.idempotency_key));
  if (d.accepted) bidders_.insert(cmd.bidder.id);
  add_events(d.events, leader_before);
  if (!key.empty()) {
    keyed_[key] = KeyedAnswer{cmd.bidder.id, cmd.idempotency_key, cmd.max_amount, false, {}, {}};
  }

  next_.completions.push_back([this, index, key, reply = std::move(cmd.reply),
                               row = next_.rows.back()](const CommitResult& ids) mutable {
    if (!ids) {
      (*reply)(ids.error());
      return;
    }
    row.id = ids.value()[index];
    BidReply answer = bid_reply_from_row(row, info_.state.terms.currency);
    if (row.accepted) top_.record(row.bidder_id, row.bidder_name, row.price_after, row.placed_at);
    if (!key.empty()) {
      KeyedAnswer& k = keyed_[key];
      k.answer = answer;
      for (auto& w : k.waiters) (*w)(answer);
      k.waiters.clear();
    }
    (*reply)(std::move(answer));
  });
  if (working_.end_time != end_before || is_final(working_)) arm_end_timer();
  flush_if_idle();
}

void AuctionActor::on_buy_now(BuyNowCommand& cmd) {
  if (ctx_.clock() > cmd.deadline) {
    (*cmd.reply)(too_late());
    return;
  }
  if (stale_) {
    (*cmd.reply)(db_down());
    request_reload();
    return;
  }
  std::string key;
  if (!cmd.idempotency_key.empty()) {
    key = key_of(cmd.buyer.id, cmd.idempotency_key);
    if (auto it = keyed_.find(key); it != keyed_.end()) {
      const KeyedAnswer& k = it->second;
      if (!k.buy_now) {
        (*cmd.reply)(key_reused());
      } else if (k.answer) {
        (*cmd.reply)(BuyNowReply{k.answer->bid_id, view(5)});
      } else {
        (*cmd.reply)(unavailable("this purchase is still being committed; retry shortly"));
      }
      return;
    }
  }
  const TimePoint now = ctx_.clock();
  close_if_due(now);
  const std::optional<UserId> leader_before = working_.leader;
  auto events = buy_now(working_, cmd.buyer.id, cmd.buyer.suspended, now);
  if (!events) {
    (*cmd.reply)(events.error());
    flush_if_idle();
    return;
  }
  BidDecision d;
  d.accepted = true;
  d.leading = true;
  const std::size_t index = next_.rows.size();
  persistence::BidRow row =
      row_for(cmd.buyer, working_.terms.buy_now_price, d, now, cmd.idempotency_key);
  row.buy_now = true;
  next_.rows.push_back(row);
  bidders_.insert(cmd.buyer.id);
  add_events(*events, leader_before);
  if (!key.empty()) {
    keyed_[key] = KeyedAnswer{cmd.buyer.id, cmd.idempotency_key, row.max_amount, true, {}, {}};
  }
  next_.completions.push_back(
      [this, index, key, row, reply = std::move(cmd.reply)](const CommitResult& ids) mutable {
        if (!ids) {
          (*reply)(ids.error());
          return;
        }
        row.id = ids.value()[index];
        top_.record(row.bidder_id, row.bidder_name, row.price_after, row.placed_at);
        if (!key.empty()) keyed_[key].answer = bid_reply_from_row(row, info_.state.terms.currency);
        (*reply)(BuyNowReply{row.id, view(5)});
      });
  arm_end_timer();
  flush_if_idle();
}

void AuctionActor::on_cancel(CancelCommand& cmd) {
  if (ctx_.clock() > cmd.deadline) {
    (*cmd.reply)(too_late());
    return;
  }
  if (stale_) {
    (*cmd.reply)(db_down());
    request_reload();
    return;
  }
  const TimePoint now = ctx_.clock();
  close_if_due(now);
  const std::optional<UserId> leader_before = working_.leader;
  auto events = cancel(working_, cmd.caller.id, cmd.caller.is_admin, now);
  if (!events) {
    (*cmd.reply)(events.error());
    flush_if_idle();
    return;
  }
  add_events(*events, leader_before);
  next_.completions.push_back([this, reply = std::move(cmd.reply)](const CommitResult& ids) {
    if (!ids) {
      (*reply)(ids.error());
      return;
    }
    (*reply)(view(5));
  });
  arm_end_timer();
  flush_if_idle();
}

void AuctionActor::on_get(GetCommand& cmd) {
  if (!stale_) close_if_due(ctx_.clock());
  if (is_final(working_) && !is_final(info_.state) && !stale_) {
    // The end is decided but not committed yet: answer once it is, so that
    // nobody sees an ended auction without its outcome. On a failed commit
    // the answer is what the database holds.
    auto answer = [this, top = cmd.top_bidders, reply = std::move(cmd.reply)](const CommitResult&) {
      (*reply)(view(top));
    };
    if (next_.empty() && inflight_) {
      inflight_->completions.push_back(std::move(answer));
    } else {
      next_.completions.push_back(std::move(answer));
    }
    flush_if_idle();
    return;
  }
  (*cmd.reply)(view(cmd.top_bidders));
}

void AuctionActor::close_if_due(TimePoint now) {
  const std::optional<UserId> leader_before = working_.leader;
  add_events(auction::close_if_due(working_, now), leader_before);
}

void AuctionActor::add_events(const std::vector<AuctionEvent>& events,
                              std::optional<UserId> leader_before) {
  for (const auto& e : events) {
    for (auto& n : notices_for(e, info_.state.terms.seller_id, leader_before, bidders_)) {
      next_.notices.push_back(n);
    }
    leader_before = e.leader;
    next_.events.push_back(e);
  }
}

void AuctionActor::on_end_timer(std::uint64_t generation) {
  if (generation != timer_generation_ || stale_ || is_final(working_)) return;
  const TimePoint now = ctx_.clock();
  if (now < working_.end_time) {
    arm_end_timer();  // woke early (clock adjustment)
    return;
  }
  close_if_due(now);
  flush_if_idle();
}

void AuctionActor::arm_end_timer() {
  ++timer_generation_;
  if (is_final(working_)) return;
  auto delay = working_.end_time - ctx_.clock();
  if (delay.count() < 0) delay = Duration{0};
  delayed_send(this, delay, end_timer_atom::value, timer_generation_);
}

void AuctionActor::flush_if_idle() {
  if (inflight_ || next_.empty() || stale_) return;
  persistence::AuctionWrite write;
  write.state = working_;
  write.bids = std::move(next_.rows);
  write.events = next_.events;
  write.notices = std::move(next_.notices);
  write.ending_soon = next_.ending_soon;
  inflight_ =
      Batch{{}, std::move(next_.events), std::move(next_.completions), {}, next_.ending_soon};
  inflight_state_ = working_;
  next_ = Batch{};
  const std::uint64_t batch = ++batch_seq_;
  auction_actor self = caf::actor_cast<auction_actor>(this);
  ctx_.commits.submit(std::move(write), info_.state.version,
                      [self, batch](Result<std::vector<std::int64_t>> ids) {
                        send_to(self, commit_atom::value, CommitOutcome{batch, std::move(ids)});
                      });
}

void AuctionActor::on_commit(CommitOutcome& outcome) {
  if (!inflight_ || outcome.batch != batch_seq_) return;
  if (!outcome.ids) {
    // Not known to be applied: answer everyone UNAVAILABLE and believe only
    // what the database says from now on.
    fail_pending(outcome.ids.error());
    return;
  }
  info_.state = inflight_state_;
  Batch committed = std::move(*inflight_);
  inflight_.reset();
  if (committed.ending_soon) info_.ending_soon_sent = true;
  for (auto& complete : committed.completions) complete(outcome.ids);
  fan_out(committed.events);
  // Attempts decided while this batch was in flight (rejections after the
  // end, too) still have to be recorded and answered.
  flush_if_idle();
  if (is_final(info_.state)) retire();
}

void AuctionActor::fail_pending(const Error& error) {
  spdlog::warn("auction {}: commit failed ({}); reloading from the database", info_.state.terms.id,
               error.message);
  if (inflight_) {
    for (auto& complete : inflight_->completions) complete(error);
  }
  for (auto& complete : next_.completions) complete(error);
  inflight_.reset();
  next_ = Batch{};
  for (auto it = keyed_.begin(); it != keyed_.end();) {
    if (!it->second.answer) {
      for (auto& w : it->second.waiters) (*w)(error);
      it = keyed_.erase(it);
    } else {
      ++it;
    }
  }
  working_ = info_.state;
  ending_soon_sent_ = info_.ending_soon_sent;
  stale_ = true;
  request_reload();
}

void AuctionActor::request_reload() {
  if (reloading_ || !stale_) return;
  reloading_ = true;
  auction_actor self = caf::actor_cast<auction_actor>(this);
  const AuctionId id = info_.state.terms.id;
  const bool queued = ctx_.queries.submit([self, id](persistence::Repository& repo) {
    send_to(self, reload_atom::value, ReloadOutcome{repo.load_auction(id)});
  });
  if (!queued) {
    reloading_ = false;
    delayed_send(this, ctx_.reload_retry, retry_atom::value);
  }
}

void AuctionActor::on_reload(ReloadOutcome& outcome) {
  reloading_ = false;
  if (!outcome.loaded) {
    delayed_send(this, ctx_.reload_retry, retry_atom::value);
    return;
  }
  if (!*outcome.loaded) {
    retire();
    return;
  }
  load(std::move(**outcome.loaded));
  stale_ = false;
  spdlog::info("auction {}: reloaded at version {}", info_.state.terms.id, info_.state.version);
  if (is_final(info_.state)) {
    retire();
    return;
  }
  close_if_due(ctx_.clock());
  flush_if_idle();
  arm_end_timer();
  arm_ending_soon_timer();
}

void AuctionActor::retire() {
  if (retiring_) return;
  retiring_ = true;
  ctx_.registry.remove(info_.state.terms.id, address());
  // Watchers still here (the end came through a reload) get the final state.
  drop_closed(watchers_);
  if (!watchers_.empty()) {
    const std::vector<WatchUpdatePtr> last{snapshot_update(view(5), ctx_.clock())};
    const Coalescer same = [&last] { return last.front(); };
    for (auto& w : watchers_) w->push(last, same);
    watchers_.clear();
  }
  for (const auto& [id, k] : keyed_) ctx_.keys.forget(k.bidder, k.key);
  // Keep answering for a moment: commands already routed here still get a
  // proper answer (AUCTION_ENDED, recorded) instead of a dropped message.
  delayed_send(this, ctx_.retire_grace, retire_atom::value);
}

AuctionView AuctionActor::view(std::size_t top) const {
  AuctionView v;
  v.record = info_;
  v.top_bidders = top_.top(top, info_.state);
  if (info_.state.leader) {
    const std::string* name = top_.display_name(*info_.state.leader);
    v.record.leader_name = name ? *name : "";
  } else {
    v.record.leader_name.clear();
  }
  return v;
}

// ------------------------------------------------------------------ watchers

void AuctionActor::on_watch(WatchCommand& cmd) {
  (*cmd.reply)(true);
  const std::int64_t version = info_.state.version;
  const bool final = is_final(info_.state);
  const TimePoint now = ctx_.clock();
  WatchUpdatePtr newest;
  const Coalescer snapshot = [&] {
    if (!newest) newest = snapshot_update(view(5), now);
    return newest;
  };
  const std::optional<std::int64_t> from = cmd.from_version;
  if (!from || *from < 1 || *from >= version || version - *from > ctx_.max_replay) {
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
    const AuctionTerms terms = info_.state.terms;
    auto sink = cmd.sink;
    const bool queued = ctx_.queries.submit(
        [sink, terms, after = *from, version, clock = ctx_.clock](persistence::Repository& repo) {
          auto stored = repo.events_between(terms.id, after, version);
          if (!stored || stored->size() != static_cast<std::size_t>(version - after)) {
            sink->replay(std::nullopt);
            return;
          }
          std::vector<WatchUpdatePtr> missed;
          const TimePoint at = clock();
          for (auto& e : *stored) {
            missed.push_back(event_update(terms, e.event, std::move(e.leader_name),
                                          std::move(e.winner_name), at));
          }
          sink->replay(std::move(missed));
        });
    if (!queued) cmd.sink->replay(std::nullopt);
  }
  if (!final) {
    watchers_.push_back(std::move(cmd.sink));
    arm_heartbeat();
  }
}

void AuctionActor::fan_out(const std::vector<AuctionEvent>& events) {
  if (events.empty()) return;
  drop_closed(watchers_);
  if (watchers_.empty()) {
    recent_.clear();  // kept only while contiguous
    return;
  }
  const TimePoint now = ctx_.clock();
  auto name_of = [this](std::optional<UserId> user) {
    const std::string* name = user ? top_.display_name(*user) : nullptr;
    return name ? *name : std::string();
  };
  std::vector<WatchUpdatePtr> updates;
  updates.reserve(events.size());
  for (const auto& e : events) {
    updates.push_back(
        event_update(info_.state.terms, e, name_of(e.leader), name_of(e.winner), now));
    recent_.push_back(updates.back());
  }
  while (recent_.size() > ctx_.recent_events) recent_.pop_front();
  // An overflowing watcher gets the newest state; the end itself is never
  // coalesced away, since it carries the outcome.
  WatchUpdatePtr newest;
  const Coalescer coalesce = [&] {
    if (!newest) newest = updates.back()->final ? updates.back() : snapshot_update(view(5), now);
    return newest;
  };
  for (auto& w : watchers_) w->push(updates, coalesce);
  if (is_final(info_.state)) watchers_.clear();
}

void AuctionActor::arm_heartbeat() {
  if (heartbeat_armed_ || watchers_.empty()) return;
  heartbeat_armed_ = true;
  delayed_send(this, ctx_.heartbeat, heartbeat_atom::value);
}

void AuctionActor::on_heartbeat() {
  heartbeat_armed_ = false;
  drop_closed(watchers_);
  if (watchers_.empty()) return;
  const TimePoint now = ctx_.clock();
  const std::vector<WatchUpdatePtr> beat{heartbeat_update(info_.state, now)};
  WatchUpdatePtr newest;
  const Coalescer snapshot = [&] {
    if (!newest) newest = snapshot_update(view(5), now);
    return newest;
  };
  for (auto& w : watchers_) w->push(beat, snapshot);
  arm_heartbeat();
}

// ------------------------------------------------------------- ending soon

void AuctionActor::arm_ending_soon_timer() {
  ++ending_soon_generation_;
  if (ending_soon_sent_ || is_final(working_)) return;
  auto delay = ending_soon_at(working_, ctx_.ending_soon_lead) - ctx_.clock();
  if (delay.count() < 0) delay = Duration{0};
  delayed_send(this, delay, ending_soon_atom::value, ending_soon_generation_);
}

void AuctionActor::on_ending_soon(std::uint64_t generation) {
  if (generation != ending_soon_generation_ || stale_ || ending_soon_sent_ || is_final(working_)) {
    return;
  }
  // The end moved later (soft close) since the timer was set.
  if (ctx_.clock() < ending_soon_at(working_, ctx_.ending_soon_lead)) {
    arm_ending_soon_timer();
    return;
  }
  ending_soon_sent_ = true;
  next_.ending_soon = true;
  flush_if_idle();
}

}  // namespace auction::actors
