// Notifications and the watch list (SPEC section 4 UserService, issue 3),
// against the real auctiond and PostgreSQL:
//
// - each type reaches the right users exactly once: OUTBID (the previous
//   leader, only when the lead changes hands, also to a proxy that takes the
//   lead), WON / LOST / SOLD, UNSOLD (every bidder LOST), CANCELLED (every
//   bidder), ENDING_SOON (bidders and followers, once);
// - also across kill -9 and restarts between the cause and the read: none
//   lost, none doubled, ENDING_SOON not sent again;
// - ListNotifications pages, unread filter and count; MarkNotificationsRead;
// - WatchNotifications: live within 1 s, resume after a seq, across a restart;
// - FollowAuction / UnfollowAuction / ListFollowedAuctions.
//
// A notification is written in the same transaction as the change that caused
// it, so it can be read as soon as that change is acknowledged: the checks
// right after a bid's reply do not wait.
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

#include "tests/support/environment.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Note = v1::Notification;
using Notes = std::vector<Note>;
using Code = grpc::StatusCode;

constexpr std::int64_t kAny = -1;

ServerOptions with_args(std::vector<std::string> args) {
  ServerOptions o;
  o.extra_args = std::move(args);
  return o;
}

/// One expected notification about one auction.
struct Want {
  Note::Type type;
  std::int64_t amount = kAny;
  std::int64_t version = kAny;
};

/// The user's notifications about `auction_id`, oldest first; ENDING_SOON
/// left out unless asked for (its timing is tested on its own).
Notes about(const Notes& all, const std::string& auction_id, bool with_ending_soon = false) {
  Notes out;
  for (const auto& n : all) {
    if (n.auction_id() != auction_id) continue;
    if (n.type() == Note::ENDING_SOON && !with_ending_soon) continue;
    out.push_back(n);
  }
  std::sort(out.begin(), out.end(), [](const Note& a, const Note& b) { return a.seq() < b.seq(); });
  return out;
}

/// Exactly `want`, in commit order, with the auction's title and currency.
::testing::AssertionResult exactly(const Notes& got, const std::vector<Want>& want,
                                   const std::string& title) {
  auto fail = [&](const std::string& why) {
    std::string w = "[";
    for (const auto& x : want) w += Note::Type_Name(x.type) + " ";
    return ::testing::AssertionFailure()
           << why << "\n  got:      " << describe(got) << "\n  expected: " << w << "]";
  };
  if (got.size() != want.size()) return fail("wrong number of notifications");
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Note& n = got[i];
    if (n.type() != want[i].type) return fail("type differs at " + std::to_string(i));
    if (want[i].amount != kAny && n.amount() != want[i].amount) {
      return fail("amount " + std::to_string(n.amount()) + " at " + std::to_string(i) +
                  ", expected " + std::to_string(want[i].amount));
    }
    if (want[i].version != kAny && n.auction_version() != want[i].version) {
      return fail("auction_version " + std::to_string(n.auction_version()) + " at " +
                  std::to_string(i) + ", expected " + std::to_string(want[i].version));
    }
    if (n.auction_title() != title) return fail("auction_title '" + n.auction_title() + "'");
    if (n.currency() != "USD") return fail("currency '" + n.currency() + "'");
    if (n.created_at().seconds() == 0) return fail("no created_at");
  }
  return ::testing::AssertionSuccess();
}

/// A user's seqs are 1, 2, 3, ... without gaps or repeats.
::testing::AssertionResult seqs_are_dense(const Notes& all) {
  std::vector<std::int64_t> seqs;
  for (const auto& n : all) seqs.push_back(n.seq());
  std::sort(seqs.begin(), seqs.end());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (seqs[i] != static_cast<std::int64_t>(i) + 1) {
      return ::testing::AssertionFailure() << "seqs are not 1..n: " << describe(all);
    }
  }
  return ::testing::AssertionSuccess();
}

/// Waits (at most `timeout`) until the user has a notification of `type`
/// about `auction_id`; returns all of the user's notifications.
Notes wait_for_type(Client& c, const Account& user, Note::Type type, const std::string& auction_id,
                    std::chrono::milliseconds timeout) {
  return wait_notifications(
      c.users(), user.token, [&](const Notes& all) { return count_of(all, type, auction_id) > 0; },
      timeout);
}

