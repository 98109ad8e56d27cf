#pragma once
// What the AuctionCore and AuctionActor tests share: an auction to start
// from, answers captured from reply handles, and a recorder of the core's
// effects that plays the commit queue by hand.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/auction_core.hpp"

namespace auction::actors::testing {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

inline constexpr UserId kSeller = 1;
inline constexpr AuctionId kAuction = 42;
inline constexpr TimePoint kStart{seconds{1'700'000'000}};

/// A one-hour auction from kStart at 10.00, default increments, no extras.
inline AuctionTerms one_hour_terms() {
  AuctionTerms t;
  t.id = kAuction;
  t.seller_id = kSeller;
  t.starting_price = 1'000;
  t.start_time = kStart;
  t.original_end_time = kStart + hours(1);
  return t;
}

inline persistence::LoadedAuction fresh(const AuctionTerms& terms) {
  persistence::LoadedAuction l;
  l.record.listing.title = "a lamp";
  l.record.state = open_auction(terms);
  l.record.created_at = terms.start_time;
  return l;
}

inline Caller user(UserId id) {
  Caller c;
  c.id = id;
  c.display_name = "user" + std::to_string(id);
  return c;
}

/// The answer a reply handle got, if any.
template <class T>
class Answer {
 public:
  ReplyPtr<T> handle() const {
    return make_reply<T>([slot = slot_](Result<T> r) { slot->emplace(std::move(r)); });
  }
  [[nodiscard]] bool answered() const { return slot_->has_value(); }
  [[nodiscard]] bool ok() const { return answered() && (*slot_)->ok(); }
  const T& value() const {
    EXPECT_TRUE(ok()) << "expected a value, got " << describe();
    return (**slot_).value();
  }
  [[nodiscard]] std::optional<ErrorCode> code() const {
    if (!answered() || (*slot_)->ok()) return std::nullopt;
    return (*slot_)->error().code;
  }
  [[nodiscard]] std::string message() const {
    return answered() && !(*slot_)->ok() ? (*slot_)->error().message : std::string();
  }
  [[nodiscard]] std::string describe() const {
    if (!answered()) return "no answer";
    if ((*slot_)->ok()) return "a value";
    return "error " + std::to_string(static_cast<int>((*slot_)->error().code)) + ": " + message();
  }

 private:
  std::shared_ptr<std::optional<Result<T>>> slot_ = std::make_shared<std::optional<Result<T>>>();
};

/// Drives one AuctionCore as its actor would, with the test as the clock,
/// the commit queue and the timer wheel.
class CoreHarness {
 public:
  explicit CoreHarness(persistence::LoadedAuction loaded, TimePoint start = kStart + minutes(1),
                       Duration ending_soon_lead = minutes(5))
      : now(start), core(std::move(loaded), ending_soon_lead) {
    core.start(now);
    collect();
  }

  Answer<BidReply> bid(UserId who, Money max, std::string key = {},
                       TimePoint deadline = kNoDeadline) {
    Answer<BidReply> a;
    BidCommand cmd{user(who), max, std::move(key), a.handle(), deadline};
    core.bid(cmd, now);
    collect();
    return a;
  }
  Answer<BuyNowReply> buy_now(UserId who, std::string key = {}) {
    Answer<BuyNowReply> a;
    BuyNowCommand cmd{user(who), std::move(key), a.handle()};
    core.buy_now(cmd, now);
    collect();
    return a;
  }
  Answer<AuctionView> cancel(Caller who) {
    Answer<AuctionView> a;
    CancelCommand cmd{std::move(who), a.handle()};
    core.cancel(cmd, now);
    collect();
    return a;
  }
  Answer<AuctionView> get() {
    Answer<AuctionView> a;
    GetCommand cmd{kDefaultTopBidders, a.handle()};
    core.get(cmd, now);
    collect();
    return a;
  }

  /// Commits the oldest submitted batch, numbering its rows from next_id.
  CommitRequest commit() {
    EXPECT_FALSE(submitted.empty()) << "no batch was submitted";
    CommitRequest batch = std::move(submitted.front());
    submitted.pop_front();
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < batch.write.bids.size(); ++i) ids.push_back(next_id++);
    core.committed(batch.batch, ids);
    collect();
    return batch;
  }
  /// Fails the oldest submitted batch with `error`.
  CommitRequest fail_commit(const Error& error) {
    EXPECT_FALSE(submitted.empty()) << "no batch was submitted";
    CommitRequest batch = std::move(submitted.front());
    submitted.pop_front();
    core.committed(batch.batch, error);
    collect();
    return batch;
  }
  /// Commits until nothing is submitted.
  void commit_all() {
    for (int i = 0; i < 1000 && !submitted.empty(); ++i) commit();
  }
  void fire_end_timer() {
    ASSERT_TRUE(end_timer.has_value()) << "no end timer is armed";
    core.end_timer_fired(end_timer->generation, now);
    collect();
  }
  void fire_ending_soon_timer() {
    ASSERT_TRUE(ending_soon_timer.has_value()) << "no ENDING_SOON timer is armed";
    core.ending_soon_fired(ending_soon_timer->generation, now);
    collect();
  }
  void reloaded(QuerySource::Loaded loaded) {
    core.reloaded(std::move(loaded), now);
    collect();
  }

  /// Records what the core asked for, as the actor would carry it out.
  void collect() {
    Effects fx = core.take_effects();
    published.insert(published.end(), fx.published.begin(), fx.published.end());
    if (fx.commit) submitted.push_back(std::move(*fx.commit));
    if (fx.end_timer) end_timer = fx.end_timer;
    if (fx.ending_soon_timer) ending_soon_timer = fx.ending_soon_timer;
    if (fx.reload) ++reloads;
    if (fx.retry_reload_later) ++reload_retries;
    if (fx.retire) ++retirements;
  }

  TimePoint now;
  AuctionCore core;
  std::deque<CommitRequest> submitted;
  std::vector<AuctionEvent> published;
  std::optional<TimerRequest> end_timer;
  std::optional<TimerRequest> ending_soon_timer;
  int reloads = 0;
  int reload_retries = 0;
  int retirements = 0;
  std::int64_t next_id = 1;
};

}  // namespace auction::actors::testing
