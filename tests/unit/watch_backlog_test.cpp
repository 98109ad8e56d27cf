// The queue between an auction and one watcher: in order while the watcher
// keeps up, bounded (newest state instead) when it does not, and seamless
// around a replay of missed events.
#include "actors/watch_backlog.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace auction::actors {
namespace {

WatchUpdatePtr event(std::int64_t version) {
  auto u = std::make_shared<WatchUpdate>();
  u->kind = WatchUpdate::Kind::kEvent;
  u->version = version;
  return u;
}

WatchUpdatePtr snapshot(std::int64_t version) {
  auto u = std::make_shared<WatchUpdate>();
  u->kind = WatchUpdate::Kind::kSnapshot;
  u->version = version;
  return u;
}

std::vector<WatchUpdatePtr> events(std::int64_t first, std::int64_t last) {
  std::vector<WatchUpdatePtr> out;
  for (std::int64_t v = first; v <= last; ++v) out.push_back(event(v));
  return out;
}

/// Everything pending, as (kind, version) pairs in send order.
std::vector<std::pair<WatchUpdate::Kind, std::int64_t>> drain(WatchBacklog& b) {
  std::vector<std::pair<WatchUpdate::Kind, std::int64_t>> out;
  while (auto u = b.pop()) out.emplace_back(u->kind, u->version);
  return out;
}

constexpr auto kEvent = WatchUpdate::Kind::kEvent;
constexpr auto kSnapshot = WatchUpdate::Kind::kSnapshot;

TEST(WatchBacklog, KeepsEveryUpdateInOrderWithinTheLimit) {
  WatchBacklog b(8);
  int snapshots_made = 0;
  const Coalescer newest = [&] {
    ++snapshots_made;
    return snapshot(99);
  };
  b.push(events(2, 4), newest);
  b.push(events(5, 9), newest);
  const auto sent = drain(b);
  ASSERT_EQ(sent.size(), 8U);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i], std::make_pair(kEvent, static_cast<std::int64_t>(i + 2)));
  }
  EXPECT_EQ(snapshots_made, 0);
  EXPECT_EQ(b.coalesced(), 0U);
}

TEST(WatchBacklog, OverflowReplacesTheBacklogWithTheNewestState) {
  WatchBacklog b(4);
  const Coalescer newest = [] { return snapshot(12); };
  b.push(events(2, 5), newest);   // full, not over
  b.push(events(6, 12), newest);  // over: one snapshot at 12
  EXPECT_EQ(b.size(), 1U);
  b.push(events(13, 14), newest);  // then live again after it
  const auto sent = drain(b);
  const std::vector<std::pair<WatchUpdate::Kind, std::int64_t>> expected{
      {kSnapshot, 12}, {kEvent, 13}, {kEvent, 14}};
  EXPECT_EQ(sent, expected);
  EXPECT_EQ(b.coalesced(), 1U);
}

TEST(WatchBacklog, AWatcherThatNeverReadsHoldsAtMostTheLimit) {
  WatchBacklog b(16);
  std::int64_t version = 1;
  for (int i = 0; i < 10'000; ++i) {
    ++version;
    const std::int64_t now = version;
    b.push({event(now)}, [now] { return snapshot(now); });
    ASSERT_LE(b.size(), 16U);
  }
  // It reads again: the newest state comes first or is among what is left.
  const auto sent = drain(b);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().second, version);
}

TEST(WatchBacklog, ReplayGoesBeforeLiveUpdatesWithoutGapOrDuplicate) {
  WatchBacklog b(8);
  const Coalescer newest = [] { return snapshot(50); };
  b.hold(snapshot(10));
  b.push(events(11, 12), newest);  // live while the missed ones are read
  EXPECT_EQ(b.pop(), nullptr);     // nothing goes out while held
  b.replay(events(4, 10));
  const auto sent = drain(b);
  ASSERT_EQ(sent.size(), 9U);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].second, static_cast<std::int64_t>(i + 4));
  }
}

TEST(WatchBacklog, ReplayThatCannotBeReadFallsBackToTheSnapshot) {
  WatchBacklog b(8);
  b.hold(snapshot(10));
  b.push(events(11, 11), [] { return snapshot(11); });
  b.replay(std::nullopt);
  const std::vector<std::pair<WatchUpdate::Kind, std::int64_t>> expected{{kSnapshot, 10},
                                                                         {kEvent, 11}};
  EXPECT_EQ(drain(b), expected);
}