Notes notes_of(Client& c, const Account& user) { return all_notifications(c.users(), user.token); }

Reply<v1::ListNotificationsResponse> list_page(Client& c, const std::string& token,
                                               bool unread_only, int page_size,
                                               const std::string& page_token = "") {
  v1::ListNotificationsRequest req;
  req.set_unread_only(unread_only);
  req.set_page_size(page_size);
  req.set_page_token(page_token);
  return c.call(&v1::UserService::Stub::ListNotifications, req, token);
}

Reply<v1::MarkNotificationsReadResponse> mark_read(Client& c, const std::string& token,
                                                   const std::vector<std::int64_t>& seqs,
                                                   std::int64_t up_to = 0) {
  v1::MarkNotificationsReadRequest req;
  for (auto s : seqs) req.add_seqs(s);
  req.set_up_to_seq(up_to);
  return c.call(&v1::UserService::Stub::MarkNotificationsRead, req, token);
}

Reply<v1::FollowAuctionResponse> follow(Client& c, const std::string& token,
                                        const std::string& id) {
  v1::FollowAuctionRequest req;
  req.set_auction_id(id);
  return c.call(&v1::UserService::Stub::FollowAuction, req, token);
}

Reply<v1::UnfollowAuctionResponse> unfollow(Client& c, const std::string& token,
                                            const std::string& id) {
  v1::UnfollowAuctionRequest req;
  req.set_auction_id(id);
  return c.call(&v1::UserService::Stub::UnfollowAuction, req, token);
}

Reply<v1::ListFollowedAuctionsResponse> followed(Client& c, const std::string& token,
                                                 int page_size = 0,
                                                 const std::string& page_token = "") {
  v1::ListFollowedAuctionsRequest req;
  req.set_page_size(page_size);
  req.set_page_token(page_token);
  return c.call(&v1::UserService::Stub::ListFollowedAuctions, req, token);
}

/// Places a bid that must be accepted; returns its reply.
v1::PlaceBidResponse bid(Client& c, const Account& who, const std::string& id,
                         std::int64_t max_amount) {
  auto r = c.place_bid(who.token, id, max_amount);
  EXPECT_TRUE(r.ok()) << describe(r.status);
  EXPECT_TRUE(r->accepted()) << who.username << " " << max_amount << ": "
                             << v1::RejectReason_Name(r->reject_reason());
  return r.value;
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
  EXPECT_EQ(of_type(bob, Note::WON), 1u);
  EXPECT_EQ(of_type(alice, Note::LOST), 1u);
  EXPECT_EQ(of_type(seller, Note::SOLD), 1u);
  EXPECT_EQ(of_type(alice, Note::WON) + of_type(bob, Note::LOST) + of_type(seller, Note::UNSOLD),
            0u);
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
  auto created = c.create_auction(seller.token, auction_request("Watch", 1000, 5000ms * kSlowdown));
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

  const Notes frank_notes = wait_for_type(c, frank, Note::ENDING_SOON, id, 6s * kSlowdown);
  const std::int64_t seen_us = now_us();
  ASSERT_EQ(count_of(frank_notes, Note::ENDING_SOON, id), 1u) << describe(frank_notes);
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
  ASSERT_EQ(count_of(seen, Note::ENDING_SOON, a->id()), 1u);
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
  EXPECT_EQ(count_of(b_seen, Note::ENDING_SOON, b->id()), 1u) << describe(b_seen);
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
    EXPECT_EQ(count_of(al, Note::ENDING_SOON, id), 1u) << describe(al);
    EXPECT_EQ(count_of(bo, Note::ENDING_SOON, id), 1u) << describe(bo);
    EXPECT_EQ(count_of(fr, Note::ENDING_SOON, id), 1u) << describe(fr);
    EXPECT_EQ(count_of(al, Note::OUTBID, id), 1u);
    EXPECT_EQ(count_of(al, Note::LOST, id), 1u);
    EXPECT_EQ(count_of(bo, Note::WON, id), 1u);
    EXPECT_EQ(count_of(se, Note::SOLD, id), 1u);
    EXPECT_EQ(about(fr, id, true).size(), 1u) << "a follower who did not bid gets ENDING_SOON only";
    EXPECT_TRUE(about(se, id, true).size() == 1u) << describe(se);
    EXPECT_TRUE(seqs_are_dense(al));
    EXPECT_TRUE(seqs_are_dense(bo));
  }
}

