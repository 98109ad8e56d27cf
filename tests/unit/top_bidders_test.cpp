// The public top-bidders board: the leader first at the current price, each
// bidder once, and never a maximum.
#include "domain/top_bidders.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "domain/auction.hpp"

namespace auction {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr UserId kSeller = 1;
constexpr UserId kAlice = 10;
constexpr UserId kBob = 11;
constexpr UserId kCarol = 12;
constexpr TimePoint kStart{seconds{1'700'000'000}};

/// An auction driven through the engine, with the board fed the way the
/// service feeds it: every accepted bid with the price it produced.
struct Board {
  AuctionState state;
  TopBidders board;
  TimePoint now = kStart;

  Board() {
    AuctionTerms t;
    t.id = 5;
    t.seller_id = kSeller;
    t.starting_price = 100;
    t.start_time = kStart;
    t.original_end_time = kStart + std::chrono::hours{24};
    state = open_auction(t);
  }

  void bid(UserId bidder, const std::string& name, Money max_amount) {
    now += minutes{1};
    const BidDecision d = place_bid(state, BidAttempt{bidder, max_amount, false, now});
    ASSERT_TRUE(d.accepted) << name << " " << max_amount;
    board.record(bidder, name, state.current_price, now);
  }
};

void expect_each_bidder_once(const std::vector<TopBidderEntry>& top) {
  std::set<UserId> seen;
  for (const auto& e : top) EXPECT_TRUE(seen.insert(e.bidder).second) << "twice: " << e.bidder;
}

TEST(TopBidders, EmptyBoard) {
  Board b;
  EXPECT_TRUE(b.board.top(10, b.state).empty());
  EXPECT_EQ(b.board.display_name(kAlice), nullptr);
}

TEST(TopBidders, LeaderFirstAtTheCurrentPrice) {
  Board b;
  b.bid(kAlice, "Alice", 500);  // produced 1.00
  b.bid(kBob, "Bob", 300);      // produced 3.25, Alice still leads
  ASSERT_EQ(b.state.leader, kAlice);
  const auto top = b.board.top(10, b.state);
  ASSERT_EQ(top.size(), 2U);
  EXPECT_EQ(top[0].bidder, kAlice);
  EXPECT_TRUE(top[0].leading);
  EXPECT_EQ(top[0].amount, b.state.current_price);  // 3.25, not the 1.00 she produced
  EXPECT_EQ(top[0].amount, 325);
  EXPECT_EQ(top[0].display_name, "Alice");
  EXPECT_EQ(top[1].bidder, kBob);
  EXPECT_FALSE(top[1].leading);
  EXPECT_EQ(top[1].display_name, "Bob");
  for (const auto& e : top) EXPECT_NE(e.amount, 500) << "a maximum leaked";
}

TEST(TopBidders, EachBidderOnceAfterManyBids) {
  Board b;
  b.bid(kAlice, "Alice", 500);
  b.bid(kBob, "Bob", 300);
  b.bid(kBob, "Bob", 1'000);  // Bob leads at 5.50
  b.bid(kCarol, "Carol", 700);
  b.bid(kAlice, "Alice", 3'000);  // Alice leads at 10.50
  b.bid(kBob, "Bob", 2'000);      // outbid at once: 21.00
  ASSERT_EQ(b.state.leader, kAlice);
  const auto top = b.board.top(10, b.state);
  ASSERT_EQ(top.size(), 3U);
  expect_each_bidder_once(top);
  EXPECT_EQ(top[0].bidder, kAlice);
  EXPECT_EQ(top[0].amount, b.state.current_price);
  std::size_t leading = 0;
  for (const auto& e : top) {
    if (e.leading) ++leading;
    EXPECT_LE(e.amount, b.state.current_price);
    EXPECT_NE(e.amount, 3'000) << "the leader's maximum leaked";
  }
  EXPECT_EQ(leading, 1U);
  // The others follow by amount: Bob's latest bid produced 21.00, Carol's 7.50.
  EXPECT_EQ(top[1].bidder, kBob);
  EXPECT_EQ(top[2].bidder, kCarol);
}

TEST(TopBidders, AtMostNEntriesLeaderIncluded) {
  Board b;
  b.bid(kAlice, "Alice", 500);
  b.bid(kBob, "Bob", 300);
  b.bid(kCarol, "Carol", 2'000);
  ASSERT_EQ(b.state.leader, kCarol);
  const auto top = b.board.top(1, b.state);
  ASSERT_EQ(top.size(), 1U);
  EXPECT_EQ(top[0].bidder, kCarol);
  EXPECT_EQ(top[0].amount, b.state.current_price);
  EXPECT_EQ(b.board.top(2, b.state).size(), 2U);
  EXPECT_TRUE(b.board.top(0, b.state).empty());
}

TEST(TopBidders, KnowsDisplayNames) {
  Board b;
  b.bid(kAlice, "Alice", 500);
  b.bid(kBob, "Bob", 300);
  b.bid(kBob, "Bobby", 1'000);
  ASSERT_NE(b.board.display_name(kAlice), nullptr);
  EXPECT_EQ(*b.board.display_name(kAlice), "Alice");
  ASSERT_NE(b.board.display_name(kBob), nullptr);
  EXPECT_EQ(*b.board.display_name(kBob), "Bobby");  // the latest name
  EXPECT_EQ(b.board.display_name(kCarol), nullptr);
}

}  // namespace
}  // namespace auction