TEST(WatchBacklog, OverflowDuringReplayMakesTheReplayMoot) {
  WatchBacklog b(2);
  b.hold(snapshot(10));
  b.push(events(11, 15), [] { return snapshot(15); });
  b.replay(events(4, 10));
  const std::vector<std::pair<WatchUpdate::Kind, std::int64_t>> expected{{kSnapshot, 15}};
  EXPECT_EQ(drain(b), expected);
}

TEST(WatchBacklog, AReplayLongerThanTheLimitIsNotCoalescedByTheNextLiveUpdate) {
  WatchBacklog b(4);
  b.hold(snapshot(20));
  b.replay(events(5, 20));
  b.push(events(21, 21), [] { return snapshot(21); });
  const auto sent = drain(b);
  ASSERT_EQ(sent.size(), 17U);
  EXPECT_EQ(sent.front().second, 5);
  EXPECT_EQ(sent.back().second, 21);
}

using std::chrono::milliseconds;
constexpr auto kLag = milliseconds(100);

TEST(WatchBacklog, AWatcherBehindByMoreThanTheMaxLagGetsTheNewestSnapshot) {
  WatchBacklog b(64, kLag);
  const auto t0 = WatchBacklog::Clock::now();
  int snapshots_made = 0;
  const Coalescer newest = [&] {
    ++snapshots_made;
    return snapshot(4);
  };
  b.push(events(2, 4), newest, t0);
  EXPECT_EQ(b.pop(t0 + milliseconds(10))->version, 2);  // not behind yet: as it is
  const WatchUpdatePtr next = b.pop(t0 + milliseconds(150));
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->kind, kSnapshot);  // 3 and 4 waited too long: the newest state at once
  EXPECT_EQ(next->version, 4);
  EXPECT_EQ(b.pop(t0 + milliseconds(150)), nullptr);
  EXPECT_EQ(b.coalesced(), 1U);
  EXPECT_EQ(snapshots_made, 1);
}

TEST(WatchBacklog, ASingleLateUpdateGoesAsItIs) {
  WatchBacklog b(64, kLag);
  const auto t0 = WatchBacklog::Clock::now();
  b.push(
      events(7, 7), [] { return snapshot(7); }, t0);
  const WatchUpdatePtr next = b.pop(t0 + milliseconds(5000));
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->kind, kEvent);
  EXPECT_EQ(b.coalesced(), 0U);
}

TEST(WatchBacklog, WithoutAMaxLagOnlyTheCountLimitCoalesces) {
  WatchBacklog b(64);
  const auto t0 = WatchBacklog::Clock::now();
  int snapshots_made = 0;
  b.push(
      events(2, 9),
      [&] {
        ++snapshots_made;
        return snapshot(9);
      },
      t0);
  std::vector<std::int64_t> sent;
  while (auto u = b.pop(t0 + milliseconds(60'000))) sent.push_back(u->version);
  EXPECT_EQ(sent, (std::vector<std::int64_t>{2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(snapshots_made, 0);
}

TEST(WatchBacklog, MissedEventsOfANewWatcherAreSentExactlyHoweverLate) {
  WatchBacklog b(64, kLag);
  const auto t0 = WatchBacklog::Clock::now();
  b.push_catch_up(events(5, 9), t0);
  b.push(
      events(10, 11), [] { return snapshot(11); }, t0);
  std::vector<std::pair<WatchUpdate::Kind, std::int64_t>> sent;
  while (auto u = b.pop(t0 + milliseconds(1000))) sent.emplace_back(u->kind, u->version);
  // The catch-up, event by event; the live updates behind it waited too
  // long and become the newest state.
  const std::vector<std::pair<WatchUpdate::Kind, std::int64_t>> expected{
      {kEvent, 5}, {kEvent, 6}, {kEvent, 7}, {kEvent, 8}, {kEvent, 9}, {kSnapshot, 11}};
  EXPECT_EQ(sent, expected);
}

}  // namespace
}  // namespace auction::actors