// --------------------------------------------------------------- restarts

TEST(Notifications, KillNineBetweenTheCauseAndTheReadLosesNoneAndDoublesNone) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir());
  Db& db = shared_db();
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  constexpr int kBidders = 3;
  std::vector<Account> bidders;
  bidders.reserve(kBidders);
  for (int i = 0; i < kBidders; ++i) bidders.push_back(c->register_user("bidder"));
  auto created = c->create_auction(seller.token, auction_request("Harp", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  auto ended = c->create_auction(seller.token, auction_request("Flute", 1000, 2000ms * kSlowdown));
  ASSERT_TRUE(ended.ok());
  auto unsold_req = auction_request("Tuba", 1000, 2000ms * kSlowdown);
  unsold_req.set_reserve_price(100000);
  auto unsold = c->create_auction(seller.token, unsold_req);
  auto cancelled = c->create_auction(seller.token, auction_request("Oboe", 1000, 600s));
  ASSERT_TRUE(unsold.ok() && cancelled.ok());
  bid(*c, bidders[0], ended->id(), 2000);
  bid(*c, bidders[1], ended->id(), 3000);
  bid(*c, bidders[2], unsold->id(), 2000);
  bid(*c, bidders[2], cancelled->id(), 2000);
  ASSERT_TRUE(c->cancel_auction(c->login_admin().token, cancelled->id()).ok());
  ASSERT_EQ(wait_until_closed(*c, ended->id(), 10s * kSlowdown)->auction().winner_id(),
            bidders[1].id);
  ASSERT_EQ(wait_until_closed(*c, unsold->id(), 10s * kSlowdown)->auction().outcome(),
            v1::OUTCOME_UNSOLD);

  // Bidders race each other on the first auction; crash mid-burst.
  std::atomic<bool> stop{false};
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  threads.reserve(kBidders);
  const auto channel = server.channel();
  for (int i = 0; i < kBidders; ++i) {
    threads.emplace_back([&, i] {
      Client own(channel);
      std::int64_t max_amount = 2000 + 100 * i;
      while (!stop) {
        auto r = own.place_bid(bidders[static_cast<std::size_t>(i)].token, id, max_amount);
        if (!r.ok()) return;  // the server is gone
        ++acked;
        max_amount = std::max(max_amount, r->minimum_next_bid()) + std::int64_t{300} * (i + 1);
      }
    });
  }
  const auto give_up = Clock::now() + 20s;
  while (acked < 150 && Clock::now() < give_up) std::this_thread::sleep_for(5ms);
  server.kill9();
  stop = true;
  for (auto& t : threads) t.join();
  c.reset();
  server.restart();
  Client c2(server.channel());

  // Expected OUTBIDs from what was committed: every accepted bid after which
  // someone else leads tells the previous leader.
  std::map<std::string, std::vector<std::int64_t>> want_versions;  // user -> versions
  const auto rows = db.query(
      "SELECT version_after, leader_after FROM bids WHERE accepted AND auction_id = " + id +
      " ORDER BY version_after");
  std::optional<std::int64_t> leader;
  for (const auto& r : rows) {
    const auto now_leader = r[1].as<std::int64_t>();
    if (leader && *leader != now_leader) {
      want_versions[std::to_string(*leader)].push_back(r[0].as<std::int64_t>());
    }
    leader = now_leader;
  }
  ASSERT_GT(rows.size(), 20u);
  std::size_t total = 0;
  for (const auto& u : bidders) {
    SCOPED_TRACE(u.username);
    const Notes all = notes_of(c2, u);
    std::vector<std::int64_t> got;
    for (const auto& n : about(all, id, true)) {
      EXPECT_EQ(n.type(), Note::OUTBID) << describe(n);
      got.push_back(n.auction_version());
    }
    EXPECT_EQ(got, want_versions[u.id]) << "OUTBIDs (by version) differ from the committed bids";
    total += got.size();
    EXPECT_TRUE(seqs_are_dense(all));
    // The notifications of the auction that ended before the crash, once.
    EXPECT_EQ(about(all, ended->id()).size(), u.id == bidders[0].id   ? 2u
                                              : u.id == bidders[1].id ? 1u
                                                                      : 0u)
        << describe(all);
  }
  const Notes seller_notes = notes_of(c2, seller);
  EXPECT_TRUE(exactly(about(seller_notes, ended->id()), {{Note::SOLD}}, "Flute"));
  EXPECT_TRUE(exactly(about(seller_notes, unsold->id()), {{Note::UNSOLD}}, "Tuba"));
  EXPECT_TRUE(about(seller_notes, cancelled->id()).empty());
  const Notes third = notes_of(c2, bidders[2]);
  EXPECT_TRUE(exactly(about(third, unsold->id()), {{Note::LOST}}, "Tuba"));
  EXPECT_TRUE(exactly(about(third, cancelled->id()), {{Note::CANCELLED}}, "Oboe"));
  std::cout << "[          ] " << acked.load() << " bids answered before the crash; " << rows.size()
            << " accepted bids committed; " << total << " OUTBIDs\n";
}

TEST(Notifications, WatchResumesAfterTheLastSeqAcrossAGracefulRestart) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir());
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  const Account alice = c->register_user("alice");
  const Account bob = c->register_user("bob");
  auto created = c->create_auction(seller.token, auction_request("Kayak", 1000, 600s));
  ASSERT_TRUE(created.ok());
  const std::string id = created->id();
  std::int64_t amount = 1000;
  auto outbid_alice = [&](Client& cl) {  // Alice leads, then Bob takes over
    amount += 10000;
    bid(cl, alice, id, amount);
    amount += 10000;
    return bid(cl, bob, id, amount);
  };
  outbid_alice(*c);
  outbid_alice(*c);
  auto stream_channel = make_channel(server.address());
  auto stub = v1::UserService::NewStub(stream_channel);
  auto w = watch_notifications(*stub, alice.token, 0);
  ASSERT_TRUE(w->wait_count(2, 5s)) << describe(w->messages());
  c.reset();
  EXPECT_EQ(server.stop(), 0);
  auto status = w->wait_done(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), Code::UNAVAILABLE) << describe(*status);
  const Notes before = w->messages();
  ASSERT_EQ(before.size(), 2u) << describe(before);
  EXPECT_EQ(before[0].seq(), 1);
  EXPECT_EQ(before[1].seq(), 2);

  server.restart();
  Client c2(server.channel());
  outbid_alice(c2);  // seq 3, while no stream is open
  auto stream_channel2 = make_channel(server.address());
  auto stub2 = v1::UserService::NewStub(stream_channel2);
  auto again = watch_notifications(*stub2, alice.token, before.back().seq());
  ASSERT_TRUE(again->wait_count(1, 5s));
  auto last = outbid_alice(c2);  // seq 4, live
  ASSERT_TRUE(again->wait_count(2, 5s)) << describe(again->messages());
  const Notes after = again->messages();
  ASSERT_EQ(after.size(), 2u) << describe(after);
  EXPECT_EQ(after[0].seq(), 3);
  EXPECT_EQ(after[1].seq(), 4);
  EXPECT_EQ(after[1].auction_version(), last.version());
  EXPECT_FALSE(again->done());
}

