#include "watch_view.hpp"

#include <gtest/gtest.h>

#include "stream_follow.hpp"
#include "table.hpp"

namespace auction::cli {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::seconds;

constexpr std::int64_t kNow = 1'893'553'445;  // 2030-01-02T03:04:05Z

Clock::time_point at(std::int64_t unix_seconds) { return Clock::time_point(seconds(unix_seconds)); }

google::protobuf::Timestamp ts(std::int64_t unix_seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(unix_seconds);
  return t;
}

v1::AuctionUpdate snapshot(std::int64_t version,
                           v1::AuctionStatus status = v1::AUCTION_STATUS_ACTIVE) {
  v1::AuctionUpdate u;
  u.set_type(v1::AuctionUpdate::SNAPSHOT);
  u.set_version(version);
  u.set_auction_id("12");
  *u.mutable_server_time() = ts(kNow);
  auto& a = *u.mutable_auction();
  a.set_id("12");
  a.set_title("Desk lamp");
  a.set_currency("USD");
  a.set_status(status);
  a.set_starting_price(1000);
  a.set_current_price(1000);
  a.set_minimum_next_bid(1000);
  *a.mutable_end_time() = ts(kNow + 3723);
  *u.mutable_ends_at() = ts(kNow + 3723);
  a.set_version(version);
  return u;
}

v1::AuctionUpdate bid(std::int64_t version, std::int64_t price, const std::string& leader,
                      std::int64_t count) {
  v1::AuctionUpdate u;
  u.set_type(v1::AuctionUpdate::BID_PLACED);
  u.set_version(version);
  u.set_auction_id("12");
  *u.mutable_server_time() = ts(kNow + count);
  u.set_current_price(price);
  u.set_leading_bidder_id("7");
  u.set_leading_bidder_name(leader);
  u.set_bid_count(count);
  u.set_minimum_next_bid(price + 50);
  *u.mutable_ends_at() = ts(kNow + 3723);
  u.set_currency("USD");
  return u;
}

/// AUCTION_ENDED: sold to Alice A (id 7) for 10.00 USD.
v1::AuctionUpdate sold_to_alice(std::int64_t version) {
  v1::AuctionUpdate end = bid(version, 1000, "Alice A", 1);
  end.set_type(v1::AuctionUpdate::AUCTION_ENDED);
  end.set_outcome(v1::OUTCOME_SOLD);
  end.set_winner_id("7");
  end.set_winner_name("Alice A");
  end.set_final_price(1000);
  return end;
}

TEST(WatchCountdown, Formats) {
  EXPECT_EQ(countdown(seconds(0)), "0s");
  EXPECT_EQ(countdown(seconds(-5)), "0s");
  EXPECT_EQ(countdown(seconds(59)), "59s");
  EXPECT_EQ(countdown(seconds(60)), "1m 00s");
  EXPECT_EQ(countdown(seconds(245)), "4m 05s");
  EXPECT_EQ(countdown(seconds(3723)), "1h 02m 03s");
  EXPECT_EQ(countdown(seconds(2 * 86400 + 3 * 3600 + 4 * 60 + 5)), "2d 03h 04m 05s");
}

TEST(WatchCountdown, NextTickLandsJustAfterTheValueChanges) {
  WatchState s;
  apply_update(s, snapshot(5), at(kNow));  // ends at kNow + 3723, no clock offset
  using std::chrono::milliseconds;
  const auto now = at(kNow) + milliseconds(300);  // 3722.7 s left: shows 1h 02m 03s
  EXPECT_EQ(countdown(time_left(s, now)), "1h 02m 03s");
  const auto wait = until_next_tick(s, now);
  EXPECT_EQ(wait, milliseconds(701));
  EXPECT_EQ(countdown(time_left(s, now + wait)), "1h 02m 02s");
  EXPECT_EQ(until_next_tick(s, at(kNow + 5000)), seconds(1));  // ended: once a second
}

TEST(WatchCountdown, TimeOfDay) {
  EXPECT_EQ(time_of_day(ts(kNow)), "03:04:05");
  EXPECT_EQ(time_of_day(google::protobuf::Timestamp{}), "--:--:--");
}

TEST(WatchState, SnapshotThenBidsFold) {
  WatchState s;
  EXPECT_TRUE(apply_update(s, snapshot(5), at(kNow)));
  EXPECT_TRUE(s.have_state);
  EXPECT_EQ(s.version, 5);
  EXPECT_EQ(s.title, "Desk lamp");
  EXPECT_EQ(s.current_price, 1000);
  EXPECT_FALSE(s.finished);

  EXPECT_TRUE(apply_update(s, bid(6, 1000, "Alice A", 1), at(kNow + 1)));
  EXPECT_TRUE(apply_update(s, bid(7, 1250, "Bob B", 2), at(kNow + 2)));
  EXPECT_EQ(s.version, 7);
  EXPECT_EQ(s.current_price, 1250);
  EXPECT_EQ(s.leader_name, "Bob B");
  EXPECT_EQ(s.bid_count, 2);
  EXPECT_EQ(s.minimum_next_bid, 1300);
  ASSERT_EQ(s.events.size(), 3U);
  EXPECT_EQ(s.events.back().text, "bid #2: Bob B (id 7) leads at 12.50 USD");
  EXPECT_EQ(s.events.back().when, "03:04:07");

  // A duplicate after a reconnect changes nothing.
  EXPECT_FALSE(apply_update(s, bid(7, 1250, "Bob B", 2), at(kNow + 3)));
  EXPECT_EQ(s.events.size(), 3U);
}

TEST(WatchState, VersionJumpCountsAsCoalesced) {
  WatchState s;
  apply_update(s, snapshot(5), at(kNow));
  auto later = snapshot(9);
  later.mutable_auction()->set_current_price(2000);
  later.mutable_auction()->set_bid_count(4);
  apply_update(s, later, at(kNow + 1));
  EXPECT_EQ(s.coalesced, 1);
  EXPECT_EQ(s.version, 9);
  EXPECT_EQ(s.current_price, 2000);
  EXPECT_EQ(s.events.back().text, "caught up at version 9 (3 changes coalesced)");
}

TEST(WatchState, HeartbeatMovesTheEndAndClockOffset) {
  WatchState s;
  apply_update(s, snapshot(5), at(kNow));
  v1::AuctionUpdate hb;
  hb.set_type(v1::AuctionUpdate::HEARTBEAT);
  hb.set_version(5);
  *hb.mutable_server_time() = ts(kNow + 10);
  *hb.mutable_ends_at() = ts(kNow + 100);
  // The server's clock is 2 s ahead of ours.
  EXPECT_TRUE(apply_update(s, hb, at(kNow + 8)));
  EXPECT_EQ(s.version, 5);
  EXPECT_EQ(time_left(s, at(kNow + 8)), seconds(90));
  EXPECT_EQ(time_left(s, at(kNow + 200)), seconds(0));
  EXPECT_EQ(s.events.size(), 1U) << "heartbeats are not events";
}

TEST(WatchState, EndedIsFinal) {
  WatchState s;
  apply_update(s, snapshot(5), at(kNow));
  apply_update(s, bid(6, 1000, "Alice A", 1), at(kNow));
  const v1::AuctionUpdate end = sold_to_alice(7);
  apply_update(s, end, at(kNow + 5));
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.status, v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(outcome_text(s), "ended: sold to Alice A (id 7) for 10.00 USD");
}

TEST(WatchState, SnapshotOfAClosedAuctionIsFinal) {
  WatchState s;
  auto snap = snapshot(3, v1::AUCTION_STATUS_CANCELLED);
  apply_update(s, snap, at(kNow));
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(outcome_text(s), "cancelled");

  WatchState unsold;
  auto ended = snapshot(3, v1::AUCTION_STATUS_ENDED);
  ended.mutable_auction()->set_outcome(v1::OUTCOME_UNSOLD);
  apply_update(unsold, ended, at(kNow));
  EXPECT_TRUE(unsold.finished);
  EXPECT_EQ(outcome_text(unsold), "ended: unsold");
}

TEST(WatchState, FromAVersionEveryLaterEventShowsEvenWhenTheAuctionIsFurtherAlong) {
  // `watch --from-version 5` of an auction now at version 7 (ended): the
  // current state gives the title and currency; events 6 and 7 still show.
  auto now_state = snapshot(7, v1::AUCTION_STATUS_ENDED);
  now_state.mutable_auction()->set_outcome(v1::OUTCOME_SOLD);
  WatchState s;
  seed_from_version(s, now_state, 5, at(kNow));
  EXPECT_EQ(s.title, "Desk lamp");
  EXPECT_FALSE(s.finished) << "the end is still to be replayed";
  EXPECT_TRUE(apply_update(s, bid(6, 1000, "Alice A", 1), at(kNow)));
  const v1::AuctionUpdate end = sold_to_alice(7);
  EXPECT_TRUE(apply_update(s, end, at(kNow)));
  EXPECT_TRUE(s.finished);
  std::vector<std::string> texts;
  for (const auto& e : s.events) texts.push_back(e.text);
  const std::vector<std::string> want = {"watching from version 5",
                                         "bid #1: Alice A (id 7) leads at 10.00 USD",
                                         "ended: sold to Alice A (id 7) for 10.00 USD"};
  EXPECT_EQ(texts, want);

  // Asked from the current version or later: the state as it is now.
  WatchState current;
  seed_from_version(current, snapshot(7), 7, at(kNow));
  EXPECT_EQ(current.version, 7);
  EXPECT_FALSE(apply_update(current, bid(7, 1000, "Alice A", 1), at(kNow))) << "seen";
}

TEST(WatchState, KeepsTheLastTenEvents) {
  WatchState s;
  apply_update(s, snapshot(1), at(kNow));
  for (int i = 1; i <= 15; ++i) apply_update(s, bid(1 + i, 1000 + 50 * i, "A", i), at(kNow));
  EXPECT_EQ(s.events.size(), WatchState::kMaxEvents);
  EXPECT_EQ(s.event_count, 16U);
  EXPECT_EQ(s.events.back().text.rfind("bid #15:", 0), 0U);
}

TEST(WatchRender, ShowsPriceLeaderAndCountdown) {
  WatchState s;
  apply_update(s, snapshot(5), at(kNow));
  apply_update(s, bid(6, 1250, "Alice A", 1), at(kNow + 1));  // server time kNow + 1
  std::string screen = render_watch(s, at(kNow), 100);
  EXPECT_NE(screen.find("auction 12: Desk lamp"), std::string::npos) << screen;
  EXPECT_NE(screen.find("current price  12.50 USD"), std::string::npos) << screen;
  EXPECT_NE(screen.find("leader         Alice A (id 7)"), std::string::npos) << screen;
  EXPECT_NE(screen.find("min next bid   13.00 USD"), std::string::npos) << screen;
  EXPECT_NE(screen.find("time left      1h 02m 03s"), std::string::npos) << screen;
  EXPECT_NE(screen.find("bid #1: Alice A (id 7) leads at 12.50 USD"), std::string::npos) << screen;
  // A second later the countdown moved.
  EXPECT_NE(render_watch(s, at(kNow + 1), 100).find("time left      1h 02m 02s"),
            std::string::npos);
  s.connection = "connection lost (UNAVAILABLE); reconnecting in 0.2 s";
  EXPECT_NE(render_watch(s, at(kNow), 100).find("reconnecting in 0.2 s"), std::string::npos);
}

TEST(WatchRender, FitsTheWidthAndNeutralisesControlCharacters) {
  WatchState s;
  auto snap = snapshot(1);
  snap.mutable_auction()->set_title(std::string("evil\x1b[2Jtitle ") + std::string(200, 'x'));
  apply_update(s, snap, at(kNow));
  std::string screen = render_watch(s, at(kNow), 40);
  EXPECT_EQ(screen.find('\x1b'), std::string::npos);
  std::size_t begin = 0;
  while (begin < screen.size()) {
    std::size_t end = screen.find('\n', begin);
    EXPECT_LE(display_width(screen.substr(begin, end - begin)), 40U);
    begin = end + 1;
  }
}

TEST(WatchRender, ClosedShowsTheOutcome) {
  WatchState s;
  apply_update(s, snapshot(5, v1::AUCTION_STATUS_CANCELLED), at(kNow));
  std::string screen = render_watch(s, at(kNow), 100);
  EXPECT_NE(screen.find("outcome        cancelled"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("time left"), std::string::npos) << screen;
}

TEST(Reconnect, BackoffDoublesUpToTheMaximum) {
  ReconnectPolicy p;
  EXPECT_EQ(backoff_delay(0, p).count(), 200);
  EXPECT_EQ(backoff_delay(1, p).count(), 400);
  EXPECT_EQ(backoff_delay(3, p).count(), 1600);
  EXPECT_EQ(backoff_delay(4, p).count(), 2000);
  EXPECT_EQ(backoff_delay(40, p).count(), 2000);
}

TEST(Reconnect, RetriesConnectionFailuresOnly) {
  EXPECT_TRUE(is_retryable(grpc::StatusCode::UNAVAILABLE));
  EXPECT_TRUE(is_retryable(grpc::StatusCode::CANCELLED));
  EXPECT_FALSE(is_retryable(grpc::StatusCode::NOT_FOUND));
  EXPECT_FALSE(is_retryable(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(is_retryable(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_FALSE(is_retryable(grpc::StatusCode::UNIMPLEMENTED));
}

}  // namespace
}  // namespace auction::cli
