// Who is notified of what, driven through the real bidding rules: the
// previous leader on every change of lead, every bidder and the seller at
// the end, every bidder on cancel.
#include "domain/notifications.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <vector>

namespace auction {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr UserId kSeller = 1;
constexpr UserId kAlice = 10;
constexpr UserId kBob = 11;
constexpr UserId kCarol = 12;
constexpr TimePoint kStart{seconds{1'700'000'000}};

/// An auction fed bid by bid, collecting notices the way the actor does.
struct NoticeRun {
  AuctionState state;
  std::set<UserId> bidders;
  std::vector<Notice> notices;
  TimePoint now = kStart;

  explicit NoticeRun(Money reserve = 0, Money buy_now_price = 0) {
    AuctionTerms t;
    t.id = 7;
    t.seller_id = kSeller;
    t.starting_price = 100;
    t.reserve_price = reserve;
    t.buy_now_price = buy_now_price;
    t.start_time = kStart;
    t.original_end_time = kStart + hours{1};
    state = open_auction(t);
  }

  void collect(const std::vector<AuctionEvent>& events, std::optional<UserId> leader_before) {
    for (const auto& e : events) {
      for (auto& n : notices_for(e, kSeller, leader_before, bidders)) notices.push_back(n);
      leader_before = e.leader;
    }
  }

  BidDecision bid(UserId who, Money max_amount) {
    now += minutes{1};
    const auto before = state.leader;
    BidDecision d = place_bid(state, BidAttempt{who, max_amount, false, now});
    if (d.accepted) bidders.insert(who);
    collect(d.events, before);
    return d;
  }

  void end() {
    const auto before = state.leader;
    collect(close_if_due(state, state.end_time), before);
  }

  std::vector<Notice> of(NoticeType type) const {
    std::vector<Notice> out;
    for (const auto& n : notices) {
      if (n.type == type) out.push_back(n);
    }
    return out;
  }
};

TEST(Notices, FirstBidNotifiesNobody) {
  NoticeRun r;
  r.bid(kAlice, 500);
  EXPECT_TRUE(r.notices.empty());
}

TEST(Notices, OutbidGoesToThePreviousLeaderWithTheNewPrice) {
  NoticeRun r;
  r.bid(kAlice, 500);
  r.bid(kBob, 800);
  ASSERT_EQ(r.notices.size(), 1U);
  EXPECT_EQ(r.notices[0].user, kAlice);
  EXPECT_EQ(r.notices[0].type, NoticeType::kOutbid);
  EXPECT_EQ(r.notices[0].amount, r.state.current_price);
  EXPECT_EQ(r.notices[0].version, r.state.version);
}

TEST(Notices, ARaiseThatKeepsTheLeaderNotifiesNobody) {
  NoticeRun r;
  r.bid(kAlice, 1000);
  // Bob's bid raises the price through Alice's proxy maximum; she still leads.
  const BidDecision d = r.bid(kBob, 600);
  ASSERT_TRUE(d.accepted);
  ASSERT_EQ(r.state.leader, kAlice);
  EXPECT_TRUE(r.notices.empty());
  // A rejected bid changes nothing and tells nobody.
  EXPECT_FALSE(r.bid(kCarol, 100).accepted);
  EXPECT_TRUE(r.notices.empty());
}

TEST(Notices, EveryChangeOfLeadNotifiesWhoLostIt) {
  NoticeRun r;
  r.bid(kAlice, 500);
  r.bid(kBob, 700);
  r.bid(kAlice, 900);
  r.bid(kCarol, 2000);
  const auto outbid = r.of(NoticeType::kOutbid);
  ASSERT_EQ(outbid.size(), 3U);
  EXPECT_EQ(outbid[0].user, kAlice);
  EXPECT_EQ(outbid[1].user, kBob);
  EXPECT_EQ(outbid[2].user, kAlice);
}

TEST(Notices, SoldEndTellsWinnerLosersAndSeller) {
  NoticeRun r;
  r.bid(kAlice, 500);
  r.bid(kBob, 700);
  r.notices.clear();
  r.end();
  ASSERT_EQ(r.state.outcome, Outcome::kSold);
  const auto won = r.of(NoticeType::kWon);
  const auto lost = r.of(NoticeType::kLost);
  const auto sold = r.of(NoticeType::kSold);
  ASSERT_EQ(won.size(), 1U);
  EXPECT_EQ(won[0].user, kBob);
  EXPECT_EQ(won[0].amount, r.state.final_price);
  ASSERT_EQ(lost.size(), 1U);
  EXPECT_EQ(lost[0].user, kAlice);
  EXPECT_EQ(lost[0].amount, r.state.final_price);
  ASSERT_EQ(sold.size(), 1U);
  EXPECT_EQ(sold[0].user, kSeller);
  EXPECT_EQ(sold[0].amount, r.state.final_price);
  EXPECT_EQ(r.notices.size(), 3U);
}

TEST(Notices, ReserveNotMetEveryBidderLosesAndTheSellerHearsUnsold) {
  NoticeRun r(/*reserve=*/5000);
  r.bid(kAlice, 500);
  r.bid(kBob, 700);
  r.notices.clear();
  r.end();
  ASSERT_EQ(r.state.outcome, Outcome::kUnsold);
  EXPECT_TRUE(r.of(NoticeType::kWon).empty());
  ASSERT_EQ(r.of(NoticeType::kLost).size(), 2U);
  ASSERT_EQ(r.of(NoticeType::kUnsold).size(), 1U);
  EXPECT_EQ(r.of(NoticeType::kUnsold)[0].user, kSeller);
  // Nothing sold: no price to report.
  for (const auto& n : r.notices) EXPECT_EQ(n.amount, 0);
}

TEST(Notices, NoBidsOnlyTheSellerHears) {
  NoticeRun r;
  r.end();
  ASSERT_EQ(r.notices.size(), 1U);
  EXPECT_EQ(r.notices[0].type, NoticeType::kUnsold);
}

TEST(Notices, BuyNowWinsForABuyerWithoutEarlierBids) {
  NoticeRun r(0, /*buy_now_price=*/5000);
  r.bid(kAlice, 500);
  r.notices.clear();
  const auto before = r.state.leader;
  auto events = buy_now(r.state, kCarol, false, r.now + minutes{1});
  ASSERT_TRUE(events);
  r.collect(*events, before);
  ASSERT_EQ(r.of(NoticeType::kWon).size(), 1U);
  EXPECT_EQ(r.of(NoticeType::kWon)[0].user, kCarol);
  EXPECT_EQ(r.of(NoticeType::kWon)[0].amount, 5000);
  ASSERT_EQ(r.of(NoticeType::kLost).size(), 1U);
  EXPECT_EQ(r.of(NoticeType::kLost)[0].user, kAlice);
  EXPECT_EQ(r.of(NoticeType::kSold).size(), 1U);
}

TEST(Notices, CancelTellsEveryBidderButNotTheSeller) {
  NoticeRun r;
  r.bid(kAlice, 500);
  r.bid(kBob, 700);
  r.notices.clear();
  auto events = cancel(r.state, 99, /*caller_is_admin=*/true, r.now + minutes{1});
  ASSERT_TRUE(events);
  r.collect(*events, r.state.leader);
  const auto cancelled = r.of(NoticeType::kCancelled);
  ASSERT_EQ(cancelled.size(), 2U);
  EXPECT_EQ(r.notices.size(), 2U);
  std::set<UserId> users{cancelled[0].user, cancelled[1].user};
  EXPECT_EQ(users, (std::set<UserId>{kAlice, kBob}));
  EXPECT_EQ(cancelled[0].amount, 0);
  EXPECT_EQ(cancelled[1].amount, 0);
}

}  // namespace
}  // namespace auction