// ------------------------------------------------------- list, mark, watch

/// Alice and Bob take the lead from each other `rounds` times each: Alice
/// gets `rounds` OUTBIDs (seq 1..rounds), and so does Bob. Maxima climb from `amount`.
std::vector<v1::PlaceBidResponse> ping_pong(Client& c, const Account& alice, const Account& bob,
                                            const std::string& id, int rounds,
                                            std::int64_t amount = 1000) {
  std::vector<v1::PlaceBidResponse> replies;
  for (int i = 0; i < rounds; ++i) {
    amount += 20000;
    replies.push_back(bid(c, alice, id, amount));
    amount += 20000;
    replies.push_back(bid(c, bob, id, amount));
  }
  amount += 20000;
  replies.push_back(bid(c, alice, id, amount));
  return replies;
}

TEST(Notifications, ListPagesNewestFirstFiltersUnreadAndMarkReadCounts) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Atlas", 1000, 600s));
  ASSERT_TRUE(created.ok());
  ping_pong(c, alice, bob, created->id(), 25);

  // Pages of 10: 25..16, 15..6, 5..1, each newest first, the last without a
  // token; unread_count is over everything.
  std::vector<std::int64_t> seqs;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    auto r = list_page(c, alice.token, false, 10, token);
    ASSERT_TRUE(r.ok()) << describe(r.status);
    EXPECT_EQ(r->unread_count(), 25);
    EXPECT_EQ(r->notifications_size(), page < 2 ? 10 : 5);
    for (const auto& n : r->notifications()) {
      seqs.push_back(n.seq());
      EXPECT_EQ(n.type(), Note::OUTBID);
      EXPECT_FALSE(n.read());
    }
    token = r->next_page_token();
    if (token.empty()) break;
  }
  std::vector<std::int64_t> want(25);
  for (int i = 0; i < 25; ++i) want[static_cast<std::size_t>(i)] = 25 - i;
  EXPECT_EQ(seqs, want);
  EXPECT_TRUE(token.empty());
  // Default page size is 20.
  auto first = list_page(c, alice.token, false, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->notifications_size(), 20);
  EXPECT_FALSE(first->next_page_token().empty());

  // Mark 3 and 5: two newly read; again: none.
  auto m1 = mark_read(c, alice.token, {3, 5});
  ASSERT_TRUE(m1.ok()) << describe(m1.status);
  EXPECT_EQ(m1->marked(), 2);
  EXPECT_EQ(m1->unread_count(), 23);
  auto m2 = mark_read(c, alice.token, {3});
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->marked(), 0);
  EXPECT_EQ(m2->unread_count(), 23);
  // Everything up to 10 (8 more), plus 20.
  auto m3 = mark_read(c, alice.token, {20}, 10);
  ASSERT_TRUE(m3.ok());
  EXPECT_EQ(m3->marked(), 9);
  EXPECT_EQ(m3->unread_count(), 14);
  // Unknown seqs mark nothing; Bob's own are untouched.
  auto m4 = mark_read(c, alice.token, {999});
  ASSERT_TRUE(m4.ok());
  EXPECT_EQ(m4->marked(), 0);
  auto bob_list = list_page(c, bob.token, false, 100);
  ASSERT_TRUE(bob_list.ok());
  EXPECT_EQ(bob_list->unread_count(), 25);

  // The unread filter: 25..11 but 20, newest first, across pages of 4.
  std::vector<std::int64_t> unread;
  token.clear();
  for (int page = 0; page < 10; ++page) {
    auto r = list_page(c, alice.token, true, 4, token);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->unread_count(), 14);
    for (const auto& n : r->notifications()) {
      EXPECT_FALSE(n.read());
      unread.push_back(n.seq());
    }
    token = r->next_page_token();
    if (token.empty()) break;
  }
  std::vector<std::int64_t> want_unread;
  for (std::int64_t s = 25; s >= 11; --s) {
    if (s != 20) want_unread.push_back(s);
  }
  EXPECT_EQ(unread, want_unread);
  // The full list shows read flags.
  for (const auto& n : notes_of(c, alice)) {
    const bool should = n.seq() <= 10 || n.seq() == 20;
    EXPECT_EQ(n.read(), should) << describe(n);
  }

  // Bad requests.
  EXPECT_EQ(list_page(c, alice.token, false, 101).code(), Code::INVALID_ARGUMENT);
  EXPECT_EQ(list_page(c, alice.token, false, -1).code(), Code::INVALID_ARGUMENT);
  EXPECT_EQ(list_page(c, alice.token, false, 10, "not a token").code(), Code::INVALID_ARGUMENT);
  EXPECT_EQ(list_page(c, "", false, 10).code(), Code::UNAUTHENTICATED);
  EXPECT_EQ(mark_read(c, "", {1}).code(), Code::UNAUTHENTICATED);
  std::vector<std::int64_t> too_many(1001);
  for (std::size_t i = 0; i < too_many.size(); ++i) too_many[i] = static_cast<std::int64_t>(i) + 1;
  EXPECT_EQ(mark_read(c, alice.token, too_many).code(), Code::INVALID_ARGUMENT);
  auto still = list_page(c, alice.token, true, 1);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->unread_count(), 14) << "a refused mark changed something";
  // Everything.
  auto all = mark_read(c, alice.token, {}, 25);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->marked(), 14);
  EXPECT_EQ(all->unread_count(), 0);
  auto none = list_page(c, alice.token, true, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->notifications_size(), 0);
  EXPECT_TRUE(none->next_page_token().empty());
}

