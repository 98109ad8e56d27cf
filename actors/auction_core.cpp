#include "actors/auction_core.hpp"

#include <spdlog/spdlog.h>

#include "actors/views.hpp"
#include "domain/ending_soon.hpp"
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

bool is_final(const AuctionState& s) { return s.phase != Phase::kOpen; }

}  // namespace

persistence::BidRow attempt_row(const AuctionState& after, const Caller& bidder, Money max_amount,
                                const BidDecision& decision, TimePoint at,
                                const std::string& idempotency_key) {
  persistence::BidRow row;
  row.auction_id = after.terms.id;
  row.bidder_id = bidder.id;
  row.bidder_name = bidder.display_name;
  row.max_amount = max_amount;
  row.accepted = decision.accepted;
  row.reject_reason = decision.reason;
  row.leading = decision.leading;
  row.price_after = after.current_price;
  row.leader_after = after.leader;
  row.min_next_after = minimum_next_bid(after);
  row.ends_at_after = bidding_end(after);
  row.version_after = after.version;
  row.placed_at = at;
  row.idempotency_key = idempotency_key;
  return row;
}

AuctionCore::AuctionCore(persistence::LoadedAuction loaded, Duration ending_soon_lead)
    : ending_soon_lead_(ending_soon_lead) {
  load(std::move(loaded));
}

std::string AuctionCore::key_of(UserId bidder, const std::string& key) {
  return std::to_string(bidder) + ":" + key;
}

