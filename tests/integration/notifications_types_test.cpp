// Notifications (SPEC section 4 UserService, issue 3), who gets which type,
// against the real auctiond and PostgreSQL: each type reaches the right
// users exactly once: OUTBID (the previous leader, only when the lead changes
// hands, also to a proxy that takes the lead), WON / LOST / SOLD, UNSOLD
// (every bidder LOST), CANCELLED (every bidder), ENDING_SOON (bidders and
// followers, once, also across crashes and a soft-close extension).
//
// Shared helpers, and why checks right after a reply need not wait:
// notification_helpers.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/notification_helpers.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

ServerOptions with_args(std::vector<std::string> args) {
  ServerOptions o;
  o.extra_args = std::move(args);
  return o;
}

/// Waits (at most `timeout`) until the user has a notification of `type`
/// about `auction_id`; returns all of the user's notifications.
Notes wait_for_type(Client& c, const Account& user, Note::Type type, const std::string& auction_id,
                    std::chrono::milliseconds timeout) {
  return wait_notifications(
      c.users(), user.token, [&](const Notes& all) { return count_of(all, type, auction_id) > 0; },
      timeout);
}

/// Sleeps until the wall clock passes `us` (a moment in the auction's time,
/// not a synchronisation with the server).
void sleep_until_us(std::int64_t us) {
  while (now_us() < us) std::this_thread::sleep_for(10ms);
}

// ------------------------------------------------------------------ OUTBID