TEST(Notifications, WatchDeliversLiveWithinASecondAndResumesAfterASeq) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Canoe", 1000, 600s));
  ASSERT_TRUE(created.ok());
  const std::string id = created->id();
  ping_pong(c, alice, bob, id, 3);  // Alice: seq 1..3

  // From the very first (after_seq 0), then live.
  auto from_start = watch_notifications(c.users(), alice.token, 0);
  ASSERT_TRUE(from_start->wait_count(3, 5s)) << describe(from_start->messages());
  // From after seq 2: only 3.
  auto from_two = watch_notifications(c.users(), alice.token, 2);
  ASSERT_TRUE(from_two->wait_count(1, 5s));

  // Live: Bob takes the lead; Alice's streams show it within 1 s.
  std::int64_t lead = 0;
  for (const auto& n : from_start->messages()) lead = std::max(lead, n.amount());
  auto view = c.get_auction(id);
  ASSERT_TRUE(view.ok());
  const auto t0 = Clock::now();
  auto taken = bid(c, bob, id, view->auction().minimum_next_bid() + 100000);
  ASSERT_TRUE(from_start->wait_count(4, 1s * kSlowdown))
      << "not live within 1 s: " << describe(from_start->messages());
  ASSERT_TRUE(from_two->wait_count(2, 1s * kSlowdown));
  const double latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const Notes all = from_start->messages();
  ASSERT_EQ(all.size(), 4u) << describe(all);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq(), static_cast<std::int64_t>(i) + 1) << "oldest first, no gaps";
  }
  EXPECT_EQ(all[3].type(), Note::OUTBID);
  EXPECT_EQ(all[3].auction_version(), taken.version());
  EXPECT_EQ(all[3].amount(), taken.current_price());
  const Notes later = from_two->messages();
  ASSERT_EQ(later.size(), 2u) << describe(later);
  EXPECT_EQ(later[0].seq(), 3);
  EXPECT_EQ(later[1].seq(), 4);
  EXPECT_EQ(later[1].SerializeAsString(), all[3].SerializeAsString());
  // The list agrees with the stream.
  const Notes listed = about(notes_of(c, alice), id, true);
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[3].SerializeAsString(), all[3].SerializeAsString());

  // after_seq unset: nothing old, only what comes next. The stream says
  // nothing until then, so keep making news until it shows some (bounded).
  auto from_now = watch_notifications(c.users(), alice.token);
  for (int attempt = 0; attempt < 5 && from_now->count() == 0; ++attempt) {
    bid(c, alice, id, c.get_auction(id)->auction().minimum_next_bid() + 100000);
    bid(c, bob, id, c.get_auction(id)->auction().minimum_next_bid() + 100000);
    from_now->wait_count(1, 1s);
  }
  ASSERT_GE(from_now->count(), 1u);
  const Notes fresh = from_now->messages();
  EXPECT_GE(fresh.front().seq(), 5) << "an unset after_seq replayed old notifications";
  for (std::size_t i = 1; i < fresh.size(); ++i) {
    EXPECT_EQ(fresh[i].seq(), fresh[i - 1].seq() + 1);
  }
  // Only Alice's own.
  for (const auto& n : from_start->messages()) EXPECT_EQ(n.auction_id(), id);
  std::cout << "[          ] live notification after " << latency_ms << " ms\n";

  // Refusals.
  auto anonymous = watch_notifications(c.users(), "", 0);
  auto status = anonymous->wait_done(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), Code::UNAUTHENTICATED) << describe(*status);
  auto negative = watch_notifications(c.users(), alice.token, -1);
  status = negative->wait_done(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), Code::INVALID_ARGUMENT) << describe(*status);
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
  ASSERT_EQ(count_of(notes, Note::ENDING_SOON, id), 1u) << describe(notes);
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
  EXPECT_EQ(count_of(notes_of(c, alice), Note::ENDING_SOON, id), 1u)
      << describe(notes_of(c, alice));
  EXPECT_LE(count_of(notes_of(c, bob), Note::ENDING_SOON, id), 1u) << describe(notes_of(c, bob));
}