void AuctionCore::load(persistence::LoadedAuction loaded) {
  info_ = std::move(loaded.record);
  working_ = info_.state;
  top_ = TopBidders{};
  bidders_.clear();
  for (const auto& b : loaded.latest_bid_per_bidder) {
    top_.record(b.bidder_id, b.bidder_name, b.price_after, b.placed_at);
    bidders_.insert(b.bidder_id);
  }
  ending_soon_sent_ = info_.ending_soon_sent;
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

Effects AuctionCore::take_effects() { return std::exchange(effects_, Effects{}); }

bool AuctionCore::is_final() const { return actors::is_final(info_.state); }

void AuctionCore::start(TimePoint now) {
  close_if_due(now);
  flush_if_idle();
  arm_end_timer();
  arm_ending_soon_timer();
}

template <class Command>
bool AuctionCore::refused(Command& cmd, TimePoint now) {
  if (now > cmd.deadline) {
    (*cmd.reply)(too_late());
    return true;
  }
  if (stale_) {
    (*cmd.reply)(db_down());
    request_reload();
    return true;
  }
  return false;
}

// ------------------------------------------------------------------ commands

void AuctionCore::bid(BidCommand& cmd, TimePoint now) {
  if (refused(cmd, now)) return;
  std::string key;
  if (!cmd.idempotency_key.empty()) {
    key = key_of(cmd.bidder.id, cmd.idempotency_key);
    if (auto it = keyed_.find(key); it != keyed_.end()) {
      KeyedAnswer& k = it->second;
      if (k.buy_now || k.max_amount != cmd.max_amount) {
        (*cmd.reply)(idempotency_key_reused());
      } else if (k.answer) {
        (*cmd.reply)(*k.answer);
      } else {
        k.waiters.push_back(std::move(cmd.reply));
      }
      return;
    }
  }
  const TimePoint end_before = working_.end_time;
  const std::optional<UserId> leader_before = working_.leader;
  const BidDecision d =
      place_bid(working_, BidAttempt{cmd.bidder.id, cmd.max_amount, cmd.bidder.suspended, now});
  const std::size_t index = next_.rows.size();
  next_.rows.push_back(
      attempt_row(working_, cmd.bidder, cmd.max_amount, d, now, cmd.idempotency_key));
  if (d.accepted) bidders_.insert(cmd.bidder.id);
  add_events(d.events, leader_before);
  if (!key.empty()) {
    keyed_[key] = KeyedAnswer{cmd.bidder.id, cmd.idempotency_key, cmd.max_amount, false, {}, {}};
  }
  next_.completions.emplace_back([this, index, key, reply = std::move(cmd.reply),
                                  row = next_.rows.back()](const CommitResult& ids) mutable {
    if (!ids) {
      (*reply)(ids.error());
      return;
    }
    row.id = ids.value()[index];
    BidReply answer = bid_reply_from_row(row, info_.state.terms.currency);
    if (row.accepted) top_.record(row.bidder_id, row.bidder_name, row.price_after, row.placed_at);
    // The leader has an accepted bid, so the board knows their name.
    answer.leader_name = name_of(row.leader_after);
    if (!key.empty()) {
      KeyedAnswer& k = keyed_[key];
      k.answer = answer;
      for (auto& w : k.waiters) (*w)(answer);
      k.waiters.clear();
    }
    (*reply)(std::move(answer));
  });
  if (working_.end_time != end_before || actors::is_final(working_)) arm_end_timer();
  flush_if_idle();
}

void AuctionCore::buy_now(BuyNowCommand& cmd, TimePoint now) {
  if (refused(cmd, now)) return;
  std::string key;
  if (!cmd.idempotency_key.empty()) {
    key = key_of(cmd.buyer.id, cmd.idempotency_key);
    if (auto it = keyed_.find(key); it != keyed_.end()) {
      const KeyedAnswer& k = it->second;
      if (!k.buy_now) {
        (*cmd.reply)(idempotency_key_reused());
      } else if (k.answer) {
        (*cmd.reply)(BuyNowReply{k.answer->bid_id, view(kDefaultTopBidders)});
      } else {
        (*cmd.reply)(unavailable("this purchase is still being committed; retry shortly"));
      }
      return;
    }
  }
  close_if_due(now);
  const std::optional<UserId> leader_before = working_.leader;
  auto events = auction::buy_now(working_, cmd.buyer.id, cmd.buyer.suspended, now);
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
      attempt_row(working_, cmd.buyer, working_.terms.buy_now_price, d, now, cmd.idempotency_key);
  row.buy_now = true;
  next_.rows.push_back(row);
  bidders_.insert(cmd.buyer.id);
  add_events(*events, leader_before);
  if (!key.empty()) {
    keyed_[key] = KeyedAnswer{cmd.buyer.id, cmd.idempotency_key, row.max_amount, true, {}, {}};
  }
  next_.completions.emplace_back(
      [this, index, key, row, reply = std::move(cmd.reply)](const CommitResult& ids) mutable {
        if (!ids) {
          (*reply)(ids.error());
          return;
        }
        row.id = ids.value()[index];
        top_.record(row.bidder_id, row.bidder_name, row.price_after, row.placed_at);
        if (!key.empty()) keyed_[key].answer = bid_reply_from_row(row, info_.state.terms.currency);
        (*reply)(BuyNowReply{row.id, view(kDefaultTopBidders)});
      });
  arm_end_timer();
  flush_if_idle();
}

void AuctionCore::cancel(CancelCommand& cmd, TimePoint now) {
  if (refused(cmd, now)) return;
  close_if_due(now);
  const std::optional<UserId> leader_before = working_.leader;
  auto events = auction::cancel(working_, cmd.caller.id, cmd.caller.is_admin, now);
  if (!events) {
    (*cmd.reply)(events.error());
    flush_if_idle();
    return;
  }
  add_events(*events, leader_before);
  next_.completions.emplace_back([this, reply = std::move(cmd.reply)](const CommitResult& ids) {
    if (!ids) {
      (*reply)(ids.error());
      return;
    }
    (*reply)(view(kDefaultTopBidders));
  });
  arm_end_timer();
  flush_if_idle();
}

void AuctionCore::get(GetCommand& cmd, TimePoint now) {
  if (!stale_) close_if_due(now);
  if (actors::is_final(working_) && !is_final() && !stale_) {
    // The end is decided but not committed yet: answer once it is, so that
    // nobody sees an ended auction without its outcome. On a failed commit
    // the answer is what the database holds.
    auto answer = [this, top = cmd.top_bidders, reply = std::move(cmd.reply)](const CommitResult&) {
      (*reply)(view(top));
    };
    if (next_.empty() && inflight_) {
      inflight_->completions.emplace_back(std::move(answer));
    } else {
      next_.completions.emplace_back(std::move(answer));
    }
    flush_if_idle();
    return;
  }
  (*cmd.reply)(view(cmd.top_bidders));
}

void AuctionCore::close_if_due(TimePoint now) {
  const std::optional<UserId> leader_before = working_.leader;
  add_events(auction::close_if_due(working_, now), leader_before);
}

void AuctionCore::add_events(const std::vector<AuctionEvent>& events,
                             std::optional<UserId> leader_before) {
  for (const auto& e : events) {
    for (auto& n : notices_for(e, info_.state.terms.seller_id, leader_before, bidders_)) {
      next_.notices.push_back(n);
    }
    leader_before = e.leader;
    next_.events.push_back(e);
  }
}

// -------------------------------------------------------------------- timers

void AuctionCore::end_timer_fired(std::uint64_t generation, TimePoint now) {
  if (generation != end_timer_generation_ || stale_ || actors::is_final(working_)) return;
  if (now < working_.end_time) {
    arm_end_timer();  // woke early (clock adjustment)
    return;
  }
  close_if_due(now);
  flush_if_idle();
}

void AuctionCore::arm_end_timer() {
  ++end_timer_generation_;
  effects_.end_timer.reset();
  if (actors::is_final(working_)) return;
  effects_.end_timer = TimerRequest{end_timer_generation_, working_.end_time};
}

void AuctionCore::arm_ending_soon_timer() {
  ++ending_soon_generation_;
  effects_.ending_soon_timer.reset();
  if (ending_soon_sent_ || actors::is_final(working_)) return;
  effects_.ending_soon_timer =
      TimerRequest{ending_soon_generation_, ending_soon_at(working_, ending_soon_lead_)};
}

void AuctionCore::ending_soon_fired(std::uint64_t generation, TimePoint now) {
  if (generation != ending_soon_generation_ || stale_ || ending_soon_sent_ ||
      actors::is_final(working_)) {
    return;
  }
  // The end moved later (soft close) since the timer was set.
  if (now < ending_soon_at(working_, ending_soon_lead_)) {
    arm_ending_soon_timer();
    return;
  }
  ending_soon_sent_ = true;
  next_.ending_soon = true;
  flush_if_idle();
}

// ------------------------------------------------------------ group commit

void AuctionCore::flush_if_idle() {
  if (inflight_ || next_.empty() || stale_) return;
  CommitRequest request;
  request.batch = ++batch_seq_;
  request.prev_version = info_.state.version;
  request.write.state = working_;
  request.write.bids = std::move(next_.rows);
  request.write.events = next_.events;
  request.write.notices = std::move(next_.notices);
  request.write.ending_soon = next_.ending_soon;
  inflight_ =
      Batch{{}, std::move(next_.events), std::move(next_.completions), {}, next_.ending_soon};
  inflight_state_ = working_;
  next_ = Batch{};
  effects_.commit = std::move(request);
}

void AuctionCore::committed(std::uint64_t batch, const CommitResult& ids) {
  if (!inflight_ || batch != batch_seq_) return;
  if (!ids) {
    // Not known to be applied: answer everyone UNAVAILABLE and believe only
    // what the database says from now on.
    fail_pending(ids.error());
    return;
  }
  info_.state = inflight_state_;
  Batch done = std::move(*inflight_);
  inflight_.reset();
  if (done.ending_soon) info_.ending_soon_sent = true;
  for (auto& complete : done.completions) complete(ids);
  effects_.published.insert(effects_.published.end(), done.events.begin(), done.events.end());
  // Attempts decided while this batch was in flight (rejections after the
  // end, too) still have to be recorded and answered.
  flush_if_idle();
  if (is_final()) retire();
}

void AuctionCore::fail_pending(const Error& error) {
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

// -------------------------------------------------------------------- reload

void AuctionCore::request_reload() {
  if (reloading_ || !stale_) return;
  reloading_ = true;
  effects_.reload = true;
}

void AuctionCore::retry_reload() { request_reload(); }

void AuctionCore::reloaded(QuerySource::Loaded loaded, TimePoint now) {
  reloading_ = false;
  if (!loaded) {
    effects_.retry_reload_later = true;
    return;
  }
  if (!*loaded) {
    retire();
    return;
  }
  load(std::move(**loaded));
  stale_ = false;
  spdlog::info("auction {}: reloaded at version {}", info_.state.terms.id, info_.state.version);
  if (is_final()) {
    retire();
    return;
  }
  start(now);
}

void AuctionCore::retire() {
  if (retiring_) return;
  retiring_ = true;
  effects_.retire = true;
}

// --------------------------------------------------------------------- views

AuctionView AuctionCore::view(std::size_t top) const {
  AuctionView v;
  v.record = info_;
  v.top_bidders = top_.top(top, info_.state);
  v.record.leader_name = name_of(info_.state.leader);
  return v;
}

std::string AuctionCore::name_of(std::optional<UserId> user) const {
  const std::string* name = user ? top_.display_name(*user) : nullptr;
  return name != nullptr ? *name : std::string();
}

std::vector<std::pair<UserId, std::string>> AuctionCore::idempotency_keys() const {
  std::vector<std::pair<UserId, std::string>> keys;
  keys.reserve(keyed_.size());
  for (const auto& [id, k] : keyed_) keys.emplace_back(k.bidder, k.key);
  return keys;
}

}  // namespace auction::actors