TEST(Notifications, OutbidGoesToThePreviousLeaderExactlyWhenTheLeadChangesHands) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  const Account carol = c.register_user("carol");
  auto created = c.create_auction(seller.token, auction_request("Bicycle", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();

  // Alice leads alone; no one is outbid.
  bid(c, alice, id, 2000);
  EXPECT_TRUE(about(notes_of(c, alice), id).empty());
  // Bob 15.00 is outbid at once by Alice's proxy (price 15.50): the lead
  // does not change hands, so no one hears of it.
  auto b1 = bid(c, bob, id, 1500);
  EXPECT_FALSE(b1.leading());
  EXPECT_TRUE(about(notes_of(c, alice), id).empty());
  EXPECT_TRUE(about(notes_of(c, bob), id).empty());
  // Bob 30.00 takes the lead at 20.50: Alice is outbid (at once: the
  // notification is committed with the bid).
  auto b2 = bid(c, bob, id, 3000);
  EXPECT_EQ(b2.current_price(), 2050);
  EXPECT_TRUE(
      exactly(about(notes_of(c, alice), id), {{Note::OUTBID, 2050, b2.version()}}, "Bicycle"));
  // Alice 25.00: outbid at once by Bob's proxy (26.00); Bob keeps the lead.
  auto a2 = bid(c, alice, id, 2500);
  EXPECT_FALSE(a2.leading());
  EXPECT_EQ(a2.current_price(), 2600);
  // Bob raises his own maximum: the lead does not change.
  bid(c, bob, id, 5000);
  // Carol 40.00: outbid at once by Bob's proxy (41.00).
  auto c1 = bid(c, carol, id, 4000);
  EXPECT_FALSE(c1.leading());
  // Carol 60.00 takes over through her proxy at 51.00: Bob is outbid.
  auto c2 = bid(c, carol, id, 6000);
  EXPECT_EQ(c2.current_price(), 5100);
  // A rejected bid changes nothing.
  auto low = c.place_bid(alice.token, id, 5000);
  ASSERT_TRUE(low.ok());
  EXPECT_FALSE(low->accepted());
  // Alice takes the lead back at 61.00: Carol is outbid.
  auto a3 = bid(c, alice, id, 7000);
  EXPECT_EQ(a3.current_price(), 6100);

  const Notes alice_notes = notes_of(c, alice);
  const Notes bob_notes = notes_of(c, bob);
  const Notes carol_notes = notes_of(c, carol);
  EXPECT_TRUE(exactly(about(alice_notes, id), {{Note::OUTBID, 2050, b2.version()}}, "Bicycle"));
  EXPECT_TRUE(exactly(about(bob_notes, id), {{Note::OUTBID, 5100, c2.version()}}, "Bicycle"));
  EXPECT_TRUE(exactly(about(carol_notes, id), {{Note::OUTBID, 6100, a3.version()}}, "Bicycle"));
  EXPECT_TRUE(notes_of(c, seller).empty()) << describe(notes_of(c, seller));
  for (const Notes* n : {&alice_notes, &bob_notes, &carol_notes}) {
    EXPECT_TRUE(seqs_are_dense(*n));
    for (const auto& x : *n) EXPECT_FALSE(x.read());
  }
}

// ---------------------------------------------------------------- the end

TEST(Notifications, ASoldAuctionTellsTheWinnerWonEveryOtherBidderLostAndTheSellerSold) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  const Account carol = c.register_user("carol");
  const Account dave = c.register_user("dave");
  auto created =
      c.create_auction(seller.token, auction_request("Guitar", 1000, 3000ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  bid(c, alice, id, 2000);
  auto b = bid(c, bob, id, 3000);                // Alice outbid, price 20.50
  bid(c, carol, id, 2500);                       // outbid at once: price 26.00
  bid(c, alice, id, 2800);                       // again outbid at once: price 29.00
  auto low = c.place_bid(dave.token, id, 1000);  // too low: Dave has no accepted bid
  ASSERT_TRUE(low.ok());
  EXPECT_FALSE(low->accepted());

  auto closed = wait_until_closed(c, id, 10s * kSlowdown);
  ASSERT_TRUE(closed.ok()) << describe(closed.status);
  ASSERT_EQ(closed->auction().outcome(), v1::OUTCOME_SOLD);
  ASSERT_EQ(closed->auction().winner_id(), bob.id);
  const std::int64_t final_price = closed->auction().final_price();
  const std::int64_t v = closed->version();
  EXPECT_EQ(final_price, 2900);

  // Committed with the end: no waiting needed once the end is visible.
  EXPECT_TRUE(exactly(about(notes_of(c, bob), id), {{Note::WON, final_price, v}}, "Guitar"));
  EXPECT_TRUE(exactly(about(notes_of(c, alice), id),
                      {{Note::OUTBID, 2050, b.version()}, {Note::LOST, final_price, v}}, "Guitar"));
  EXPECT_TRUE(exactly(about(notes_of(c, carol), id), {{Note::LOST, final_price, v}}, "Guitar"));
  EXPECT_TRUE(exactly(about(notes_of(c, seller), id), {{Note::SOLD, final_price, v}}, "Guitar"));
  EXPECT_TRUE(about(notes_of(c, dave), id, true).empty()) << describe(notes_of(c, dave));
}

TEST(Notifications, BuyNowTellsTheBuyerWonTheBiddersLostAndTheSellerSold) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto req = auction_request("Drone", 1000, 600s);
  req.set_buy_now_price(9000);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  bid(c, alice, id, 2000);
  auto bought = c.buy_now(bob.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  const std::int64_t v = bought->auction().version();
  // OUTBID is not checked here: whether a buy-now also "outbids" is not
  // specified; WON/LOST/SOLD are.
  auto of_type = [&](const Account& who, Note::Type t) {
    return count_of(notes_of(c, who), t, id);
  };
  EXPECT_EQ(of_type(bob, Note::WON), 1U);
  EXPECT_EQ(of_type(alice, Note::LOST), 1U);
  EXPECT_EQ(of_type(seller, Note::SOLD), 1U);
  EXPECT_EQ(of_type(alice, Note::WON) + of_type(bob, Note::LOST) + of_type(seller, Note::UNSOLD),
            0U);
  for (const auto& n : about(notes_of(c, bob), id)) {
    if (n.type() == Note::WON) {
      EXPECT_EQ(n.amount(), 9000);
      EXPECT_EQ(n.auction_version(), v);
    }
  }
}

TEST(Notifications, ReserveNotMetIsUnsoldForTheSellerAndLostForEveryBidder) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto req = auction_request("Painting", 1000, 2500ms * kSlowdown);
  req.set_reserve_price(10000);
  auto created = c.create_auction(seller.token, req);
  // And one without any bid at all.
  auto quiet =
      c.create_auction(seller.token, auction_request("Quiet lot", 1000, 2500ms * kSlowdown));
  ASSERT_TRUE(created.ok() && quiet.ok());
  const std::string id = created->id();
  bid(c, alice, id, 2000);
  auto b = bid(c, bob, id, 3000);
  auto closed = wait_until_closed(c, id, 10s * kSlowdown);
  ASSERT_EQ(closed->auction().outcome(), v1::OUTCOME_UNSOLD);
  const std::int64_t v = closed->version();
  // LOST's amount for an unsold auction is not pinned down by the contract.
  EXPECT_TRUE(exactly(about(notes_of(c, alice), id),
                      {{Note::OUTBID, 2050, b.version()}, {Note::LOST, kAny, v}}, "Painting"));
  EXPECT_TRUE(exactly(about(notes_of(c, bob), id), {{Note::LOST, kAny, v}}, "Painting"));
  // UNSOLD's amount: see UnsoldAndCancelledCarryNoAmount.
  EXPECT_TRUE(exactly(about(notes_of(c, seller), id), {{Note::UNSOLD, kAny, v}}, "Painting"));

  auto quiet_closed = wait_until_closed(c, quiet->id(), 10s * kSlowdown);
  ASSERT_EQ(quiet_closed->auction().outcome(), v1::OUTCOME_UNSOLD);
  EXPECT_TRUE(exactly(about(notes_of(c, seller), quiet->id()),
                      {{Note::UNSOLD, kAny, quiet_closed->version()}}, "Quiet lot"));
  EXPECT_TRUE(about(notes_of(c, alice), quiet->id(), true).empty());
}

TEST(Notifications, AnAdminCancelTellsEveryBidderOnce) {
  Client& c = shared_client();
  const Account admin = c.login_admin();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  const Account dave = c.register_user("dave");
  auto created = c.create_auction(seller.token, auction_request("Sofa", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  bid(c, alice, id, 2000);
  auto b = bid(c, bob, id, 3000);
  bid(c, alice, id, 2500);  // Alice's second accepted bid: still one CANCELLED
  auto low = c.place_bid(dave.token, id, 1000);
  ASSERT_TRUE(low.ok());
  EXPECT_FALSE(low->accepted());
  auto by_seller = c.cancel_auction(seller.token, id);
  EXPECT_EQ(by_seller.code(), Code::FAILED_PRECONDITION) << "the seller cannot cancel with bids";
  auto cancelled = c.cancel_auction(admin.token, id);
  ASSERT_TRUE(cancelled.ok()) << describe(cancelled.status);
  const std::int64_t v = cancelled->version();
  EXPECT_TRUE(exactly(about(notes_of(c, alice), id),
                      {{Note::OUTBID, 2050, b.version()}, {Note::CANCELLED, kAny, v}}, "Sofa"));
  EXPECT_TRUE(exactly(about(notes_of(c, bob), id), {{Note::CANCELLED, kAny, v}}, "Sofa"));
  EXPECT_TRUE(about(notes_of(c, dave), id, true).empty()) << "Dave had no accepted bid";
  EXPECT_TRUE(about(notes_of(c, seller), id, true).empty()) << describe(notes_of(c, seller));

  // A seller's cancel of an auction without bids tells no one.
  auto lonely = c.create_auction(seller.token, auction_request("Stool", 1000, 600s));
  ASSERT_TRUE(lonely.ok());
  ASSERT_TRUE(follow(c, alice.token, lonely->id()).ok());
  ASSERT_TRUE(c.cancel_auction(seller.token, lonely->id()).ok());
  EXPECT_TRUE(about(notes_of(c, seller), lonely->id(), true).empty());
  EXPECT_TRUE(about(notes_of(c, alice), lonely->id(), true).empty());
}

// The proto: "OUTBID: the new price; WON, LOST, SOLD: the final price;
// ENDING_SOON: the current price; otherwise 0".
TEST(Notifications, UnsoldAndCancelledCarryNoAmount) {
  Client& c = shared_client();
  const Account admin = c.login_admin();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  auto req = auction_request("Reserve lot", 1000, 2000ms * kSlowdown);
  req.set_reserve_price(10000);
  auto unsold = c.create_auction(seller.token, req);
  auto cancelled = c.create_auction(seller.token, auction_request("Cancelled lot", 1000, 600s));
  ASSERT_TRUE(unsold.ok() && cancelled.ok());
  bid(c, alice, unsold->id(), 2000);
  bid(c, alice, cancelled->id(), 2000);
  auto cancel = c.cancel_auction(admin.token, cancelled->id());
  ASSERT_TRUE(cancel.ok()) << describe(cancel.status);
  auto closed = wait_until_closed(c, unsold->id(), 10s * kSlowdown);
  ASSERT_EQ(closed->auction().outcome(), v1::OUTCOME_UNSOLD);
  EXPECT_TRUE(
      exactly(about(notes_of(c, seller), unsold->id()), {{Note::UNSOLD, 0}}, "Reserve lot"));
  EXPECT_TRUE(
      exactly(about(notes_of(c, alice), cancelled->id()), {{Note::CANCELLED, 0}}, "Cancelled lot"));
}

// ------------------------------------------------------------- ENDING_SOON

TEST(Notifications, EndingSoonReachesBiddersAndFollowersOnceAtTheLeadTime) {
  constexpr std::int64_t kLeadUs = std::int64_t{2'000'000} * kSlowdown;
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--ending-soon-lead-ms", std::to_string(kLeadUs / 1000)}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  const Account frank = c.register_user("frank");  // follows only
  const Account gina = c.register_user("gina");    // follows, then unfollows
  // Four leads long: the configured lead, not a quarter of a shorter
  // auction's length, is what applies (domain/ending_soon.hpp).
  auto created = c.create_auction(seller.token, auction_request("Watch", 1000, 8000ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  const std::int64_t end_us = to_us(created->end_time());
  bid(c, alice, id, 2000);
  auto b = bid(c, bob, id, 3000);
  ASSERT_TRUE(follow(c, alice.token, id).ok());  // a bidder who also follows: still once
  ASSERT_TRUE(follow(c, frank.token, id).ok());
  ASSERT_TRUE(follow(c, gina.token, id).ok());
  ASSERT_TRUE(unfollow(c, gina.token, id).ok());
  ASSERT_LT(now_us(), end_us - kLeadUs - 300'000 * kSlowdown)
      << "setup took too long for this test";

  const Notes frank_notes = wait_for_type(c, frank, Note::ENDING_SOON, id, 9s * kSlowdown);
  const std::int64_t seen_us = now_us();
  ASSERT_EQ(count_of(frank_notes, Note::ENDING_SOON, id), 1U) << describe(frank_notes);
  EXPECT_GE(seen_us, end_us - kLeadUs - 100'000 * kSlowdown)
      << "ENDING_SOON came before the lead time";
  EXPECT_LE(seen_us, end_us) << "ENDING_SOON came after the end";
  const Note es = about(frank_notes, id, true).front();
  EXPECT_EQ(es.type(), Note::ENDING_SOON);
  EXPECT_EQ(es.amount(), b.current_price()) << "ENDING_SOON carries the current price";
  EXPECT_EQ(to_us(es.ends_at()), end_us);
  EXPECT_EQ(es.auction_title(), "Watch");
  EXPECT_GE(to_us(es.created_at()), end_us - kLeadUs - 100'000 * kSlowdown);

  auto closed = wait_until_closed(c, id, 10s * kSlowdown);
  ASSERT_EQ(closed->auction().winner_id(), bob.id);
  const std::int64_t v = closed->version();
  const std::int64_t price = closed->auction().final_price();
  EXPECT_TRUE(exactly(about(notes_of(c, frank), id, true), {{Note::ENDING_SOON, b.current_price()}},
                      "Watch"));
  EXPECT_TRUE(exactly(about(notes_of(c, alice), id, true),
                      {{Note::OUTBID, 2050, b.version()},
                       {Note::ENDING_SOON, b.current_price()},
                       {Note::LOST, price, v}},
                      "Watch"));
  EXPECT_TRUE(exactly(about(notes_of(c, bob), id, true),
                      {{Note::ENDING_SOON, b.current_price()}, {Note::WON, price, v}}, "Watch"));
  EXPECT_TRUE(about(notes_of(c, gina), id, true).empty()) << "Gina no longer follows";
  EXPECT_TRUE(exactly(about(notes_of(c, seller), id, true), {{Note::SOLD, price, v}}, "Watch"))
      << "the seller gets no ENDING_SOON";
}

TEST(Notifications, EndingSoonIsSentOnceAcrossCrashesBeforeAndAfterItsMoment) {
  // Auction A: ENDING_SOON goes out, then the server crashes, and A's end
  // passes while it is down. Auction B: its ENDING_SOON moment passes while
  // the server is down; it ends after the restart.
  constexpr std::int64_t kLeadUs = std::int64_t{3'000'000} * kSlowdown;
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--ending-soon-lead-ms", std::to_string(kLeadUs / 1000)}));
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  const Account alice = c->register_user("alice");
  const Account bob = c->register_user("bob");
  const Account frank = c->register_user("frank");
  auto a = c->create_auction(seller.token, auction_request("Atlas", 1000, 6000ms * kSlowdown));
  auto b = c->create_auction(seller.token, auction_request("Barometer", 1000, 11000ms * kSlowdown));
  ASSERT_TRUE(a.ok() && b.ok());
  for (const auto* x : {&a, &b}) {
    bid(*c, alice, x->value.id(), 2000);
    bid(*c, bob, x->value.id(), 3000);
    ASSERT_TRUE(follow(*c, frank.token, x->value.id()).ok());
  }
  const std::int64_t a_end = to_us(a->end_time());
  const std::int64_t b_end = to_us(b->end_time());
  ASSERT_LT(now_us(), a_end - kLeadUs - 300'000 * kSlowdown) << "setup took too long for this test";

  // A's ENDING_SOON is committed; crash right after.
  auto seen = wait_for_type(*c, alice, Note::ENDING_SOON, a->id(), 6s * kSlowdown);
  ASSERT_EQ(count_of(seen, Note::ENDING_SOON, a->id()), 1U);
  c.reset();
  server.kill9();
  ASSERT_LT(now_us(), b_end - kLeadUs - 200'000 * kSlowdown)
      << "too slow: B's moment already passed";
  // Down past A's end and past B's ENDING_SOON moment (but not B's end).
  sleep_until_us(b_end - kLeadUs + 500'000 * kSlowdown);
  server.restart();
  Client c2(server.channel());
  ASSERT_LT(now_us(), b_end - 500'000 * kSlowdown) << "the restart took too long for this test";

  // B's ENDING_SOON goes out after the restart, before its end.
  auto b_seen = wait_for_type(c2, frank, Note::ENDING_SOON, b->id(), 3s * kSlowdown);
  EXPECT_EQ(count_of(b_seen, Note::ENDING_SOON, b->id()), 1U) << describe(b_seen);
  EXPECT_LT(now_us(), b_end);
  auto a_closed = wait_until_closed(c2, a->id(), 5s * kSlowdown);
  auto b_closed = wait_until_closed(c2, b->id(), 10s * kSlowdown);
  ASSERT_EQ(a_closed->auction().winner_id(), bob.id);
  ASSERT_EQ(b_closed->auction().winner_id(), bob.id);

  for (const auto* x : {&a, &b}) {
    const std::string& id = x->value.id();
    SCOPED_TRACE(x->value.title());
    const Notes al = notes_of(c2, alice);
    const Notes bo = notes_of(c2, bob);
    const Notes fr = notes_of(c2, frank);
    const Notes se = notes_of(c2, seller);
    EXPECT_EQ(count_of(al, Note::ENDING_SOON, id), 1U) << describe(al);
    EXPECT_EQ(count_of(bo, Note::ENDING_SOON, id), 1U) << describe(bo);
    EXPECT_EQ(count_of(fr, Note::ENDING_SOON, id), 1U) << describe(fr);
    EXPECT_EQ(count_of(al, Note::OUTBID, id), 1U);
    EXPECT_EQ(count_of(al, Note::LOST, id), 1U);
    EXPECT_EQ(count_of(bo, Note::WON, id), 1U);
    EXPECT_EQ(count_of(se, Note::SOLD, id), 1U);
    EXPECT_EQ(about(fr, id, true).size(), 1U) << "a follower who did not bid gets ENDING_SOON only";
    EXPECT_TRUE(about(se, id, true).size() == 1U) << describe(se);
    EXPECT_TRUE(seqs_are_dense(al));
    EXPECT_TRUE(seqs_are_dense(bo));
  }
}

TEST(Notifications, EndingSoonMovesWithASoftCloseExtensionAndIsNotRepeated) {
  // Lead 2 s. A 5 s auction with a 5 s soft-close window and a 6 s
  // extension: a bid at once moves the end to about now + 6 s, so ENDING_SOON
  // is due 2 s before the new end, not before the old one. A second
  // extension after ENDING_SOON went out does not send it again.
  constexpr std::int64_t kLeadUs = std::int64_t{2'000'000} * kSlowdown;
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--ending-soon-lead-ms", std::to_string(kLeadUs / 1000)}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto req = auction_request("Hourglass", 1000, 5000ms * kSlowdown);
  req.mutable_soft_close_window()->set_seconds(5 * kSlowdown);
  req.mutable_soft_close_extension()->set_seconds(6 * kSlowdown);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  const std::int64_t old_end = to_us(created->end_time());
  auto a = bid(c, alice, id, 2000);
  const std::int64_t new_end = to_us(a.ends_at());
  ASSERT_GT(new_end, old_end) << "the bid was inside the window: the end moves";
  ASSERT_LT(now_us(), old_end - kLeadUs - 200'000 * kSlowdown)
      << "setup took too long for this test";

  auto notes = wait_for_type(c, alice, Note::ENDING_SOON, id, 10s * kSlowdown);
  const std::int64_t seen_us = now_us();
  ASSERT_EQ(count_of(notes, Note::ENDING_SOON, id), 1U) << describe(notes);
  EXPECT_GE(seen_us, new_end - kLeadUs - 100'000 * kSlowdown)
      << "ENDING_SOON came " << (new_end - seen_us) / 1000
      << " ms before the (extended) end; the lead is 2000 ms";
  EXPECT_EQ(to_us(about(notes, id, true).back().ends_at()), new_end);

  // Bob extends again after ENDING_SOON went out.
  auto b = bid(c, bob, id, 3000);
  const std::int64_t last_end = to_us(b.ends_at());
  EXPECT_GT(last_end, new_end);
  auto closed = wait_until_closed(c, id, 15s * kSlowdown);
  ASSERT_EQ(closed->auction().winner_id(), bob.id);
  EXPECT_EQ(to_us(closed->auction().end_time()), last_end);
  EXPECT_EQ(count_of(notes_of(c, alice), Note::ENDING_SOON, id), 1U)
      << describe(notes_of(c, alice));
  EXPECT_LE(count_of(notes_of(c, bob), Note::ENDING_SOON, id), 1U) << describe(notes_of(c, bob));
}

}  // namespace
}  // namespace auction::test
