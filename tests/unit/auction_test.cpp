// The auction rules (SPEC section 3) through the domain API: proxy bidding,
// rejections, versions and events, soft close, the end, buy now and cancel.
#include "domain/auction.hpp"
#include "state_assertions.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace auction {

// Readable failure output for reject reasons (found by ADL).
static void PrintTo(RejectReason r, std::ostream* os) {
  static constexpr std::array<const char*, 7> kNames = {
      "kNone",    "kBidTooLow",      "kAuctionNotStarted", "kAuctionEnded", "kAuctionCancelled",
      "kSelfBid", "kBidderSuspended"};
  *os << kNames.at(static_cast<std::size_t>(r));
}

namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr UserId kSeller = 1;
constexpr UserId kAlice = 10;
constexpr UserId kBob = 11;
constexpr UserId kCarol = 12;
constexpr UserId kAdmin = 99;

constexpr TimePoint kStart{seconds{1'700'000'000}};
constexpr TimePoint kEnd = kStart + hours{24 * 7};
constexpr TimePoint kMid = kStart + hours{1};
constexpr microseconds kTick{1};

AuctionTerms make_terms(Money starting, Money reserve = 0, Money buy_now_price = 0,
                        Money fixed_increment = 0) {
  AuctionTerms t;
  t.id = 42;
  t.seller_id = kSeller;
  t.currency = "USD";
  t.starting_price = starting;
  t.reserve_price = reserve;
  t.buy_now_price = buy_now_price;
  t.increment.fixed = fixed_increment;
  t.start_time = kStart;
  t.original_end_time = kEnd;
  return t;
}

AuctionTerms soft_close_terms(Money starting, minutes window, minutes extension,
                              Duration max_extension = Duration{0}) {
  AuctionTerms t = make_terms(starting);
  t.soft_close_window = window;
  t.soft_close_extension = extension;
  t.soft_close_max_extension = max_extension;
  return t;
}

BidDecision bid(AuctionState& s, UserId bidder, Money max_amount, TimePoint at = kMid,
                bool suspended = false) {
  return place_bid(s, BidAttempt{bidder, max_amount, suspended, at});
}

/// Places a bid that must be accepted; returns whether the bidder leads after it.
bool leads_after(AuctionState& s, UserId bidder, Money max_amount, TimePoint at = kMid) {
  const BidDecision d = bid(s, bidder, max_amount, at);
  EXPECT_TRUE(d.accepted) << "bid of " << max_amount << " by " << bidder;
  EXPECT_EQ(d.reason, RejectReason::kNone);
  return d.leading;
}

void expect_rejected_unchanged(AuctionState& s, const BidAttempt& attempt, RejectReason why) {
  const AuctionState before = s;
  const BidDecision d = place_bid(s, attempt);
  EXPECT_FALSE(d.accepted);
  EXPECT_EQ(d.reason, why);
  EXPECT_TRUE(d.events.empty());
  EXPECT_TRUE(same_state(s, before));
}

// ---------------------------------------------------------------- proxy bidding

TEST(ProxyBidding, FreshAuctionAsksForTheStartingPrice) {
  const AuctionState s = open_auction(make_terms(100));
  EXPECT_EQ(s.current_price, 100);
  EXPECT_EQ(minimum_next_bid(s), 100);
  EXPECT_FALSE(s.leader.has_value());
  EXPECT_EQ(s.bid_count, 0);
  EXPECT_EQ(s.end_time, kEnd);
  EXPECT_EQ(s.version, 1);
}

TEST(ProxyBidding, BidAtExactlyTheStartingPriceIsAccepted) {
  AuctionState s = open_auction(make_terms(100));
  expect_rejected_unchanged(s, {kAlice, 99, false, kMid}, RejectReason::kBidTooLow);
  EXPECT_TRUE(leads_after(s, kAlice, 100));
  EXPECT_EQ(s.current_price, 100);
}

TEST(ProxyBidding, OneBidderPaysTheStartingPrice) {
  AuctionState s = open_auction(make_terms(100));
  EXPECT_TRUE(leads_after(s, kAlice, 5'000));
  EXPECT_EQ(s.leader, kAlice);
  EXPECT_EQ(s.current_price, 100);
  EXPECT_EQ(s.bid_count, 1);
  EXPECT_EQ(minimum_next_bid(s), 125);  // 1.00 + 0.25
}

TEST(ProxyBidding, LowerBidIsAcceptedButImmediatelyOutbid) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  EXPECT_FALSE(leads_after(s, kBob, 300));
  EXPECT_EQ(s.leader, kAlice);
  EXPECT_EQ(s.current_price, 325);  // 3.00 + 0.25
  EXPECT_EQ(s.bid_count, 2);
  EXPECT_EQ(minimum_next_bid(s), 350);  // 3.25 + 0.25
}

TEST(ProxyBidding, NewLeaderPaysSecondMaximumPlusItsIncrement) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 490));
  EXPECT_TRUE(leads_after(s, kBob, 1'000));
  EXPECT_EQ(s.leader, kBob);
  // 4.90 + increment(4.90) = 4.90 + 0.25, not 4.90 + increment(5.15) = 4.90 + 0.50.
  EXPECT_EQ(s.current_price, 515);
  EXPECT_EQ(minimum_next_bid(s), 565);  // 5.15 + 0.50
}

TEST(ProxyBidding, PriceIsCappedAtTheHighestMaximum) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  EXPECT_FALSE(leads_after(s, kBob, 990));
  EXPECT_EQ(s.leader, kAlice);
  EXPECT_EQ(s.current_price, 1'000);  // min(10.00, 9.90 + 0.50)
  EXPECT_EQ(minimum_next_bid(s), 1'050);
}

TEST(ProxyBidding, EqualMaximaTheEarlierBidLeads) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  EXPECT_FALSE(leads_after(s, kBob, 1'000));
  EXPECT_EQ(s.leader, kAlice);
  EXPECT_EQ(s.current_price, 1'000);

  AuctionState t = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(t, kBob, 1'000));
  EXPECT_FALSE(leads_after(t, kAlice, 1'000));
  EXPECT_EQ(t.leader, kBob);
  EXPECT_EQ(t.current_price, 1'000);
}

TEST(ProxyBidding, OutbidderCanRetakeTheLead) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  ASSERT_TRUE(leads_after(s, kBob, 1'000));  // Bob leads at 5.50
  EXPECT_EQ(s.current_price, 550);
  EXPECT_TRUE(leads_after(s, kAlice, 3'000));
  EXPECT_EQ(s.leader, kAlice);
  EXPECT_EQ(s.current_price, 1'050);  // 10.00 + 0.50
  EXPECT_FALSE(leads_after(s, kCarol, 2'000));
  EXPECT_EQ(s.leader, kAlice);
  EXPECT_EQ(s.current_price, 2'050);  // 20.00 + 0.50
}

TEST(ProxyBidding, LeaderRaisingOwnMaximumDoesNotRaiseThePrice) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  ASSERT_TRUE(leads_after(s, kBob, 1'000));
  ASSERT_EQ(s.current_price, 550);
  EXPECT_TRUE(leads_after(s, kBob, 5'000));
  EXPECT_EQ(s.leader, kBob);
  EXPECT_EQ(s.current_price, 550);
  EXPECT_EQ(s.bid_count, 3);
  EXPECT_EQ(minimum_next_bid(s), 600);
  // The raised maximum is what now defends Bob's lead.
  EXPECT_FALSE(leads_after(s, kCarol, 4'000));
  EXPECT_EQ(s.leader, kBob);
  EXPECT_EQ(s.current_price, 4'100);  // 40.00 + 1.00
}

TEST(ProxyBidding, LeaderRebidNotAboveOwnMaximumIsTooLow) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  // 5.00 is above the minimum next bid (1.25) but would not raise Alice's maximum.
  expect_rejected_unchanged(s, {kAlice, 500, false, kMid}, RejectReason::kBidTooLow);
  expect_rejected_unchanged(s, {kAlice, 1'000, false, kMid}, RejectReason::kBidTooLow);
}

TEST(ProxyBidding, OneBidderPaysTheReserveOnceTheirMaximumMeetsIt) {
  AuctionState s = open_auction(make_terms(100, 5'000));
  EXPECT_FALSE(reserve_met(s));
  ASSERT_TRUE(leads_after(s, kAlice, 8'000));
  EXPECT_EQ(s.current_price, 5'000);
  EXPECT_TRUE(reserve_met(s));
  EXPECT_EQ(minimum_next_bid(s), 5'100);  // 50.00 + 1.00
}

TEST(ProxyBidding, LeaderRaisingOwnMaximumMovesThePriceToMeetTheReserve) {
  AuctionState s = open_auction(make_terms(100, 5'000));
  ASSERT_TRUE(leads_after(s, kAlice, 2'000));
  EXPECT_EQ(s.current_price, 100);
  EXPECT_FALSE(reserve_met(s));
  ASSERT_TRUE(leads_after(s, kAlice, 4'999));  // still below the reserve
  EXPECT_EQ(s.current_price, 100);
  EXPECT_FALSE(reserve_met(s));
  ASSERT_TRUE(leads_after(s, kAlice, 6'000));
  EXPECT_EQ(s.current_price, 5'000);
  EXPECT_TRUE(reserve_met(s));
  // From then on the usual proxy rule applies on top of the reserve.
  EXPECT_FALSE(leads_after(s, kBob, 5'500));
  EXPECT_EQ(s.leader, kAlice);
  EXPECT_EQ(s.current_price, 5'600);  // min(60.00, 55.00 + 1.00)
}

TEST(ProxyBidding, PriceJumpsToTheReserveWhenTheNewLeaderMeetsIt) {
  AuctionState s = open_auction(make_terms(100, 5'000));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  ASSERT_TRUE(leads_after(s, kBob, 8'000));
  EXPECT_EQ(s.leader, kBob);
  EXPECT_EQ(s.current_price, 5'000);  // 10.50 raised to the reserve
  EXPECT_TRUE(reserve_met(s));
}

TEST(ProxyBidding, ReserveNotMetLeavesTheProxyPrice) {
  AuctionState s = open_auction(make_terms(100, 5'000));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  ASSERT_TRUE(leads_after(s, kBob, 3'000));
  EXPECT_EQ(s.current_price, 1'050);
  EXPECT_FALSE(reserve_met(s));
}

TEST(ProxyBidding, ReserveEqualToStartingPriceIsMetByTheFirstBid) {
  AuctionState s = open_auction(make_terms(1'000, 1'000));
  EXPECT_FALSE(reserve_met(s));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  EXPECT_TRUE(reserve_met(s));
  EXPECT_EQ(s.current_price, 1'000);
}

TEST(ProxyBidding, NoReserveCountsAsMet) {
  const AuctionState s = open_auction(make_terms(100));
  EXPECT_TRUE(reserve_met(s));
}

TEST(ProxyBidding, FixedIncrementPolicy) {
  AuctionState s = open_auction(make_terms(1'000, 0, 0, 200));
  ASSERT_TRUE(leads_after(s, kAlice, 5'000));
  EXPECT_EQ(s.current_price, 1'000);
  EXPECT_EQ(minimum_next_bid(s), 1'200);
  EXPECT_FALSE(leads_after(s, kBob, 2'000));
  EXPECT_EQ(s.current_price, 2'200);
  EXPECT_EQ(minimum_next_bid(s), 2'400);
  expect_rejected_unchanged(s, {kBob, 2'399, false, kMid}, RejectReason::kBidTooLow);
  EXPECT_FALSE(leads_after(s, kBob, 2'400));
  EXPECT_EQ(s.current_price, 2'600);
}

TEST(ProxyBidding, MinimumNextBidUsesTheIncrementOfTheCurrentPrice) {
  AuctionState s = open_auction(make_terms(2'400));
  ASSERT_TRUE(leads_after(s, kAlice, 10'000));
  ASSERT_EQ(s.current_price, 2'400);
  EXPECT_EQ(minimum_next_bid(s), 2'450);  // 24.00 + 0.50
  expect_rejected_unchanged(s, {kBob, 2'449, false, kMid}, RejectReason::kBidTooLow);
  EXPECT_FALSE(leads_after(s, kBob, 2'450));
  EXPECT_EQ(s.current_price, 2'500);  // 24.50 + increment(24.50) = 24.50 + 0.50
}

// ------------------------------------------------------------------- rejections

TEST(Rejections, TooLowLeavesTheStateUnchanged) {
  AuctionState s = open_auction(make_terms(100));
  expect_rejected_unchanged(s, {kAlice, 1, false, kMid}, RejectReason::kBidTooLow);
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  ASSERT_FALSE(leads_after(s, kBob, 500));
  const Money next = minimum_next_bid(s);
  expect_rejected_unchanged(s, {kCarol, next - 1, false, kMid}, RejectReason::kBidTooLow);
  expect_rejected_unchanged(s, {kBob, next - 1, false, kMid}, RejectReason::kBidTooLow);
}

TEST(Rejections, NotStarted) {
  AuctionState s = open_auction(make_terms(100));
  expect_rejected_unchanged(s, {kAlice, 1'000, false, kStart - kTick},
                            RejectReason::kAuctionNotStarted);
  expect_rejected_unchanged(s, {kAlice, 1'000, false, kStart - hours{5}},
                            RejectReason::kAuctionNotStarted);
  EXPECT_TRUE(leads_after(s, kAlice, 1'000, kStart));  // the start instant is open
}

TEST(Rejections, SelfBid) {
  AuctionState s = open_auction(make_terms(100));
  expect_rejected_unchanged(s, {kSeller, 1'000, false, kMid}, RejectReason::kSelfBid);
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  expect_rejected_unchanged(s, {kSeller, 1'000, false, kMid}, RejectReason::kSelfBid);
}

TEST(Rejections, SuspendedBidder) {
  AuctionState s = open_auction(make_terms(100));
  expect_rejected_unchanged(s, {kAlice, 1'000, true, kMid}, RejectReason::kBidderSuspended);
  ASSERT_TRUE(leads_after(s, kBob, 500));
  expect_rejected_unchanged(s, {kAlice, 1'000, true, kMid}, RejectReason::kBidderSuspended);
  // The leader, once suspended, cannot raise either.
  expect_rejected_unchanged(s, {kBob, 1'000, true, kMid}, RejectReason::kBidderSuspended);
}

TEST(Rejections, Cancelled) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(cancel(s, kSeller, false, kMid).ok());
  expect_rejected_unchanged(s, {kAlice, 1'000, false, kMid + kTick},
                            RejectReason::kAuctionCancelled);
  // Also past the original end: still cancelled, not ended.
  expect_rejected_unchanged(s, {kAlice, 1'000, false, kEnd + hours{1}},
                            RejectReason::kAuctionCancelled);
}

TEST(Rejections, AlreadyEnded) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  ASSERT_EQ(close_if_due(s, kEnd).size(), 1U);
  EXPECT_EQ(minimum_next_bid(s), 0);
  EXPECT_EQ(bidding_end(s), kEnd);
  expect_rejected_unchanged(s, {kBob, 5'000, false, kEnd + kTick}, RejectReason::kAuctionEnded);
  expect_rejected_unchanged(s, {kBob, 5'000, false, kEnd + hours{2}}, RejectReason::kAuctionEnded);
}

TEST(Rejections, BidAtExactlyTheEndTimeIsRejectedAndClosesTheAuction) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  const std::int64_t version = s.version;
  const BidDecision d = bid(s, kBob, 5'000, kEnd);
  EXPECT_FALSE(d.accepted);
  EXPECT_EQ(d.reason, RejectReason::kAuctionEnded);
  ASSERT_EQ(d.events.size(), 1U);
  EXPECT_EQ(d.events[0].type, EventType::kEnded);
  EXPECT_EQ(d.events[0].version, version + 1);
  EXPECT_EQ(d.events[0].at, kEnd);
  EXPECT_EQ(s.version, version + 1);
  EXPECT_EQ(s.phase, Phase::kEnded);
  EXPECT_EQ(s.ended_at, kEnd);
  EXPECT_EQ(s.leader, kAlice);  // Bob's bid did not count
  EXPECT_EQ(s.winner, kAlice);
  EXPECT_EQ(s.current_price, 100);
  EXPECT_EQ(s.bid_count, 1);
}

TEST(Rejections, BidJustBeforeTheEndIsAccepted) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  EXPECT_TRUE(leads_after(s, kBob, 5'000, kEnd - kTick));
  EXPECT_EQ(s.phase, Phase::kOpen);
  EXPECT_EQ(s.leader, kBob);
}

TEST(Rejections, LateBidClosesWithTheScheduledEndTime) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  const BidDecision d = bid(s, kBob, 5'000, kEnd + hours{1});
  EXPECT_EQ(d.reason, RejectReason::kAuctionEnded);
  ASSERT_EQ(d.events.size(), 1U);
  EXPECT_EQ(d.events[0].at, kEnd);
  EXPECT_EQ(s.ended_at, kEnd);
}

TEST(Rejections, ReplyTellsWhetherTheBidderStillLeads) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  EXPECT_TRUE(bid(s, kAlice, 500).leading);
  EXPECT_FALSE(bid(s, kBob, 101).leading);
}

// ------------------------------------------------------------ versions & events

TEST(Versions, CreatedEventIsVersionOne) {
  const AuctionState s = open_auction(make_terms(100));
  const AuctionEvent e = created_event(s, kStart - hours{1});
  EXPECT_EQ(e.type, EventType::kCreated);
  EXPECT_EQ(e.version, 1);
  EXPECT_EQ(e.at, kStart - hours{1});
  EXPECT_EQ(e.price, 100);
  EXPECT_EQ(e.bid_count, 0);
  EXPECT_EQ(e.ends_at, kEnd);
  EXPECT_FALSE(e.leader.has_value());
}

TEST(Versions, AcceptedBidIsOneEventCarryingThePublicState) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  const std::int64_t version = s.version;
  const BidDecision d = bid(s, kBob, 1'000, kMid + seconds{3});
  ASSERT_TRUE(d.accepted);
  ASSERT_EQ(d.events.size(), 1U);
  const AuctionEvent& e = d.events[0];
  EXPECT_EQ(e.type, EventType::kBidPlaced);
  EXPECT_EQ(e.version, version + 1);
  EXPECT_EQ(s.version, version + 1);
  EXPECT_EQ(e.at, kMid + seconds{3});
  EXPECT_EQ(e.price, 550);
  EXPECT_EQ(e.leader, kBob);
  EXPECT_EQ(e.bid_count, 2);
  EXPECT_EQ(e.ends_at, kEnd);
}

TEST(Versions, EveryEventOfALifetimeHasTheNextVersion) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{5}, minutes{10}));
  std::vector<AuctionEvent> all{created_event(s, kStart)};
  auto take = [&](const std::vector<AuctionEvent>& events) {
    all.insert(all.end(), events.begin(), events.end());
  };
  take(bid(s, kAlice, 500, kStart + minutes{1}).events);
  take(bid(s, kBob, 300, kStart + minutes{2}).events);
  take(bid(s, kBob, 100, kStart + minutes{3}).events);    // rejected: no event
  take(bid(s, kBob, 2'000, kEnd - minutes{1}).events);    // + extension
  take(bid(s, kAlice, 5'000, kEnd + minutes{8}).events);  // + extension
  take(close_if_due(s, kEnd + hours{2}));
  take(bid(s, kCarol, 9'000, kEnd + hours{3}).events);  // rejected: ended
  ASSERT_EQ(all.size(), 8U);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<std::int64_t>(i) + 1) << "event " << i;
  }
  EXPECT_EQ(s.version, 8);
  EXPECT_EQ(all[1].type, EventType::kBidPlaced);
  EXPECT_EQ(all[2].type, EventType::kBidPlaced);
  EXPECT_EQ(all[3].type, EventType::kBidPlaced);
  EXPECT_EQ(all[4].type, EventType::kTimeExtended);
  EXPECT_EQ(all[5].type, EventType::kBidPlaced);
  EXPECT_EQ(all[6].type, EventType::kTimeExtended);
  EXPECT_EQ(all[7].type, EventType::kEnded);
  EXPECT_EQ(all[7].ends_at, kEnd + minutes{18});
}

// ------------------------------------------------------------------- soft close

TEST(SoftClose, BidInsideTheWindowExtendsTheEnd) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}));
  const TimePoint at = kEnd - minutes{1};
  const std::int64_t version = s.version;
  const BidDecision d = bid(s, kAlice, 500, at);
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(s.end_time, at + minutes{5});
  ASSERT_EQ(d.events.size(), 2U);
  EXPECT_EQ(d.events[0].type, EventType::kBidPlaced);
  EXPECT_EQ(d.events[0].version, version + 1);
  EXPECT_EQ(d.events[1].type, EventType::kTimeExtended);
  EXPECT_EQ(d.events[1].version, version + 2);
  EXPECT_EQ(d.events[1].ends_at, at + minutes{5});
  EXPECT_EQ(s.version, version + 2);
  EXPECT_EQ(s.terms.original_end_time, kEnd);
  // The auction is still open at the original end.
  EXPECT_EQ(status_at(s, kEnd), Status::kActive);
  EXPECT_TRUE(leads_after(s, kBob, 1'000, kEnd));  // 4 min left: outside the window
  EXPECT_EQ(s.end_time, at + minutes{5});
}

TEST(SoftClose, BidOutsideTheWindowDoesNotExtend) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}));
  const BidDecision d = bid(s, kAlice, 500, kEnd - minutes{10});
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(d.events.size(), 1U);
  EXPECT_EQ(s.end_time, kEnd);
}

TEST(SoftClose, ExtensionOnlyMovesTheEndLater) {
  // Window 5 min, extension 1 min: a bid 3 min before the end would give an
  // earlier end, so nothing changes.
  AuctionState s = open_auction(soft_close_terms(100, minutes{5}, minutes{1}));
  const BidDecision d = bid(s, kAlice, 500, kEnd - minutes{3});
  ASSERT_TRUE(d.accepted);
  ASSERT_EQ(d.events.size(), 1U);
  EXPECT_EQ(d.events[0].type, EventType::kBidPlaced);
  EXPECT_EQ(s.end_time, kEnd);
  // 30 s before the end it does move the end, to bid time + 1 min.
  const BidDecision late = bid(s, kBob, 1'000, kEnd - seconds{30});
  ASSERT_TRUE(late.accepted);
  ASSERT_EQ(late.events.size(), 2U);
  EXPECT_EQ(s.end_time, kEnd + seconds{30});
}

TEST(SoftClose, FixedEndTimeWithoutSoftClose) {
  AuctionState s = open_auction(make_terms(100));
  const BidDecision d = bid(s, kAlice, 500, kEnd - kTick);
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(d.events.size(), 1U);
  EXPECT_EQ(s.end_time, kEnd);
}

TEST(SoftClose, RejectedBidDoesNotExtend) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000, kMid));
  expect_rejected_unchanged(s, {kBob, 101, false, kEnd - minutes{1}}, RejectReason::kBidTooLow);
  expect_rejected_unchanged(s, {kSeller, 5'000, false, kEnd - minutes{1}}, RejectReason::kSelfBid);
  EXPECT_EQ(s.end_time, kEnd);
}

TEST(SoftClose, ExtendedAuctionEndsAtTheExtendedTime) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000, kEnd - minutes{1}));
  const TimePoint extended = kEnd + minutes{4};
  EXPECT_TRUE(close_if_due(s, extended - kTick).empty());
  const auto events = close_if_due(s, extended);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(s.ended_at, extended);
  EXPECT_EQ(events[0].ends_at, extended);
  const BidDecision d = bid(s, kBob, 5'000, extended);
  EXPECT_EQ(d.reason, RejectReason::kAuctionEnded);
}

TEST(SoftCloseCap, ExtensionIsClampedToTheCap) {
  // Window 2 min, extension 5 min, cap 3 min: a bid 1 min before the end
  // would give kEnd + 4 min; the cap stops it at kEnd + 3 min.
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}, minutes{3}));
  const std::int64_t version = s.version;
  const BidDecision d = bid(s, kAlice, 500, kEnd - minutes{1});
  ASSERT_TRUE(d.accepted);
  ASSERT_EQ(d.events.size(), 2U);
  EXPECT_EQ(d.events[1].type, EventType::kTimeExtended);
  EXPECT_EQ(d.events[1].version, version + 2);
  EXPECT_EQ(d.events[1].ends_at, kEnd + minutes{3});
  EXPECT_EQ(s.end_time, kEnd + minutes{3});
  EXPECT_EQ(s.terms.original_end_time, kEnd);
}

TEST(SoftCloseCap, BelowTheCapTheExtensionIsUnchanged) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}, minutes{30}));
  const BidDecision d = bid(s, kAlice, 500, kEnd - minutes{1});
  ASSERT_TRUE(d.accepted);
  ASSERT_EQ(d.events.size(), 2U);
  EXPECT_EQ(s.end_time, kEnd + minutes{4});
}

TEST(SoftCloseCap, AtTheCapNoFurtherExtensionAndNoEvent) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}, minutes{6}));
  ASSERT_TRUE(leads_after(s, kAlice, 500, kEnd - minutes{1}));  // end: kEnd + 4 min
  ASSERT_EQ(s.end_time, kEnd + minutes{4});
  ASSERT_TRUE(leads_after(s, kBob, 1'000, kEnd + minutes{3}));  // clamped: kEnd + 6 min
  ASSERT_EQ(s.end_time, kEnd + minutes{6});
  const std::int64_t version = s.version;
  // At the cap: the bid is accepted, the end stays, only BID_PLACED.
  const BidDecision d = bid(s, kAlice, 2'000, kEnd + minutes{5});
  ASSERT_TRUE(d.accepted);
  ASSERT_EQ(d.events.size(), 1U);
  EXPECT_EQ(d.events[0].type, EventType::kBidPlaced);
  EXPECT_EQ(d.events[0].ends_at, kEnd + minutes{6});
  EXPECT_EQ(s.version, version + 1);
  EXPECT_EQ(s.end_time, kEnd + minutes{6});
  // And it ends at original end + cap.
  EXPECT_TRUE(close_if_due(s, kEnd + minutes{6} - kTick).empty());
  ASSERT_EQ(close_if_due(s, kEnd + minutes{6}).size(), 1U);
  EXPECT_EQ(s.ended_at, kEnd + minutes{6});
}

TEST(SoftCloseCap, ZeroCapMeansNoCap) {
  AuctionState s = open_auction(soft_close_terms(100, minutes{2}, minutes{5}, Duration{0}));
  TimePoint at = kEnd - minutes{1};
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(bid(s, i % 2 == 0 ? kAlice : kBob, 500 + (1'000 * i), at).accepted);
    EXPECT_EQ(s.end_time, at + minutes{5});
    at += minutes{4};
  }
  EXPECT_GT(s.end_time, kEnd + hours{1});
}

// -------------------------------------------------------------------------- end

TEST(End, NothingHappensBeforeTheEndTime) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  const AuctionState before = s;
  EXPECT_TRUE(close_if_due(s, kEnd - kTick).empty());
  EXPECT_TRUE(same_state(s, before));
}

TEST(End, NoBidsIsUnsold) {
  AuctionState s = open_auction(make_terms(100));
  const auto events = close_if_due(s, kEnd);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].type, EventType::kEnded);
  EXPECT_EQ(events[0].version, 2);
  EXPECT_EQ(events[0].outcome, Outcome::kUnsold);
  EXPECT_FALSE(events[0].winner.has_value());
  EXPECT_EQ(s.phase, Phase::kEnded);
  EXPECT_EQ(s.outcome, Outcome::kUnsold);
  EXPECT_FALSE(s.winner.has_value());
  EXPECT_EQ(s.ended_at, kEnd);
  EXPECT_EQ(status_at(s, kEnd), Status::kEnded);
}

TEST(End, LeaderWinsAtTheCurrentPrice) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  ASSERT_TRUE(leads_after(s, kBob, 1'000));
  const auto events = close_if_due(s, kEnd);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(s.outcome, Outcome::kSold);
  EXPECT_EQ(s.winner, kBob);
  EXPECT_EQ(s.final_price, 550);
  EXPECT_EQ(events[0].outcome, Outcome::kSold);
  EXPECT_EQ(events[0].winner, kBob);
  EXPECT_EQ(events[0].price, 550);
}

TEST(End, ReserveNotMetIsUnsold) {
  AuctionState s = open_auction(make_terms(100, 5'000));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  ASSERT_TRUE(leads_after(s, kBob, 4'999));
  ASSERT_EQ(close_if_due(s, kEnd).size(), 1U);
  EXPECT_EQ(s.outcome, Outcome::kUnsold);
  EXPECT_FALSE(s.winner.has_value());
}

TEST(End, ReserveMetIsSold) {
  AuctionState s = open_auction(make_terms(100, 5'000));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  ASSERT_TRUE(leads_after(s, kBob, 5'000));
  ASSERT_EQ(close_if_due(s, kEnd).size(), 1U);
  EXPECT_EQ(s.outcome, Outcome::kSold);
  EXPECT_EQ(s.winner, kBob);
  EXPECT_EQ(s.final_price, 5'000);
}

TEST(End, ClosedLateRecordsTheScheduledEnd) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  const auto events = close_if_due(s, kEnd + hours{1});
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].at, kEnd);
  EXPECT_EQ(events[0].ends_at, kEnd);
  EXPECT_EQ(s.ended_at, kEnd);
  EXPECT_EQ(s.outcome, Outcome::kSold);
}

TEST(End, ClosesOnlyOnce) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_EQ(close_if_due(s, kEnd).size(), 1U);
  const AuctionState closed = s;
  EXPECT_TRUE(close_if_due(s, kEnd + hours{1}).empty());
  EXPECT_TRUE(same_state(s, closed));
}

TEST(End, CancelledAuctionIsNotEndedLater) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(cancel(s, kSeller, false, kMid).ok());
  const AuctionState cancelled = s;
  EXPECT_TRUE(close_if_due(s, kEnd + hours{1}).empty());
  EXPECT_TRUE(same_state(s, cancelled));
}

TEST(Status, FollowsTheClockAndThePhase) {
  AuctionState s = open_auction(make_terms(100));
  EXPECT_EQ(status_at(s, kStart - kTick), Status::kScheduled);
  EXPECT_EQ(status_at(s, kStart), Status::kActive);
  EXPECT_EQ(status_at(s, kEnd - kTick), Status::kActive);
  EXPECT_EQ(status_at(s, kEnd), Status::kEnded);  // due, even before it is closed
  AuctionState c = s;
  ASSERT_TRUE(cancel(c, kSeller, false, kStart - hours{1}).ok());
  EXPECT_EQ(status_at(c, kStart - kTick), Status::kCancelled);
  EXPECT_EQ(status_at(c, kMid), Status::kCancelled);
  ASSERT_EQ(close_if_due(s, kEnd).size(), 1U);
  EXPECT_EQ(status_at(s, kMid), Status::kEnded);
}

TEST(Status, ShownEndedOnlyOnceTheOutcomeIsCommitted) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  EXPECT_EQ(shown_status(s, kStart - kTick), Status::kScheduled);
  EXPECT_EQ(shown_status(s, kEnd - kTick), Status::kActive);
  // Due but not yet closed by its actor: no outcome to show, so not ENDED.
  EXPECT_EQ(shown_status(s, kEnd + hours{1}), Status::kActive);
  ASSERT_EQ(close_if_due(s, kEnd).size(), 1U);
  EXPECT_EQ(shown_status(s, kEnd), Status::kEnded);
  EXPECT_EQ(s.outcome, Outcome::kSold);
  AuctionState c = open_auction(make_terms(100));
  ASSERT_TRUE(cancel(c, kSeller, false, kMid).ok());
  EXPECT_EQ(shown_status(c, kEnd + hours{1}), Status::kCancelled);
}

// ---------------------------------------------------------------------- buy now

TEST(BuyNow, EndsTheAuctionSoldToTheBuyerAtTheBuyNowPrice) {
  AuctionState s = open_auction(make_terms(100, 0, 10'000));
  ASSERT_TRUE(leads_after(s, kAlice, 5'000));
  const std::int64_t version = s.version;
  const TimePoint at = kMid + minutes{7};
  auto r = buy_now(s, kBob, false, at);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  const AuctionEvent& e = r->front();
  EXPECT_EQ(e.type, EventType::kEnded);
  EXPECT_EQ(e.version, version + 1);
  EXPECT_EQ(e.at, at);
  EXPECT_EQ(e.outcome, Outcome::kSold);
  EXPECT_EQ(e.winner, kBob);
  EXPECT_EQ(e.price, 10'000);
  EXPECT_EQ(s.version, version + 1);
  EXPECT_EQ(s.phase, Phase::kEnded);
  EXPECT_EQ(s.outcome, Outcome::kSold);
  EXPECT_EQ(s.winner, kBob);
  EXPECT_EQ(s.final_price, 10'000);
  EXPECT_EQ(s.ended_at, at);
  EXPECT_EQ(status_at(s, at), Status::kEnded);
  // The purchase is a bid in the history, so it counts; bidding is over, and
  // it ended now, before its scheduled end.
  EXPECT_EQ(s.bid_count, 2);
  EXPECT_EQ(e.bid_count, 2);
  EXPECT_EQ(minimum_next_bid(s), 0);
  EXPECT_EQ(bidding_end(s), at);
  EXPECT_EQ(e.ends_at, at);
  expect_rejected_unchanged(s, {kAlice, 50'000, false, at + kTick}, RejectReason::kAuctionEnded);
}

TEST(BuyNow, WorksWithoutBids) {
  AuctionState s = open_auction(make_terms(100, 0, 10'000));
  ASSERT_TRUE(buy_now(s, kBob, false, kStart).ok());
  EXPECT_EQ(s.winner, kBob);
  EXPECT_EQ(s.final_price, 10'000);
}

void expect_buy_now_error(AuctionState& s, UserId buyer, bool suspended, TimePoint at,
                          ErrorCode code) {
  const AuctionState before = s;
  auto r = buy_now(s, buyer, suspended, at);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code);
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_TRUE(same_state(s, before));
}

TEST(BuyNow, SellerAndSuspendedBuyerAreDenied) {
  AuctionState s = open_auction(make_terms(100, 0, 10'000));
  expect_buy_now_error(s, kSeller, false, kMid, ErrorCode::kPermissionDenied);
  expect_buy_now_error(s, kBob, true, kMid, ErrorCode::kPermissionDenied);
}

TEST(BuyNow, NotPossibleOutsideTheActivePhase) {
  AuctionState s = open_auction(make_terms(100, 0, 10'000));
  expect_buy_now_error(s, kBob, false, kStart - kTick, ErrorCode::kFailedPrecondition);
  expect_buy_now_error(s, kBob, false, kEnd, ErrorCode::kFailedPrecondition);  // due, unclosed
  AuctionState ended = s;
  ASSERT_EQ(close_if_due(ended, kEnd).size(), 1U);
  expect_buy_now_error(ended, kBob, false, kEnd + kTick, ErrorCode::kFailedPrecondition);
  AuctionState cancelled = s;
  ASSERT_TRUE(cancel(cancelled, kSeller, false, kMid).ok());
  expect_buy_now_error(cancelled, kBob, false, kMid + kTick, ErrorCode::kFailedPrecondition);
}

TEST(BuyNow, NotPossibleWithoutABuyNowPrice) {
  AuctionState s = open_auction(make_terms(100));
  expect_buy_now_error(s, kBob, false, kMid, ErrorCode::kFailedPrecondition);
}

TEST(BuyNow, ClosesOnceBiddingReachesTheBuyNowPrice) {
  AuctionState s = open_auction(make_terms(100, 0, 500));
  ASSERT_TRUE(leads_after(s, kAlice, 1'000));
  ASSERT_FALSE(leads_after(s, kBob, 474));
  ASSERT_EQ(s.current_price, 499);  // 4.74 + 0.25: still below 5.00
  AuctionState still_open = s;
  EXPECT_TRUE(buy_now(still_open, kCarol, false, kMid).ok());
  ASSERT_FALSE(leads_after(s, kBob, 600));
  ASSERT_EQ(s.current_price, 650);  // at or above 5.00 now
  expect_buy_now_error(s, kCarol, false, kMid, ErrorCode::kFailedPrecondition);

  AuctionState equal = open_auction(make_terms(100, 0, 500));
  ASSERT_TRUE(leads_after(equal, kAlice, 1'000));
  ASSERT_FALSE(leads_after(equal, kBob, 475));
  ASSERT_EQ(equal.current_price, 500);  // exactly the buy-now price
  expect_buy_now_error(equal, kCarol, false, kMid, ErrorCode::kFailedPrecondition);
}

// ----------------------------------------------------------------------- cancel

void expect_cancel_error(AuctionState& s, UserId caller, bool admin, TimePoint at, ErrorCode code) {
  const AuctionState before = s;
  auto r = cancel(s, caller, admin, at);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code);
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_TRUE(same_state(s, before));
}

TEST(Cancel, SellerCancelsWithoutBids) {
  AuctionState s = open_auction(make_terms(100));
  auto r = cancel(s, kSeller, false, kMid);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1U);
  EXPECT_EQ(r->front().type, EventType::kCancelled);
  EXPECT_EQ(r->front().version, 2);
  EXPECT_EQ(r->front().at, kMid);
  EXPECT_EQ(s.version, 2);
  EXPECT_EQ(s.phase, Phase::kCancelled);
  EXPECT_EQ(s.outcome, Outcome::kNone);
  EXPECT_FALSE(s.winner.has_value());
  EXPECT_EQ(s.ended_at, kMid);
  EXPECT_EQ(minimum_next_bid(s), 0) << "a cancelled auction takes no next bid";
  EXPECT_EQ(bidding_end(s), kMid);
  EXPECT_EQ(r->front().ends_at, kMid);
}

TEST(Cancel, SellerCancelsAScheduledAuction) {
  AuctionState s = open_auction(make_terms(100));
  EXPECT_TRUE(cancel(s, kSeller, false, kStart - hours{1}).ok());
  EXPECT_EQ(s.phase, Phase::kCancelled);
}

TEST(Cancel, SellerCannotCancelOnceThereAreBids) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  expect_cancel_error(s, kSeller, false, kMid, ErrorCode::kFailedPrecondition);
}

TEST(Cancel, AdminCancelsAnyTimeBeforeTheEnd) {
  AuctionState s = open_auction(make_terms(100));
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  ASSERT_TRUE(leads_after(s, kBob, 1'000));
  auto r = cancel(s, kAdmin, true, kEnd - kTick);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(s.phase, Phase::kCancelled);
  EXPECT_EQ(s.outcome, Outcome::kNone);
  EXPECT_FALSE(s.winner.has_value());

  AuctionState scheduled = open_auction(make_terms(100));
  EXPECT_TRUE(cancel(scheduled, kAdmin, true, kStart - hours{1}).ok());
}

TEST(Cancel, OthersAreDenied) {
  AuctionState s = open_auction(make_terms(100));
  expect_cancel_error(s, kAlice, false, kMid, ErrorCode::kPermissionDenied);
  ASSERT_TRUE(leads_after(s, kAlice, 500));
  expect_cancel_error(s, kAlice, false, kMid, ErrorCode::kPermissionDenied);
}

TEST(Cancel, NotPossibleOnceEndedOrCancelled) {
  AuctionState s = open_auction(make_terms(100));
  expect_cancel_error(s, kAdmin, true, kEnd, ErrorCode::kFailedPrecondition);  // due, unclosed
  expect_cancel_error(s, kSeller, false, kEnd, ErrorCode::kFailedPrecondition);
  AuctionState ended = s;
  ASSERT_EQ(close_if_due(ended, kEnd).size(), 1U);
  expect_cancel_error(ended, kAdmin, true, kEnd + kTick, ErrorCode::kFailedPrecondition);
  AuctionState cancelled = s;
  ASSERT_TRUE(cancel(cancelled, kSeller, false, kMid).ok());
  expect_cancel_error(cancelled, kAdmin, true, kMid + kTick, ErrorCode::kFailedPrecondition);
  expect_cancel_error(cancelled, kSeller, false, kMid + kTick, ErrorCode::kFailedPrecondition);
}

// ------------------------------------------------------------------ equality

// auction.hpp declares `friend bool operator==(const AuctionState&, const
// AuctionState&) = default;` so that callers (actors, persistence checks, these
// tests) can compare whole states. A defaulted == is deleted unless every member
// is comparable, and AuctionTerms declares no operator==.
TEST(AuctionStateEquality, WholeStatesCanBeCompared) {
  EXPECT_TRUE(std::equality_comparable<AuctionTerms>);
  EXPECT_TRUE(std::equality_comparable<AuctionState>);
}

// ----------------------------------------------------------------------- replay

TEST(Replay, RebuildsTheSameState) {
  AuctionTerms terms = soft_close_terms(100, minutes{2}, minutes{5});
  terms.reserve_price = 2'000;
  const std::vector<AcceptedBid> bids = {
      {kAlice, 500, kStart + minutes{1}}, {kBob, 300, kStart + minutes{2}},
      {kBob, 3'000, kStart + minutes{3}}, {kCarol, 2'500, kEnd - minutes{1}},
      {kBob, 9'000, kEnd + minutes{3}},
  };
  AuctionState live = open_auction(terms);
  for (const auto& b : bids) {
    ASSERT_TRUE(bid(live, b.bidder, b.max_amount, b.at).accepted);
  }
  EXPECT_TRUE(same_state(replay(terms, bids), live));
  // Without the last two bids (as after voiding them) the state is recomputed.
  const AuctionState shorter = replay(terms, std::span(bids).first(3));
  EXPECT_EQ(shorter.leader, kBob);
  EXPECT_EQ(shorter.current_price, 2'000);  // 5.50 raised to the reserve
  EXPECT_EQ(shorter.bid_count, 3);
  EXPECT_EQ(shorter.end_time, kEnd);
}

}  // namespace
}  // namespace auction
