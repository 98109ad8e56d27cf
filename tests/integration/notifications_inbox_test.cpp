// Notifications and the watch list (SPEC section 4 UserService, issue 3),
// reading them, against the real auctiond and PostgreSQL:
//
// - across kill -9 and restarts between the cause and the read: none lost,
//   none doubled;
// - ListNotifications pages, unread filter and count; MarkNotificationsRead;
// - WatchNotifications: live within 1 s, resume after a seq, across a restart,
//   a watcher that stops reading, many auctions at once;
// - FollowAuction / UnfollowAuction / ListFollowedAuctions.
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

using Clock = std::chrono::steady_clock;

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
  ASSERT_GT(rows.size(), 20U);
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
    EXPECT_EQ(about(all, ended->id()).size(), u.id == bidders[0].id   ? 2U
                                              : u.id == bidders[1].id ? 1U
                                                                      : 0U)
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
  ASSERT_EQ(before.size(), 2U) << describe(before);
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
  ASSERT_EQ(after.size(), 2U) << describe(after);
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
  ASSERT_EQ(all.size(), 4U) << describe(all);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq(), static_cast<std::int64_t>(i) + 1) << "oldest first, no gaps";
  }
  EXPECT_EQ(all[3].type(), Note::OUTBID);
  EXPECT_EQ(all[3].auction_version(), taken.version());
  EXPECT_EQ(all[3].amount(), taken.current_price());
  const Notes later = from_two->messages();
  ASSERT_EQ(later.size(), 2U) << describe(later);
  EXPECT_EQ(later[0].seq(), 3);
  EXPECT_EQ(later[1].seq(), 4);
  EXPECT_EQ(later[1].SerializeAsString(), all[3].SerializeAsString());
  // The list agrees with the stream.
  const Notes listed = about(notes_of(c, alice), id, true);
  ASSERT_EQ(listed.size(), 4U);
  EXPECT_EQ(listed[3].SerializeAsString(), all[3].SerializeAsString());

  // after_seq unset: nothing old, only what comes next. The stream says
  // nothing until then, so keep making news until it shows some (bounded).
  auto from_now = watch_notifications(c.users(), alice.token);
  for (int attempt = 0; attempt < 5 && from_now->count() == 0; ++attempt) {
    bid(c, alice, id, c.get_auction(id)->auction().minimum_next_bid() + 100000);
    bid(c, bob, id, c.get_auction(id)->auction().minimum_next_bid() + 100000);
    from_now->wait_count(1, 1s);
  }
  ASSERT_GE(from_now->count(), 1U);
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

// A quiet stream is not a dead one: WatchNotifications sends a HEARTBEAT
// (never stored, seq = the stream's cursor) when it has sent nothing for the
// heartbeat interval (4 s by default; at most 1.5 intervals apart).
TEST(Notifications, AQuietStreamGetsHeartbeatsCarryingItsCursor) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Kayak", 1000, 600s));
  ASSERT_TRUE(created.ok());
  ping_pong(c, alice, bob, created->id(), 2);  // Alice: seq 1, 2
  const std::int64_t newest = notes_of(c, alice).front().seq();

  auto from_start = watch_notifications(c.users(), alice.token, 0);
  auto from_now = watch_notifications(c.users(), alice.token);
  ASSERT_TRUE(from_start->wait_heartbeats(2, 13s * kSlowdown))
      << "two heartbeats in 13 s: " << describe(from_start->heartbeats());
  ASSERT_TRUE(from_now->wait_heartbeats(1, 7s * kSlowdown)) << describe(from_now->heartbeats());

  // The notifications came first, in full; the heartbeats carry the cursor
  // a client resumes from, and the server's time.
  EXPECT_EQ(from_start->count(), static_cast<std::size_t>(newest));
  for (const auto& h : from_start->heartbeats()) {
    EXPECT_EQ(h.seq(), newest) << describe(h);
    EXPECT_TRUE(h.has_created_at());
    EXPECT_TRUE(h.auction_id().empty());
  }
  EXPECT_EQ(from_now->count(), 0U);
  EXPECT_EQ(from_now->heartbeats().front().seq(), newest);
  // Never stored: the list holds only real notifications.
  for (const auto& n : notes_of(c, alice)) EXPECT_NE(n.type(), Note::HEARTBEAT);
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
  EXPECT_EQ(w->count(), 1U);
  w->resume();
  ASSERT_TRUE(w->wait_count(601, 20s)) << w->count() << " of 601 arrived";
  const Notes got = w->messages();
  ASSERT_EQ(got.size(), 601U);
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
