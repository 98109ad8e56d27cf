// Whole auctions through the public API (SPEC section 3): proxy bidding with a
// reserve, the end by timer, reserve not met, buy now, and cancellation. All
// expected prices are worked out by hand below from the SPEC rules:
//
//   minimum_next_bid = starting_price with no bids, else
//                      current_price + increment(current_price)
//   current_price    = second-highest maximum + increment(second-highest max),
//                      capped at the highest maximum; with one bidder the
//                      starting price, or the reserve once a maximum reaches it
//   default increments (cents): < 100: 5, < 500: 25, < 2,500: 50,
//                      < 10,000: 100, < 25,000: 250, ...
#include <gtest/gtest.h>
#include <array>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/environment.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

/// The stored row of a reply's bid_id; fails the test if it is missing.
StoredBid stored_bid(Db& db, const std::string& bid_id) {
  auto row = db.bid(to_id(bid_id));
  EXPECT_TRUE(row.has_value()) << "bid " << bid_id << " was acknowledged but is not stored";
  return row.value_or(StoredBid{});
}

TEST(WholeAuction, ProxyBiddingWithReserveEndsByTimerAndSells) {
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  const Account carol = c.register_user("carol");

  // Starting price 10.00, reserve 50.00, default increments, ends in 4 s.
  auto req = auction_request("Vintage camera", 1000, 4000ms);
  req.set_reserve_price(5000);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const v1::Auction& a = created.value;
  const std::string id = a.id();
  const std::int64_t v0 = a.version();
  const std::int64_t end_us = to_us(a.end_time());
  EXPECT_EQ(a.status(), v1::AUCTION_STATUS_ACTIVE);
  EXPECT_EQ(a.currency(), "USD");
  EXPECT_EQ(a.current_price(), 1000);
  EXPECT_EQ(a.minimum_next_bid(), 1000);
  EXPECT_TRUE(a.has_reserve());
  EXPECT_FALSE(a.reserve_met());
  EXPECT_EQ(a.reserve_price(), 5000) << "the seller sees their own reserve";
  EXPECT_EQ(a.seller_id(), seller.id);
  EXPECT_NEAR(static_cast<double>(end_us - to_us(a.start_time())), 4e6, 1e3);

  // 1. Alice, max 20.00: the first bid; one bidder, reserve not reached, so the
  //    price is the starting price 10.00. Next minimum 10.00 + 0.50 = 10.50.
  auto b1 = c.place_bid(alice.token, id, 2000);
  ASSERT_TRUE(b1.ok()) << describe(b1.status);
  EXPECT_TRUE(b1->accepted());
  EXPECT_EQ(b1->reject_reason(), v1::REJECT_REASON_UNSPECIFIED);
  EXPECT_TRUE(b1->leading());
  EXPECT_EQ(b1->current_price(), 1000);
  EXPECT_EQ(b1->leading_bidder_id(), alice.id);
  EXPECT_EQ(b1->minimum_next_bid(), 1050);
  EXPECT_EQ(b1->version(), v0 + 1);
  EXPECT_EQ(to_us(b1->ends_at()), end_us);
  EXPECT_EQ(b1->currency(), "USD");

  // 2. Bob, max 15.00 (>= 10.50): accepted, but Alice's proxy (20.00) outbids
  //    him at once: price 15.00 + 0.50 = 15.50, Alice still leads.
  auto b2 = c.place_bid(bob.token, id, 1500);
  ASSERT_TRUE(b2.ok()) << describe(b2.status);
  EXPECT_TRUE(b2->accepted());
  EXPECT_FALSE(b2->leading()) << "an accepted bid below the leader's maximum does not lead";
  EXPECT_EQ(b2->current_price(), 1550);
  EXPECT_EQ(b2->leading_bidder_id(), alice.id);
  EXPECT_EQ(b2->minimum_next_bid(), 1600);
  EXPECT_EQ(b2->version(), v0 + 2);

  // 3. Carol, 15.50: below the minimum 16.00 -> BID_TOO_LOW telling 16.00.
  auto b3 = c.place_bid(carol.token, id, 1550);
  ASSERT_TRUE(b3.ok()) << describe(b3.status);
  EXPECT_FALSE(b3->accepted());
  EXPECT_EQ(b3->reject_reason(), v1::BID_TOO_LOW);
  EXPECT_EQ(b3->minimum_next_bid(), 1600);
  EXPECT_EQ(b3->current_price(), 1550);
  EXPECT_EQ(b3->version(), v0 + 2) << "a rejection changes nothing";

  // 4. The seller bids on their own item: SELF_BID.
  auto b4 = c.place_bid(seller.token, id, 10000);
  ASSERT_TRUE(b4.ok()) << describe(b4.status);
  EXPECT_FALSE(b4->accepted());
  EXPECT_EQ(b4->reject_reason(), v1::SELF_BID);
  EXPECT_EQ(b4->version(), v0 + 2);

  // 5. Carol, max 30.00: beats Alice's 20.00; price 20.00 + 0.50 = 20.50.
  auto b5 = c.place_bid(carol.token, id, 3000);
  ASSERT_TRUE(b5.ok()) << describe(b5.status);
  EXPECT_TRUE(b5->accepted());
  EXPECT_TRUE(b5->leading());
  EXPECT_EQ(b5->current_price(), 2050);
  EXPECT_EQ(b5->leading_bidder_id(), carol.id);
  EXPECT_EQ(b5->minimum_next_bid(), 2100);
  EXPECT_EQ(b5->version(), v0 + 3);

  // 6. Alice, max 25.00 (>= 21.00): outbid at once by Carol's 30.00; price
  //    25.00 + 1.00 (the increment at 25.00) = 26.00.
  auto b6 = c.place_bid(alice.token, id, 2500);
  ASSERT_TRUE(b6.ok()) << describe(b6.status);
  EXPECT_TRUE(b6->accepted());
  EXPECT_FALSE(b6->leading());
  EXPECT_EQ(b6->current_price(), 2600);
  EXPECT_EQ(b6->leading_bidder_id(), carol.id);
  EXPECT_EQ(b6->minimum_next_bid(), 2700);
  EXPECT_EQ(b6->version(), v0 + 4);

  {
    // The public sees "reserve not met", never the reserve amount.
    auto view = c.get_auction(id);
    ASSERT_TRUE(view.ok()) << describe(view.status);
    EXPECT_TRUE(view->auction().has_reserve());
    EXPECT_FALSE(view->auction().reserve_met());
    EXPECT_EQ(view->auction().reserve_price(), 0) << "the reserve is hidden from the public";
    auto as_bidder = c.get_auction(id, alice.token);
    ASSERT_TRUE(as_bidder.ok()) << describe(as_bidder.status);
    EXPECT_EQ(as_bidder->auction().reserve_price(), 0) << "the reserve is hidden from bidders";
  }

  // 7. Carol (the leader) raises her maximum to 60.00: that meets the reserve,
  //    so the price rises to the reserve 50.00 (and only to it).
  auto b7 = c.place_bid(carol.token, id, 6000);
  ASSERT_TRUE(b7.ok()) << describe(b7.status);
  EXPECT_TRUE(b7->accepted());
  EXPECT_TRUE(b7->leading());
  EXPECT_EQ(b7->current_price(), 5000);
  EXPECT_EQ(b7->leading_bidder_id(), carol.id);
  EXPECT_EQ(b7->minimum_next_bid(), 5100);
  EXPECT_EQ(b7->version(), v0 + 5);

  // 8. Bob, max 55.00: outbid by Carol's 60.00; price 55.00 + 1.00 = 56.00.
  auto b8 = c.place_bid(bob.token, id, 5500);
  ASSERT_TRUE(b8.ok()) << describe(b8.status);
  EXPECT_TRUE(b8->accepted());
  EXPECT_FALSE(b8->leading());
  EXPECT_EQ(b8->current_price(), 5600);
  EXPECT_EQ(b8->leading_bidder_id(), carol.id);
  EXPECT_EQ(b8->minimum_next_bid(), 5700);
  EXPECT_EQ(b8->version(), v0 + 6);

  {
    auto view = c.get_auction(id);
    ASSERT_TRUE(view.ok()) << describe(view.status);
    const auto& live = view->auction();
    EXPECT_EQ(live.status(), v1::AUCTION_STATUS_ACTIVE);
    EXPECT_TRUE(live.reserve_met());
    EXPECT_EQ(live.current_price(), 5600);
    EXPECT_EQ(live.leading_bidder_id(), carol.id);
    EXPECT_EQ(live.leading_bidder_name(), carol.display_name);
    EXPECT_EQ(live.bid_count(), 6);
    EXPECT_EQ(live.minimum_next_bid(), 5700);
    EXPECT_EQ(view->version(), v0 + 6);
    EXPECT_GT(to_us(view->time_remaining()), 0);
    // Top bidders: prices, never maxima (SPEC section 4). Bob shows 56.00 (from
    // bid 8), Alice 26.00 (from bid 6). For the leader, the SPEC's "the price
    // they produced" reads as either the current price 56.00 (what the board
    // shows today) or 50.00 from her own latest bid (the proto comment); both
    // are prices, and never her 60.00 maximum.
    ASSERT_EQ(view->top_bidders_size(), 3);
    for (const auto& t : view->top_bidders()) {
      if (t.bidder_id() == carol.id) {
        EXPECT_TRUE(t.amount() == 5600 || t.amount() == 5000) << t.amount();
        EXPECT_TRUE(t.leading());
        EXPECT_EQ(t.display_name(), carol.display_name);
      } else if (t.bidder_id() == bob.id) {
        EXPECT_EQ(t.amount(), 5600);
        EXPECT_FALSE(t.leading());
      } else if (t.bidder_id() == alice.id) {
        EXPECT_EQ(t.amount(), 2600);
        EXPECT_FALSE(t.leading());
      } else {
        ADD_FAILURE() << "unexpected top bidder " << t.bidder_id();
      }
    }
  }

  {
    // The history: accepted bids only, newest first, with the prices they
    // produced; maxima only for the bidder themself.
    auto history = c.list_bids(id, 100, bob.token);
    ASSERT_TRUE(history.ok()) << describe(history.status);
    ASSERT_EQ(history->bids_size(), 6);
    const std::array<std::int64_t, 6> prices = {5600, 5000, 2600, 2050, 1550, 1000};
    const std::array<std::string, 6> bidders = {bob.id,   carol.id, alice.id,
                                                carol.id, bob.id,   alice.id};
    for (int i = 0; i < 6; ++i) {
      const auto& bid = history->bids(i);
      const auto at = static_cast<std::size_t>(i);
      SCOPED_TRACE("history entry " + std::to_string(i));
      EXPECT_EQ(bid.amount(), prices.at(at));
      EXPECT_EQ(bid.bidder_id(), bidders.at(at));
      EXPECT_TRUE(bid.accepted());
      EXPECT_EQ(bid.version(), v0 + 6 - i);
      if (bid.bidder_id() == bob.id) {
        EXPECT_EQ(bid.max_amount(), i == 0 ? 5500 : 1500) << "Bob sees his own maxima";
      } else {
        EXPECT_EQ(bid.max_amount(), 0) << "maxima of others are private";
      }
    }
    EXPECT_TRUE(history->next_page_token().empty());
  }

  // The end comes by the timer, at end_time.
  auto ended = wait_until_closed(c, id, 10s);
  ASSERT_TRUE(ended.ok()) << describe(ended.status);
  const auto& fin = ended->auction();
  EXPECT_EQ(fin.status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(fin.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(fin.winner_id(), carol.id) << "the leader wins";
  EXPECT_EQ(fin.final_price(), 5600) << "at the current price, not her maximum";
  EXPECT_EQ(fin.current_price(), 5600);
  EXPECT_EQ(fin.bid_count(), 6);
  EXPECT_EQ(to_us(fin.ended_at()), end_us) << "it ends at its end time";
  EXPECT_EQ(to_us(fin.end_time()), end_us);
  EXPECT_EQ(to_us(ended->time_remaining()), 0);
  EXPECT_EQ(ended->version(), v0 + 7) << "the end is one more state change";
  EXPECT_GE(now_us(), end_us);

  // A bid after the end: rejected AUCTION_ENDED, changes nothing.
  auto late = c.place_bid(alice.token, id, 100000);
  ASSERT_TRUE(late.ok()) << describe(late.status);
  EXPECT_FALSE(late->accepted());
  EXPECT_EQ(late->reject_reason(), v1::AUCTION_ENDED);
  EXPECT_EQ(late->current_price(), 5600);
  EXPECT_EQ(late->version(), v0 + 7);
  // Nor can the seller cancel a finished auction.
  auto cancel = c.cancel_auction(seller.token, id);
  EXPECT_EQ(cancel.code(), grpc::StatusCode::FAILED_PRECONDITION) << describe(cancel.status);

  // The database holds exactly what was acknowledged, rejected attempts
  // included (they are recorded for audit).
  const StoredAuction stored = db.auction(to_id(id)).value();
  EXPECT_EQ(stored.phase, "ENDED");
  EXPECT_EQ(stored.outcome, "SOLD");
  EXPECT_EQ(stored.winner_id, to_id(carol.id));
  EXPECT_EQ(stored.final_price, 5600);
  EXPECT_EQ(stored.ended_at_us, end_us);
  EXPECT_EQ(stored.version, v0 + 7);
  struct Expected {
    const Reply<v1::PlaceBidResponse>* reply;
    const Account* bidder;
    std::int64_t max;
    const char* reason;
  };
  const std::array expected = {
      Expected{&b1, &alice, 2000, "NONE"},
      Expected{&b2, &bob, 1500, "NONE"},
      Expected{&b3, &carol, 1550, "BID_TOO_LOW"},
      Expected{&b4, &seller, 10000, "SELF_BID"},
      Expected{&b5, &carol, 3000, "NONE"},
      Expected{&b6, &alice, 2500, "NONE"},
      Expected{&b7, &carol, 6000, "NONE"},
      Expected{&b8, &bob, 5500, "NONE"},
      Expected{&late, &alice, 100000, "AUCTION_ENDED"},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE("bid " + e.reply->value.bid_id());
    const StoredBid row = stored_bid(db, e.reply->value.bid_id());
    EXPECT_EQ(row.auction_id, to_id(id));
    EXPECT_EQ(row.bidder_id, to_id(e.bidder->id));
    EXPECT_EQ(row.max_amount, e.max);
    EXPECT_EQ(persistence::to_string(row.reject_reason), e.reason);
    EXPECT_EQ(row.accepted, e.reply->value.accepted());
    EXPECT_EQ(row.price_after, e.reply->value.current_price());
    EXPECT_EQ(row.version_after, e.reply->value.version());
  }
  EXPECT_EQ(db.bids(to_id(id)).size(), std::size(expected));
  const auto events = db.events(to_id(id));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, "ENDED");
  EXPECT_EQ(events.back().version, v0 + 7);
  EXPECT_EQ(events.back().at_us, end_us);
}

TEST(WholeAuction, ReserveNotMetOrNoBidsEndsUnsold) {
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");

  auto with_reserve = auction_request("Painting", 1000, 2500ms);
  with_reserve.set_reserve_price(5000);
  auto reserved = c.create_auction(seller.token, with_reserve);
  ASSERT_TRUE(reserved.ok()) << describe(reserved.status);
  auto unloved = c.create_auction(seller.token, auction_request("Old socks", 100, 2500ms));
  ASSERT_TRUE(unloved.ok()) << describe(unloved.status);

  // Alice 20.00, Bob 30.00: Bob leads at 20.00 + 0.50 = 20.50; both maxima
  // are below the 50.00 reserve.
  auto b1 = c.place_bid(alice.token, reserved->id(), 2000);
  auto b2 = c.place_bid(bob.token, reserved->id(), 3000);
  ASSERT_TRUE(b1.ok() && b2.ok()) << describe(b1.status) << " / " << describe(b2.status);
  ASSERT_TRUE(b1->accepted() && b2->accepted());
  EXPECT_EQ(b2->current_price(), 2050);
  EXPECT_EQ(b2->leading_bidder_id(), bob.id);

  auto r1 = wait_until_closed(c, reserved->id(), 10s);
  ASSERT_TRUE(r1.ok()) << describe(r1.status);
  EXPECT_EQ(r1->auction().status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(r1->auction().outcome(), v1::OUTCOME_UNSOLD) << "the reserve was not met";
  EXPECT_FALSE(r1->auction().reserve_met());
  EXPECT_TRUE(r1->auction().winner_id().empty()) << "nobody wins below the reserve";
  EXPECT_EQ(to_us(r1->auction().ended_at()), to_us(reserved->end_time()));

  auto r2 = wait_until_closed(c, unloved->id(), 10s);
  ASSERT_TRUE(r2.ok()) << describe(r2.status);
  EXPECT_EQ(r2->auction().status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(r2->auction().outcome(), v1::OUTCOME_UNSOLD) << "no bids, no sale";
  EXPECT_TRUE(r2->auction().winner_id().empty());
  EXPECT_EQ(r2->auction().bid_count(), 0);
  EXPECT_EQ(to_us(r2->auction().ended_at()), to_us(unloved->end_time()));

  for (const auto* a : {&reserved.value, &unloved.value}) {
    const StoredAuction s = db.auction(to_id(a->id())).value();
    EXPECT_EQ(s.phase, "ENDED");
    EXPECT_EQ(s.outcome, "UNSOLD");
    EXPECT_FALSE(s.winner_id.has_value());
    EXPECT_EQ(s.ended_at_us, to_us(a->end_time()));
  }
}

TEST(WholeAuction, SoftCloseCapStopsABiddingWarAtOriginalEndPlusTheCap) {
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");

  // 2 s long, and all of it in the 2 s window: every bid moves the end to bid
  // time + 1 s, but never past the original end + 1.5 s.
  auto req = auction_request("Contested clock", 1000, 2000ms);
  req.mutable_soft_close_window()->set_seconds(2);
  req.mutable_soft_close_extension()->set_seconds(1);
  req.mutable_soft_close_max_extension()->set_nanos(500'000'000);
  req.mutable_soft_close_max_extension()->set_seconds(1);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  const std::int64_t original_end_us = to_us(created->original_end_time());
  const std::int64_t cap_end_us = original_end_us + 1'500'000;
  EXPECT_EQ(to_us(created->soft_close_max_extension()), 1'500'000);
  {
    auto view = c.get_auction(id);
    ASSERT_TRUE(view.ok()) << describe(view.status);
    EXPECT_EQ(to_us(view->auction().soft_close_max_extension()), 1'500'000)
        << "GetAuction shows the cap";
  }

  // A bidding war, one bid every 200 ms, until the end reaches the cap.
  const std::array<const Account*, 2> bidders = {&alice, &bob};
  std::int64_t amount = 1000;
  std::int64_t ends_at_us = original_end_us;
  int bids = 0;
  while (ends_at_us < cap_end_us && bids < 40) {
    auto reply = c.place_bid(bidders.at(static_cast<std::size_t>(bids % 2))->token, id, amount);
    ASSERT_TRUE(reply.ok()) << describe(reply.status);
    ASSERT_TRUE(reply->accepted()) << "bid " << bids << ": " << reply->reject_reason();
    ends_at_us = to_us(reply->ends_at());
    EXPECT_LE(ends_at_us, cap_end_us) << "the end never moves past the cap";
    amount = reply->minimum_next_bid() + 500;
    ++bids;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(ends_at_us, cap_end_us) << "the end stops at original end + cap";

  // At the cap a bid is still accepted, but the end stays and there is no
  // TIME_EXTENDED: the version moves by one.
  ASSERT_LT(now_us(), cap_end_us - 200'000) << "too slow to bid before the capped end";
  auto before = c.get_auction(id);
  ASSERT_TRUE(before.ok()) << describe(before.status);
  auto at_cap = c.place_bid(bidders.at(static_cast<std::size_t>(bids % 2))->token, id, amount);
  ASSERT_TRUE(at_cap.ok()) << describe(at_cap.status);
  EXPECT_TRUE(at_cap->accepted());
  EXPECT_EQ(to_us(at_cap->ends_at()), cap_end_us);
  EXPECT_EQ(at_cap->version(), before->version() + 1) << "no TIME_EXTENDED at the cap";

  auto ended = wait_until_closed(c, id, 10s);
  ASSERT_TRUE(ended.ok()) << describe(ended.status);
  EXPECT_EQ(ended->auction().status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(ended->auction().outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(to_us(ended->auction().ended_at()), cap_end_us) << "it ends at original end + cap";
  EXPECT_EQ(to_us(ended->auction().end_time()), cap_end_us);
  EXPECT_EQ(to_us(ended->auction().original_end_time()), original_end_us);
  EXPECT_EQ(to_us(ended->auction().soft_close_max_extension()), 1'500'000);
  EXPECT_EQ(db.auction(to_id(id)).value().ended_at_us, cap_end_us);
}

TEST(WholeAuction, EndedIsNeverShownWithoutItsOutcome) {
  // ENDED means SOLD or UNSOLD (SPEC section 3): a client that sees ENDED
  // shows the result. Read the auction as fast as possible across its end.
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  auto created = c.create_auction(seller.token, auction_request("Stopwatch", 1000, 1500ms));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto bid = c.place_bid(alice.token, created->id(), 2000);
  ASSERT_TRUE(bid.ok() && bid->accepted()) << describe(bid.status);

  const std::int64_t end_us = to_us(created->end_time());
  while (now_us() < end_us - 200'000) std::this_thread::sleep_for(10ms);
  int reads = 0;
  int incomplete = 0;
  std::string first;
  while (now_us() < end_us + 500'000) {
    auto r = c.get_auction(created->id());
    ASSERT_TRUE(r.ok()) << describe(r.status);
    ++reads;
    const auto& a = r->auction();
    if (a.status() != v1::AUCTION_STATUS_ENDED) continue;
    if (a.outcome() != v1::OUTCOME_SOLD || a.winner_id() != alice.id || !a.has_ended_at()) {
      if (incomplete++ == 0) {
        first = "+" + std::to_string(now_us() - end_us) + " us: " + a.ShortDebugString();
      }
    }
  }
  EXPECT_EQ(incomplete, 0) << incomplete << " of " << reads
                           << " reads showed ENDED without outcome/winner/ended_at; first at "
                           << first;
}

TEST(WholeAuction, BuyNowEndsSoldAtTheBuyNowPrice) {
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  const Account carol = c.register_user("carol");

  auto req = auction_request("Guitar", 1000, 60s);
  req.set_buy_now_price(10000);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  EXPECT_EQ(created->buy_now_price(), 10000);

  auto own = c.buy_now(seller.token, id);
  EXPECT_EQ(own.code(), grpc::StatusCode::PERMISSION_DENIED)
      << "a seller cannot buy their own item: " << describe(own.status);

  // A bid leaves the price (10.00) below the buy-now price: still available.
  auto bid = c.place_bid(alice.token, id, 2000);
  ASSERT_TRUE(bid.ok() && bid->accepted()) << describe(bid.status);
  EXPECT_EQ(bid->current_price(), 1000);

  auto bought = c.buy_now(bob.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  EXPECT_FALSE(bought->bid_id().empty());
  const auto& a = bought->auction();
  EXPECT_EQ(a.status(), v1::AUCTION_STATUS_ENDED) << "buy now ends the auction at once";
  EXPECT_EQ(a.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(a.winner_id(), bob.id);
  EXPECT_EQ(a.final_price(), 10000);
  EXPECT_EQ(a.current_price(), 10000);
  EXPECT_TRUE(a.has_ended_at());

  auto view = c.get_auction(id);
  ASSERT_TRUE(view.ok()) << describe(view.status);
  EXPECT_EQ(view->auction().status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(view->auction().winner_id(), bob.id);
  EXPECT_EQ(view->auction().final_price(), 10000);
  EXPECT_EQ(to_us(view->time_remaining()), 0);

  auto history = c.list_bids(id);
  ASSERT_TRUE(history.ok()) << describe(history.status);
  ASSERT_GE(history->bids_size(), 1);
  EXPECT_TRUE(history->bids(0).buy_now()) << "the purchase is in the history, newest first";
  EXPECT_EQ(history->bids(0).bidder_id(), bob.id);
  EXPECT_EQ(history->bids(0).amount(), 10000);
  EXPECT_EQ(history->bids(0).bid_id(), bought->bid_id());

  auto second = c.buy_now(carol.token, id);
  EXPECT_EQ(second.code(), grpc::StatusCode::FAILED_PRECONDITION) << describe(second.status);
  auto late = c.place_bid(carol.token, id, 20000);
  ASSERT_TRUE(late.ok()) << describe(late.status);
  EXPECT_FALSE(late->accepted());
  EXPECT_EQ(late->reject_reason(), v1::AUCTION_ENDED);
  // An ended auction has no next bid, and it ended when it was bought, not at
  // its scheduled end a minute from now.
  EXPECT_EQ(late->minimum_next_bid(), 0);
  EXPECT_EQ(to_us(late->ends_at()), to_us(a.ended_at()));
  EXPECT_EQ(view->auction().minimum_next_bid(), 0);
  // The purchase is an accepted bid in the history, so it is counted as one:
  // Alice's bid and Bob's purchase.
  EXPECT_EQ(view->auction().bid_count(), 2);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM bids WHERE accepted AND auction_id = " +
                      std::to_string(to_id(id))),
            view->auction().bid_count());

  const StoredAuction s = db.auction(to_id(id)).value();
  EXPECT_EQ(s.phase, "ENDED");
  EXPECT_EQ(s.outcome, "SOLD");
  EXPECT_EQ(s.winner_id, to_id(bob.id));
  EXPECT_EQ(s.final_price, 10000);
  const StoredBid purchase = db.bid(to_id(bought->bid_id())).value();
  EXPECT_TRUE(purchase.buy_now);
  EXPECT_TRUE(purchase.accepted);
  EXPECT_EQ(purchase.bidder_id, to_id(bob.id));

  // No buy-now price: FAILED_PRECONDITION, nothing changes.
  auto plain = c.create_auction(seller.token, auction_request("Lamp", 1000, 60s));
  ASSERT_TRUE(plain.ok()) << describe(plain.status);
  auto none = c.buy_now(bob.token, plain->id());
  EXPECT_EQ(none.code(), grpc::StatusCode::FAILED_PRECONDITION) << describe(none.status);

  // Bidding reached the buy-now price: buy now is closed. Alice 50.00, Bob
  // 30.00 -> price 30.00 + 1.00 = 31.00 >= 20.00.
  auto cheap = auction_request("Chair", 1000, 60s);
  cheap.set_buy_now_price(2000);
  auto chair = c.create_auction(seller.token, cheap);
  ASSERT_TRUE(chair.ok()) << describe(chair.status);
  ASSERT_TRUE(c.place_bid(alice.token, chair->id(), 5000)->accepted());
  auto over = c.place_bid(bob.token, chair->id(), 3000);
  ASSERT_TRUE(over.ok() && over->accepted()) << describe(over.status);
  EXPECT_EQ(over->current_price(), 3100);
  auto closed = c.buy_now(carol.token, chair->id());
  EXPECT_EQ(closed.code(), grpc::StatusCode::FAILED_PRECONDITION) << describe(closed.status);
  auto still = c.get_auction(chair->id());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->auction().status(), v1::AUCTION_STATUS_ACTIVE);
  EXPECT_EQ(still->auction().leading_bidder_id(), alice.id);
}

TEST(WholeAuction, SellerCancelsOnlyWithoutBidsAdminAnyTime) {
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account admin = c.login_admin();

  // No bids: the seller may cancel.
  auto quiet = c.create_auction(seller.token, auction_request("Desk", 1000, 60s));
  ASSERT_TRUE(quiet.ok()) << describe(quiet.status);
  auto cancelled = c.cancel_auction(seller.token, quiet->id());
  ASSERT_TRUE(cancelled.ok()) << describe(cancelled.status);
  EXPECT_EQ(cancelled->status(), v1::AUCTION_STATUS_CANCELLED);
  EXPECT_TRUE(cancelled->has_ended_at());
  EXPECT_EQ(cancelled->version(), quiet->version() + 1);
  auto view = c.get_auction(quiet->id());
  ASSERT_TRUE(view.ok()) << describe(view.status);
  EXPECT_EQ(view->auction().status(), v1::AUCTION_STATUS_CANCELLED);
  EXPECT_EQ(view->auction().outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_TRUE(view->auction().winner_id().empty());
  // Bids on a cancelled auction are rejected (and recorded).
  auto bid = c.place_bid(alice.token, quiet->id(), 5000);
  ASSERT_TRUE(bid.ok()) << describe(bid.status);
  EXPECT_FALSE(bid->accepted());
  EXPECT_EQ(bid->reject_reason(), v1::AUCTION_CANCELLED);
  EXPECT_EQ(bid->minimum_next_bid(), 0) << "a cancelled auction takes no next bid";
  EXPECT_EQ(to_us(bid->ends_at()), to_us(cancelled->ended_at())) << "it ended when cancelled";
  EXPECT_EQ(view->auction().minimum_next_bid(), 0);
  EXPECT_EQ(persistence::to_string(db.bid(to_id(bid->bid_id())).value().reject_reason),
            "AUCTION_CANCELLED");
  auto again = c.cancel_auction(seller.token, quiet->id());
  EXPECT_EQ(again.code(), grpc::StatusCode::FAILED_PRECONDITION) << describe(again.status);
  EXPECT_EQ(db.auction(to_id(quiet->id())).value().phase, "CANCELLED");

  // With a bid: the seller may not; the auction stays as it was.
  auto busy = c.create_auction(seller.token, auction_request("Bike", 1000, 60s));
  ASSERT_TRUE(busy.ok()) << describe(busy.status);
  auto b = c.place_bid(alice.token, busy->id(), 1500);
  ASSERT_TRUE(b.ok() && b->accepted()) << describe(b.status);
  auto refused = c.cancel_auction(seller.token, busy->id());
  EXPECT_EQ(refused.code(), grpc::StatusCode::FAILED_PRECONDITION) << describe(refused.status);
  EXPECT_FALSE(refused.status.error_message().empty());
  auto after = c.get_auction(busy->id());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->auction().status(), v1::AUCTION_STATUS_ACTIVE);
  EXPECT_EQ(after->version(), b->version());
  // Another user may never cancel.
  auto stranger = c.cancel_auction(alice.token, busy->id());
  EXPECT_EQ(stranger.code(), grpc::StatusCode::PERMISSION_DENIED) << describe(stranger.status);
  // An admin may, any time before the end.
  auto by_admin = c.cancel_auction(admin.token, busy->id());
  ASSERT_TRUE(by_admin.ok()) << describe(by_admin.status);
  EXPECT_EQ(by_admin->status(), v1::AUCTION_STATUS_CANCELLED);
  EXPECT_EQ(db.auction(to_id(busy->id())).value().phase, "CANCELLED");
}

}  // namespace
}  // namespace auction::test
