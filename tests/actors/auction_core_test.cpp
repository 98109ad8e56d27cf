// AuctionCore without actors, gRPC or a database: every command and commit
// outcome, with the test as clock, commit queue and timer wheel.
#include "actors/auction_core.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core_harness.hpp"

namespace auction::actors::testing {
namespace {

std::vector<EventType> types(const std::vector<AuctionEvent>& events) {
  std::vector<EventType> t;
  t.reserve(events.size());
  for (const auto& e : events) t.push_back(e.type);
  return t;
}

TEST(AuctionCore, ABidIsAnsweredOnlyAfterItsCommitWithTheCommittedId) {
  CoreHarness h(fresh(one_hour_terms()));
  auto a = h.bid(7, 1'500);
  EXPECT_FALSE(a.answered());
  ASSERT_EQ(h.submitted.size(), 1U);
  const auto& write = h.submitted.front().write;
  ASSERT_EQ(write.bids.size(), 1U);
  EXPECT_EQ(write.bids[0].bidder_id, 7);
  EXPECT_EQ(write.bids[0].max_amount, 1'500);
  EXPECT_TRUE(write.bids[0].accepted);
  EXPECT_EQ(h.submitted.front().prev_version, 1);
  EXPECT_EQ(write.state.version, 2);
  EXPECT_TRUE(h.published.empty()) << "nothing is published before its commit";

  h.next_id = 900;
  h.commit();
  ASSERT_TRUE(a.ok()) << a.describe();
  EXPECT_EQ(a.value().bid_id, 900);
  EXPECT_TRUE(a.value().accepted);
  EXPECT_TRUE(a.value().leading);
  EXPECT_EQ(a.value().current_price, 1'000);
  EXPECT_EQ(a.value().leader, 7);
  EXPECT_EQ(a.value().version, 2);
  EXPECT_EQ(a.value().minimum_next_bid, 1'050);
  EXPECT_EQ(types(h.published), std::vector<EventType>{EventType::kBidPlaced});
  EXPECT_EQ(h.core.record().state.version, 2);
  EXPECT_EQ(h.core.view(5).top_bidders.size(), 1U);
  EXPECT_EQ(h.core.view(5).record.leader_name, "user7");
}

TEST(AuctionCore, BidsDecidedWhileABatchIsInFlightCommitTogetherInTheNextBatch) {
  CoreHarness h(fresh(one_hour_terms()));
  auto first = h.bid(7, 1'500);
  auto second = h.bid(8, 2'000);
  auto third = h.bid(9, 1'100);  // below the minimum after the second: rejected
  ASSERT_EQ(h.submitted.size(), 1U) << "one batch in flight at a time";
  h.commit();
  EXPECT_TRUE(first.ok());
  EXPECT_FALSE(second.answered());
  ASSERT_EQ(h.submitted.size(), 1U);
  const auto& next = h.submitted.front();
  ASSERT_EQ(next.write.bids.size(), 2U);
  EXPECT_EQ(next.prev_version, 2) << "the next batch builds on the committed version";
  EXPECT_EQ(next.write.bids[0].bidder_id, 8);
  EXPECT_FALSE(next.write.bids[1].accepted) << "rejections are recorded too";
  h.commit();
  EXPECT_TRUE(second.value().leading);
  EXPECT_EQ(second.value().current_price, 1'550);
  EXPECT_FALSE(third.value().accepted);
  EXPECT_EQ(third.value().reason, RejectReason::kBidTooLow);
  EXPECT_EQ(third.value().minimum_next_bid, 1'600);
  EXPECT_EQ(types(h.published),
            (std::vector<EventType>{EventType::kBidPlaced, EventType::kBidPlaced}));
}

TEST(AuctionCore, TheOutbidLeaderIsNotifiedInTheSameWrite) {
  CoreHarness h(fresh(one_hour_terms()));
  h.bid(7, 1'500);
  h.commit();
  h.bid(8, 2'000);
  const auto batch = h.commit();
  ASSERT_EQ(batch.write.notices.size(), 1U);
  EXPECT_EQ(batch.write.notices[0].user, 7);
  EXPECT_EQ(batch.write.notices[0].type, NoticeType::kOutbid);
  EXPECT_EQ(batch.write.notices[0].amount, 1'550);
}

TEST(AuctionCore, AFailedCommitAnswersEveryPendingCallerAndRefusesWritesUntilReloaded) {
  CoreHarness h(fresh(one_hour_terms()));
  auto in_flight = h.bid(7, 1'500);
  auto queued = h.bid(8, 2'000);
  auto keyed = h.bid(8, 2'000, "k1");
  h.fail_commit(unavailable("connection lost"));
  EXPECT_EQ(in_flight.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(queued.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(keyed.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(h.submitted.empty()) << "nothing more is written while the state is unknown";
  EXPECT_EQ(h.reloads, 1);
  EXPECT_EQ(h.core.record().state.version, 1);

  auto refused = h.bid(9, 5'000);
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(h.reloads, 1) << "one reload at a time";

  // The database says the first bid did commit after all.
  auto stored = fresh(one_hour_terms());
  place_bid(stored.record.state, BidAttempt{7, 1'500, false, h.now});
  h.reloaded(std::optional<persistence::LoadedAuction>(stored));
  EXPECT_EQ(h.core.record().state.leader, 7);
  EXPECT_EQ(h.core.record().state.version, 2);
  auto after = h.bid(8, 2'000, "k1");
  h.commit();
  EXPECT_TRUE(after.value().leading) << "the key of a failed batch can be used again";
  EXPECT_EQ(after.value().version, 3);
}

TEST(AuctionCore, AFailedReloadIsRetriedAndAVanishedAuctionRetires) {
  CoreHarness h(fresh(one_hour_terms()));
  h.bid(7, 1'500);
  h.fail_commit(unavailable("down"));
  ASSERT_EQ(h.reloads, 1);
  h.reloaded(unavailable("still down"));
  EXPECT_EQ(h.reload_retries, 1);
  h.core.retry_reload();
  h.collect();
  EXPECT_EQ(h.reloads, 2);
  h.reloaded(std::optional<persistence::LoadedAuction>{});
  EXPECT_EQ(h.retirements, 1);
}

TEST(AuctionCore, ACommitOutcomeForAnOlderBatchIsIgnored) {
  CoreHarness h(fresh(one_hour_terms()));
  auto a = h.bid(7, 1'500);
  h.core.committed(999, std::vector<std::int64_t>{1});
  h.collect();
  EXPECT_FALSE(a.answered());
  h.commit();
  EXPECT_TRUE(a.ok());
}

TEST(AuctionCore, TheSameKeyGetsTheFirstAnswerWhetherInFlightCommittedOrReloaded) {
  CoreHarness h(fresh(one_hour_terms()));
  auto first = h.bid(7, 1'500, "key");
  auto while_in_flight = h.bid(7, 1'500, "key");
  EXPECT_FALSE(while_in_flight.answered());
  h.commit();
  EXPECT_EQ(first.value().bid_id, while_in_flight.value().bid_id);
  auto later = h.bid(7, 1'500, "key");
  EXPECT_EQ(later.value().bid_id, first.value().bid_id);
  EXPECT_TRUE(h.submitted.empty()) << "a retry writes nothing";
  auto other_amount = h.bid(7, 1'600, "key");
  EXPECT_EQ(other_amount.code(), ErrorCode::kAlreadyExists);
  auto as_buy_now = h.buy_now(7, "key");
  EXPECT_EQ(as_buy_now.code(), ErrorCode::kAlreadyExists);

  // After a restart the answer comes from the stored row.
  auto stored = fresh(one_hour_terms());
  persistence::BidRow row;
  row.id = 77;
  row.auction_id = kAuction;
  row.bidder_id = 7;
  row.max_amount = 1'500;
  row.accepted = true;
  row.leading = true;
  row.price_after = 1'000;
  row.version_after = 2;
  row.idempotency_key = "key";
  stored.keyed_bids.push_back(row);
  CoreHarness restarted(stored);
  auto retry = restarted.bid(7, 1'500, "key");
  EXPECT_EQ(retry.value().bid_id, 77);
  EXPECT_TRUE(restarted.submitted.empty());
}

TEST(AuctionCore, ACommandWhoseDeadlinePassedIsRefusedAndNotApplied) {
  CoreHarness h(fresh(one_hour_terms()));
  auto late = h.bid(7, 1'500, {}, h.now - milliseconds(1));
  EXPECT_EQ(late.code(), ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(h.submitted.empty());
  EXPECT_EQ(h.core.record().state.version, 1);
}

TEST(AuctionCore, BuyNowEndsTheAuctionSoldAndRetiresAfterTheCommit) {
  auto terms = one_hour_terms();
  terms.buy_now_price = 5'000;
  CoreHarness h(fresh(terms));
  h.bid(8, 1'200);
  h.commit();
  auto bought = h.buy_now(7, "buy");
  auto again = h.buy_now(7, "buy");
  EXPECT_EQ(again.code(), ErrorCode::kUnavailable) << again.describe();
  auto late_bid = h.bid(9, 9'000);
  ASSERT_EQ(h.submitted.size(), 1U);
  EXPECT_EQ(types(h.submitted.front().write.events), std::vector<EventType>{EventType::kEnded});
  EXPECT_TRUE(h.submitted.front().write.bids[0].buy_now);
  h.commit();
  ASSERT_TRUE(bought.ok());
  EXPECT_EQ(bought.value().auction.record.state.outcome, Outcome::kSold);
  EXPECT_EQ(bought.value().auction.record.state.winner, 7);
  EXPECT_EQ(bought.value().auction.record.state.final_price, 5'000);
  EXPECT_EQ(h.retirements, 1);
  h.commit();  // the bid decided after the purchase: recorded, rejected
  EXPECT_EQ(late_bid.value().reason, RejectReason::kAuctionEnded);
  auto retry = h.buy_now(7, "buy");
  EXPECT_EQ(retry.value().bid_id, bought.value().bid_id);
}

TEST(AuctionCore, BuyNowRefusalsSayWhyAndWriteNothing) {
  auto terms = one_hour_terms();
  terms.buy_now_price = 5'000;
  CoreHarness h(fresh(terms));
  EXPECT_EQ(h.buy_now(kSeller).code(), ErrorCode::kPermissionDenied);
  CoreHarness no_price(fresh(one_hour_terms()));
  EXPECT_EQ(no_price.buy_now(7).code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(h.submitted.empty());
  EXPECT_TRUE(no_price.submitted.empty());
}

TEST(AuctionCore, TheSellerCancelsWithoutBidsAndAnAdminWithBids) {
  CoreHarness quiet(fresh(one_hour_terms()));
  auto cancelled = quiet.cancel(user(kSeller));
  quiet.commit();
  EXPECT_EQ(cancelled.value().record.state.phase, Phase::kCancelled);
  EXPECT_EQ(quiet.retirements, 1);
  EXPECT_EQ(types(quiet.published), std::vector<EventType>{EventType::kCancelled});

  CoreHarness busy(fresh(one_hour_terms()));
  busy.bid(7, 1'500);
  busy.commit();
  auto by_seller = busy.cancel(user(kSeller));
  EXPECT_EQ(by_seller.code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(busy.submitted.empty());
  EXPECT_EQ(busy.cancel(user(7)).code(), ErrorCode::kPermissionDenied);
  Caller admin = user(2);
  admin.is_admin = true;
  auto by_admin = busy.cancel(admin);
  const auto batch = busy.commit();
  EXPECT_EQ(by_admin.value().record.state.phase, Phase::kCancelled);
  ASSERT_EQ(batch.write.notices.size(), 1U);
  EXPECT_EQ(batch.write.notices[0].type, NoticeType::kCancelled);
  EXPECT_EQ(batch.write.notices[0].user, 7);
}

TEST(AuctionCore, TheEndTimerIsArmedForTheEndAndClosesTheAuctionExactlyThen) {
  CoreHarness h(fresh(one_hour_terms()));
  ASSERT_TRUE(h.end_timer.has_value());
  EXPECT_EQ(h.end_timer->at, kStart + hours(1));
  h.bid(7, 1'500);
  h.commit();

  h.now = kStart + hours(1) - milliseconds(1);  // woke early: armed again
  const auto early = h.end_timer->generation;
  h.fire_end_timer();
  EXPECT_TRUE(h.submitted.empty());
  EXPECT_GT(h.end_timer->generation, early);

  auto just_before = h.bid(8, 2'000);
  h.commit();
  EXPECT_TRUE(just_before.value().accepted) << "a bid before the end counts";

  h.now = kStart + hours(1);
  h.fire_end_timer();
  ASSERT_EQ(h.submitted.size(), 1U);
  const auto& end = h.submitted.front().write;
  EXPECT_EQ(types(end.events), std::vector<EventType>{EventType::kEnded});
  EXPECT_EQ(end.state.winner, 8);
  EXPECT_EQ(end.state.ended_at, kStart + hours(1));
  auto at_the_end = h.bid(9, 9'000);
  h.commit_all();
  EXPECT_EQ(at_the_end.value().reason, RejectReason::kAuctionEnded)
      << "a bid processed at the end instant is too late";
  EXPECT_EQ(h.retirements, 1);
  EXPECT_TRUE(h.core.is_final());
}

TEST(AuctionCore, AStaleTimerGenerationDoesNothing) {
  auto terms = one_hour_terms();
  terms.soft_close_window = minutes(2);
  terms.soft_close_extension = minutes(2);
  CoreHarness h(fresh(terms));
  const TimerRequest original = *h.end_timer;
  h.now = kStart + hours(1) - seconds(30);
  h.bid(7, 1'500);  // in the window: the end moves
  h.commit();
  ASSERT_NE(h.end_timer->generation, original.generation);
  EXPECT_EQ(h.end_timer->at, h.now + minutes(2));

  h.now = original.at;
  h.core.end_timer_fired(original.generation, h.now);
  h.collect();
  EXPECT_TRUE(h.submitted.empty()) << "the timer for the old end must not close the auction";
  EXPECT_FALSE(h.core.is_final());
  EXPECT_EQ(types(h.published),
            (std::vector<EventType>{EventType::kBidPlaced, EventType::kTimeExtended}));
}

TEST(AuctionCore, ACappedAuctionEndsAtTheOriginalEndPlusTheCap) {
  auto terms = one_hour_terms();
  terms.soft_close_window = minutes(2);
  terms.soft_close_extension = minutes(2);
  terms.soft_close_max_extension = seconds(150);
  const TimePoint cap_end = kStart + hours(1) + seconds(150);
  CoreHarness h(fresh(terms));
  // A bidding war, one bid every minute in the window: the end moves with it
  // until the cap, then stays.
  h.now = kStart + hours(1) - minutes(1);
  Money amount = 1'500;
  for (UserId bidder : {7, 8, 7, 8}) {
    auto reply = h.bid(bidder, amount);
    h.commit_all();
    ASSERT_TRUE(reply.value().accepted) << "bid at " << (h.now - kStart).count();
    EXPECT_EQ(h.end_timer->at, std::min(h.now + minutes(2), cap_end));
    amount += 1'000;
    h.now += minutes(1);
  }
  ASSERT_EQ(h.core.record().state.end_time, cap_end);
  EXPECT_EQ(h.end_timer->at, cap_end);
  EXPECT_EQ(types(h.published),
            (std::vector<EventType>{EventType::kBidPlaced, EventType::kTimeExtended,
                                    EventType::kBidPlaced, EventType::kTimeExtended,
                                    EventType::kBidPlaced, EventType::kTimeExtended,
                                    EventType::kBidPlaced}))
      << "at the cap a bid no longer extends";

  h.now = cap_end - milliseconds(1);
  h.fire_end_timer();
  EXPECT_TRUE(h.submitted.empty());
  h.now = cap_end;
  h.fire_end_timer();
  ASSERT_EQ(h.submitted.size(), 1U);
  EXPECT_EQ(types(h.submitted.front().write.events), std::vector<EventType>{EventType::kEnded});
  EXPECT_EQ(h.submitted.front().write.state.ended_at, cap_end);
  h.commit();
  EXPECT_TRUE(h.core.is_final());
}

TEST(AuctionCore, AnOverdueAuctionEndsAtStartWithItsScheduledEndTime) {
  auto stored = fresh(one_hour_terms());
  place_bid(stored.record.state, BidAttempt{7, 1'500, false, kStart + minutes(1)});
  CoreHarness h(stored, kStart + hours(3));
  ASSERT_EQ(h.submitted.size(), 1U);
  EXPECT_EQ(h.submitted.front().write.state.ended_at, kStart + hours(1));
  EXPECT_EQ(h.submitted.front().write.state.outcome, Outcome::kSold);
  h.commit();
  EXPECT_EQ(h.retirements, 1);
}

TEST(AuctionCore, AGetAfterTheEndWaitsForTheEndsCommit) {
  CoreHarness h(fresh(one_hour_terms()));
  h.now = kStart + hours(2);
  auto view = h.get();
  EXPECT_FALSE(view.answered()) << "nobody sees an ended auction without its outcome";
  h.commit();
  EXPECT_EQ(view.value().record.state.phase, Phase::kEnded);
  EXPECT_EQ(view.value().record.state.outcome, Outcome::kUnsold);
}

TEST(AuctionCore, EndingSoonIsDueLeadBeforeTheEndAndWrittenOnce) {
  CoreHarness h(fresh(one_hour_terms()));
  ASSERT_TRUE(h.ending_soon_timer.has_value());
  EXPECT_EQ(h.ending_soon_timer->at, kStart + minutes(55));
  h.now = kStart + minutes(55);
  h.fire_ending_soon_timer();
  ASSERT_EQ(h.submitted.size(), 1U);
  EXPECT_TRUE(h.submitted.front().write.ending_soon);
  h.commit();
  EXPECT_TRUE(h.core.record().ending_soon_sent);
  h.fire_ending_soon_timer();
  EXPECT_TRUE(h.submitted.empty()) << "ENDING_SOON goes out once";
}

/// The README's example: two minutes, a bid in the last `window` moves the
/// end to bid time + `window`.
AuctionTerms two_minute_terms(Duration window) {
  auto terms = one_hour_terms();
  terms.original_end_time = kStart + minutes(2);
  terms.soft_close_window = window;
  terms.soft_close_extension = window;
  return terms;
}

TEST(AuctionCore, AShortAuctionGetsEndingSoonAQuarterOfItsLengthBeforeTheEnd) {
  // The default 5-minute lead, longer than the auction: ENDING_SOON must not
  // go out at the start, before anyone has bid or followed.
  CoreHarness h(fresh(two_minute_terms(seconds(30))), kStart + seconds(1), minutes(5));
  ASSERT_TRUE(h.ending_soon_timer.has_value());
  EXPECT_EQ(h.ending_soon_timer->at, kStart + seconds(90));
  h.now = kStart + seconds(90);
  h.fire_ending_soon_timer();
  ASSERT_EQ(h.submitted.size(), 1U);
  EXPECT_TRUE(h.submitted.front().write.ending_soon);
  h.commit();
  EXPECT_TRUE(h.core.record().ending_soon_sent);
}

TEST(AuctionCore, AnExtendedShortAuctionGetsEndingSoonOnceWithTheSameLeadBeforeTheNewEnd) {
  CoreHarness h(fresh(two_minute_terms(seconds(60))), kStart + seconds(1), minutes(5));
  h.now = kStart + seconds(70);
  h.bid(7, 1'500);  // in the last 60 s: the end moves to 130 s
  h.commit();
  ASSERT_EQ(h.core.record().state.end_time, kStart + seconds(130));

  h.now = kStart + seconds(90);  // the timer set for the original end
  h.fire_ending_soon_timer();
  EXPECT_TRUE(h.submitted.empty()) << "not due yet: the end moved";
  ASSERT_TRUE(h.ending_soon_timer.has_value());
  EXPECT_EQ(h.ending_soon_timer->at, kStart + seconds(100))
      << "a quarter of the scheduled 2 minutes before the new end";

  h.now = kStart + seconds(100);
  h.fire_ending_soon_timer();
  ASSERT_EQ(h.submitted.size(), 1U);
  EXPECT_TRUE(h.submitted.front().write.ending_soon);
  h.commit();
  h.fire_ending_soon_timer();
  EXPECT_TRUE(h.submitted.empty()) << "ENDING_SOON goes out once";
}

TEST(AuctionCore, AttemptRowsCarryTheStateRightAfterTheAttempt) {
  AuctionState s = open_auction(one_hour_terms());
  const TimePoint at = kStart + minutes(3);
  const BidDecision d = place_bid(s, BidAttempt{7, 1'500, false, at});
  const auto row = attempt_row(s, user(7), 1'500, d, at, "k");
  EXPECT_EQ(row.auction_id, kAuction);
  EXPECT_EQ(row.bidder_name, "user7");
  EXPECT_TRUE(row.accepted);
  EXPECT_EQ(row.price_after, s.current_price);
  EXPECT_EQ(row.leader_after, 7);
  EXPECT_EQ(row.min_next_after, minimum_next_bid(s));
  EXPECT_EQ(row.ends_at_after, s.end_time);
  EXPECT_EQ(row.version_after, 2);
  EXPECT_EQ(row.placed_at, at);
  EXPECT_EQ(row.idempotency_key, "k");
}

// Random bids, committed in random splits: whatever the batching, the
// committed state equals domain/'s replay of the accepted bids in order, and
// every answer equals the replay right after that bid.
TEST(AuctionCore, RandomBatchingAgreesWithDomainReplay) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    auto terms = one_hour_terms();
    if (seed % 3 == 0) terms.reserve_price = 3'000;
    if (seed % 4 == 0) {
      terms.soft_close_window = minutes(10);
      terms.soft_close_extension = minutes(5);
    }
    CoreHarness h(fresh(terms));
    struct Sent {
      UserId bidder;
      Money max;
      TimePoint at;
      Answer<BidReply> answer;
    };
    std::vector<Sent> sent;
    for (int i = 0; i < 80; ++i) {
      h.now += seconds(std::uniform_int_distribution<int>(1, 40)(rng));
      const UserId who = std::uniform_int_distribution<UserId>(2, 6)(rng);
      const Money max = std::uniform_int_distribution<Money>(900, 8'000)(rng);
      sent.push_back({who, max, h.now, h.bid(who, max)});
      if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) h.commit_all();
    }
    h.commit_all();
    std::vector<AcceptedBid> accepted;
    for (const auto& s : sent) {
      ASSERT_TRUE(s.answer.ok()) << "seed " << seed << ": " << s.answer.describe();
      const BidReply& r = s.answer.value();
      if (!r.accepted) continue;
      accepted.push_back({s.bidder, s.max, s.at});
      const AuctionState expected = replay(terms, accepted);
      EXPECT_EQ(r.current_price, expected.current_price) << "seed " << seed;
      EXPECT_EQ(r.leader, expected.leader) << "seed " << seed;
      EXPECT_EQ(r.ends_at, expected.end_time) << "seed " << seed;
    }
    const AuctionState expected = replay(terms, accepted);
    const AuctionState& got = h.core.record().state;
    EXPECT_EQ(got.current_price, expected.current_price) << "seed " << seed;
    EXPECT_EQ(got.leader, expected.leader) << "seed " << seed;
    EXPECT_EQ(got.bid_count, expected.bid_count) << "seed " << seed;
    EXPECT_EQ(got.end_time, expected.end_time) << "seed " << seed;
    EXPECT_EQ(got.version, expected.version) << "seed " << seed;
    EXPECT_EQ(static_cast<std::int64_t>(h.published.size()), got.version - 1)
        << "one published event per version, seed " << seed;
    for (std::size_t i = 0; i < h.published.size(); ++i) {
      EXPECT_EQ(h.published[i].version, static_cast<std::int64_t>(i) + 2) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace auction::actors::testing