TEST(Notifications, AWatcherThatStopsReadingGetsEveryNotificationInOrderLater) {
  // Notifications are never coalesced: a stream that was not read while
  // 600 notifications were committed delivers all of them, oldest first,
  // without gaps, once it is read again.
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Marathon", 1000, 600s));
  ASSERT_TRUE(created.ok());
  const std::string id = created->id();
  ping_pong(c, alice, bob, id, 1);  // Alice: seq 1
  auto slow_channel = make_small_window_channel(shared_server().address());
  auto stub = v1::UserService::NewStub(slow_channel);
  StreamOptions<Note> options;
  options.pause_after = 1;
  auto w = watch_notifications(*stub, alice.token, 0, options);
  ASSERT_TRUE(w->wait_count(1, 5s));
  // Alice raises her own maximum first (no notification), then 600 times
  // Bob takes the lead from her: seq 2..601.
  ping_pong(c, alice, bob, id, 600, 10'000'000);
  EXPECT_EQ(w->count(), 1u);
  w->resume();
  ASSERT_TRUE(w->wait_count(601, 20s)) << w->count() << " of 601 arrived";
  const Notes got = w->messages();
  ASSERT_EQ(got.size(), 601u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].seq(), static_cast<std::int64_t>(i) + 1) << "a gap or a repeat";
    ASSERT_EQ(got[i].type(), Note::OUTBID);
  }
  EXPECT_FALSE(w->done());
}

TEST(Notifications, ManyAuctionsAtOnceGiveOneUserEverySeqInOrder) {
  // Alice is outbid on 16 auctions at once, from 8 threads, and takes the
  // lead back each time: her notifications come from many concurrent commits
  // (two commit writers), yet her stream shows seq 1, 2, 3, ... in order,
  // without gaps, and each OUTBID is one the committed bids call for.
  constexpr int kThreads = 8;
  constexpr int kAuctionsPerThread = 2;
  constexpr int kRounds = 10;
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  std::vector<Account> rivals(kThreads);
  {
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back(
          [&, t] { rivals[static_cast<std::size_t>(t)] = c.register_user("rival"); });
    }
    for (auto& t : threads) t.join();
  }
  std::vector<std::string> ids;
  for (int i = 0; i < kThreads * kAuctionsPerThread; ++i) {
    auto a =
        c.create_auction(seller.token, auction_request("Lot " + std::to_string(i), 1000, 600s));
    ASSERT_TRUE(a.ok());
    ids.push_back(a->id());
    bid(c, alice, a->id(), 2000);
  }
  auto w = watch_notifications(c.users(), alice.token, 0);
  const auto channel = shared_server().channel();
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client own(channel);
      std::int64_t amount = 2000;
      for (int r = 0; r < kRounds; ++r) {
        for (int k = 0; k < kAuctionsPerThread; ++k) {
          const std::string& id =
              ids[static_cast<std::size_t>(t) * kAuctionsPerThread + static_cast<std::size_t>(k)];
          amount += 20000;
          bid(own, rivals[static_cast<std::size_t>(t)], id, amount);  // Alice outbid
          amount += 20000;
          bid(own, alice, id, amount);  // the rival outbid
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  constexpr std::size_t kExpected = std::size_t{kThreads} * kAuctionsPerThread * kRounds;
  ASSERT_TRUE(w->wait_count(kExpected, 10s * kSlowdown)) << w->count() << " of " << kExpected;
  const Notes got = w->messages();
  ASSERT_EQ(got.size(), kExpected);
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].seq(), static_cast<std::int64_t>(i) + 1) << "out of order or a gap";
    ASSERT_EQ(got[i].type(), Note::OUTBID);
  }
  // Each auction: Alice's OUTBIDs are the versions where she lost the lead.
  for (const auto& id : ids) {
    std::vector<std::int64_t> want;
    std::optional<std::int64_t> leader;
    for (const auto& r : db.query("SELECT version_after, leader_after FROM bids WHERE accepted "
                                  "AND auction_id = " +
                                  id + " ORDER BY version_after")) {
      const auto now_leader = r[1].as<std::int64_t>();
      if (leader && *leader != now_leader && std::to_string(*leader) == alice.id) {
        want.push_back(r[0].as<std::int64_t>());
      }
      leader = now_leader;
    }
    std::vector<std::int64_t> have;
    for (const auto& n : got) {
      if (n.auction_id() == id) have.push_back(n.auction_version());
    }
    EXPECT_EQ(have, want) << "auction " << id;
  }
  const auto listed = list_page(c, alice.token, false, 1);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->unread_count(), static_cast<std::int64_t>(kExpected));
}

// ------------------------------------------------------------- watch list

TEST(Notifications, FollowUnfollowAndListFollowedAuctions) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  std::vector<std::string> ids;
  for (const char* title : {"One", "Two", "Three"}) {
    auto a = c.create_auction(seller.token, auction_request(title, 1000, 600s));
    ASSERT_TRUE(a.ok());
    ids.push_back(a->id());
  }
  auto f1 = follow(c, alice.token, ids[0]);
  ASSERT_TRUE(f1.ok()) << describe(f1.status);
  EXPECT_TRUE(f1->newly_followed());
  auto again = follow(c, alice.token, ids[0]);
  ASSERT_TRUE(again.ok()) << "following twice is not an error";
  EXPECT_FALSE(again->newly_followed());
  ASSERT_TRUE(follow(c, alice.token, ids[1]).ok());
  ASSERT_TRUE(follow(c, alice.token, ids[2]).ok());

  // Most recently followed first, in pages of 2.
  auto p1 = followed(c, alice.token, 2);
  ASSERT_TRUE(p1.ok()) << describe(p1.status);
  ASSERT_EQ(p1->auctions_size(), 2);
  EXPECT_EQ(p1->auctions(0).id(), ids[2]);
  EXPECT_EQ(p1->auctions(1).id(), ids[1]);
  EXPECT_EQ(p1->auctions(0).title(), "Three");
  ASSERT_FALSE(p1->next_page_token().empty());
  auto p2 = followed(c, alice.token, 2, p1->next_page_token());
  ASSERT_TRUE(p2.ok());
  ASSERT_EQ(p2->auctions_size(), 1);
  EXPECT_EQ(p2->auctions(0).id(), ids[0]);
  EXPECT_TRUE(p2->next_page_token().empty());
  auto bobs = followed(c, bob.token);
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(bobs->auctions_size(), 0) << "Bob follows nothing";

  auto u1 = unfollow(c, alice.token, ids[1]);
  ASSERT_TRUE(u1.ok()) << describe(u1.status);
  EXPECT_TRUE(u1->was_following());
  auto u2 = unfollow(c, alice.token, ids[1]);
  ASSERT_TRUE(u2.ok());
  EXPECT_FALSE(u2->was_following());
  auto left = followed(c, alice.token);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->auctions_size(), 2);
  EXPECT_EQ(left->auctions(0).id(), ids[2]);
  EXPECT_EQ(left->auctions(1).id(), ids[0]);

  // The list shows each auction as it is now.
  auto b = bid(c, bob, ids[2], 2500);
  auto now_list = followed(c, alice.token);
  ASSERT_TRUE(now_list.ok());
  ASSERT_GE(now_list->auctions_size(), 1);
  EXPECT_EQ(now_list->auctions(0).bid_count(), 1);
  EXPECT_EQ(now_list->auctions(0).leading_bidder_id(), bob.id);
  EXPECT_EQ(now_list->auctions(0).version(), b.version());

  // Refusals.
  EXPECT_EQ(follow(c, alice.token, "987654321").code(), Code::NOT_FOUND);
  EXPECT_EQ(follow(c, alice.token, "x1").code(), Code::INVALID_ARGUMENT);
  EXPECT_EQ(follow(c, "", ids[0]).code(), Code::UNAUTHENTICATED);
  EXPECT_EQ(unfollow(c, "", ids[0]).code(), Code::UNAUTHENTICATED);
  EXPECT_EQ(followed(c, "").code(), Code::UNAUTHENTICATED);
  EXPECT_EQ(follow(c, "forged.token", ids[0]).code(), Code::UNAUTHENTICATED);
  auto same = followed(c, alice.token);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->auctions_size(), 2) << "a refused call changed the watch list";
}

}  // namespace
}  // namespace auction::test
