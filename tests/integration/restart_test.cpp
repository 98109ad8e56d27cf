// Durability across restarts (SPEC sections 3, 6 and 7): after a graceful stop
// (SIGTERM, exit 0) the server comes back with the same price, leader,
// version, end time and idempotency answers; after a crash (kill -9) no
// acknowledged bid is lost; an auction whose end passed while the server was
// down (stopped or crashed) ends at once, at its scheduled end; a database
// outage is UNAVAILABLE and then heals without a server restart.
// Each test runs its own auctiond on the binary's shared cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/environment.hpp"
#include "tests/support/health_probe.hpp"
#include "tests/support/history.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

::testing::AssertionResult same_reply(const v1::PlaceBidResponse& a,
                                      const v1::PlaceBidResponse& b) {
  if (a.SerializeAsString() == b.SerializeAsString()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "first reply {" << a.ShortDebugString() << "} but now {" << b.ShortDebugString() << "}";
}

/// The publicly visible state that must survive a restart.
void expect_same_public_state(const v1::GetAuctionResponse& before,
                              const v1::GetAuctionResponse& after) {
  const auto& a = before.auction();
  const auto& b = after.auction();
  EXPECT_EQ(b.status(), a.status());
  EXPECT_EQ(b.current_price(), a.current_price());
  EXPECT_EQ(b.leading_bidder_id(), a.leading_bidder_id());
  EXPECT_EQ(b.leading_bidder_name(), a.leading_bidder_name());
  EXPECT_EQ(b.bid_count(), a.bid_count());
  EXPECT_EQ(b.minimum_next_bid(), a.minimum_next_bid());
  EXPECT_EQ(b.reserve_met(), a.reserve_met());
  EXPECT_EQ(to_us(b.end_time()), to_us(a.end_time()));
  EXPECT_EQ(b.version(), a.version());
  EXPECT_EQ(after.version(), before.version());
  ASSERT_EQ(after.top_bidders_size(), before.top_bidders_size());
  for (int i = 0; i < before.top_bidders_size(); ++i) {
    EXPECT_EQ(after.top_bidders(i).SerializeAsString(), before.top_bidders(i).SerializeAsString());
  }
}

/// Polls the database (at most `timeout`) until the auction is no longer OPEN.
StoredAuction wait_stored_final(Db& db, std::int64_t id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    StoredAuction a = db.auction(id).value();
    if (a.phase != "OPEN" || std::chrono::steady_clock::now() >= deadline) return a;
    std::this_thread::sleep_for(20ms);
  }
}

/// Checks that `created`, due while the server was down, ended right after the
/// restart, at its scheduled end, with the given winner (empty = UNSOLD).
void expect_ended_at_scheduled_end(Client& c, Db& db, const v1::Auction& created,
                                   const std::string& winner_id, std::int64_t final_price) {
  SCOPED_TRACE("auction " + created.id() + " (" + created.title() + ")");
  const std::int64_t end_us = to_us(created.end_time());
  // "At once": within moments of coming back.
  auto ended = wait_until_closed(c, created.id(), 2s);
  ASSERT_TRUE(ended.ok()) << describe(ended.status);
  const auto& fin = ended->auction();
  EXPECT_EQ(fin.status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(fin.outcome(), winner_id.empty() ? v1::OUTCOME_UNSOLD : v1::OUTCOME_SOLD);
  EXPECT_EQ(fin.winner_id(), winner_id);
  if (!winner_id.empty()) {
    EXPECT_EQ(fin.final_price(), final_price);
  }
  EXPECT_EQ(to_us(fin.ended_at()), end_us) << "ended_at must be the scheduled end, not the restart";

  const StoredAuction s = wait_stored_final(db, to_id(created.id()), 2s);
  EXPECT_EQ(s.phase, "ENDED");
  EXPECT_EQ(s.outcome, winner_id.empty() ? "UNSOLD" : "SOLD");
  if (!winner_id.empty()) {
    EXPECT_EQ(s.winner_id, to_id(winner_id));
    EXPECT_EQ(s.final_price, final_price);
  } else {
    EXPECT_FALSE(s.winner_id.has_value());
  }
  EXPECT_EQ(s.ended_at_us, end_us);
  const auto events = db.events(to_id(created.id()));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, "ENDED");
  EXPECT_EQ(events.back().at_us, end_us);
  EXPECT_EQ(events.back().version, s.version);
}

/// Sleeps until the wall clock is past `end_us` plus a margin.
void sleep_past(std::int64_t end_us) {
  while (now_us() < end_us + 300'000) std::this_thread::sleep_for(20ms);
}

TEST(Restart, SigtermKeepsPriceLeaderVersionEndTimeAndIdempotencyAnswers) {
  Db& db = shared_db();
  ServerProcess server(shared_cluster().url(), shared_cluster().dir());
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  const Account alice = c->register_user("alice");
  const Account bob = c->register_user("bob");

  // One auction that will be due while the server is down: Bob alone at the
  // starting price.
  auto soon = c->create_auction(seller.token, auction_request("Kettle", 1000, 2500ms));
  ASSERT_TRUE(soon.ok()) << describe(soon.status);
  auto soon_bid = c->place_bid(bob.token, soon->id(), 2000);
  ASSERT_TRUE(soon_bid.ok() && soon_bid->accepted()) << describe(soon_bid.status);

  // One that lives on.
  auto req = auction_request("Telescope", 1000, 120s);
  req.set_reserve_price(3000);
  req.mutable_soft_close_window()->set_seconds(10);
  req.mutable_soft_close_extension()->set_seconds(10);
  req.mutable_soft_close_max_extension()->set_seconds(30);
  auto created = c->create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  auto a1 = c->place_bid(alice.token, id, 2000, "alice-1");
  auto b1 = c->place_bid(bob.token, id, 2500, "bob-1");
  auto a2 = c->place_bid(alice.token, id, 4000, "alice-2");
  for (const auto* r : {&a1, &b1, &a2}) {
    ASSERT_TRUE(r->ok() && r->value.accepted()) << describe(r->status);
  }
  auto before = c->get_auction(id);
  ASSERT_TRUE(before.ok()) << describe(before.status);
  EXPECT_EQ(before->auction().leading_bidder_id(), alice.id);

  // Clients disconnect first, so that the stop is prompt.
  c.reset();
  EXPECT_EQ(server.stop(), 0) << "SIGTERM is a graceful shutdown with exit status 0";
  ASSERT_EQ(db.auction(to_id(soon->id())).value().phase, "OPEN")
      << "the short auction ended before the server stopped; the machine is too slow for this test";
  sleep_past(to_us(soon->end_time()));
  server.restart();
  Client c2(server.channel());

  auto after = c2.get_auction(id);
  ASSERT_TRUE(after.ok()) << describe(after.status);
  expect_same_public_state(before.value, after.value);
  EXPECT_EQ(after->auction().status(), v1::AUCTION_STATUS_ACTIVE);
  EXPECT_EQ(to_us(after->auction().soft_close_max_extension()), 30'000'000)
      << "the soft-close cap is reloaded with the terms";

  expect_ended_at_scheduled_end(c2, db, soon.value, bob.id, 1000);

  // Logins and idempotency answers survive, too.
  auto retry_a1 = c2.place_bid(alice.token, id, 2000, "alice-1");
  ASSERT_TRUE(retry_a1.ok()) << describe(retry_a1.status);
  EXPECT_TRUE(same_reply(a1.value, retry_a1.value));
  auto retry_b1 = c2.place_bid(bob.token, id, 2500, "bob-1");
  ASSERT_TRUE(retry_b1.ok()) << describe(retry_b1.status);
  EXPECT_TRUE(same_reply(b1.value, retry_b1.value));
  auto reused = c2.place_bid(alice.token, id, 9999, "alice-2");
  EXPECT_EQ(reused.code(), grpc::StatusCode::ALREADY_EXISTS) << describe(reused.status);

  // And bidding simply continues, one version later.
  auto b2 = c2.place_bid(bob.token, id, 5000, "bob-2");
  ASSERT_TRUE(b2.ok()) << describe(b2.status);
  EXPECT_TRUE(b2->accepted());
  EXPECT_TRUE(b2->leading());
  EXPECT_EQ(b2->version(), before->version() + 1);
  EXPECT_EQ(db.auction(to_id(id)).value().version, b2->version());
}

TEST(Restart, SigtermUnderLoadAcknowledgesOnlyCommittedBidsEndsStreamsAndExitsZeroInTime) {
  Db& db = shared_db();
  ServerProcess server(shared_cluster().url(), shared_cluster().dir());
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  constexpr int kBidders = 6;
  constexpr int kAuctions = 6;
  std::vector<Account> bidders;
  bidders.reserve(kBidders);
  for (int i = 0; i < kBidders; ++i) bidders.push_back(c.register_user("bidder"));
  std::vector<std::string> ids;
  ids.reserve(kAuctions);
  for (int i = 0; i < kAuctions; ++i) {
    auto created = c.create_auction(seller.token, auction_request("Under load", 100, 600s));
    ASSERT_TRUE(created.ok()) << describe(created.status);
    ids.push_back(created->id());
  }
  std::vector<std::unique_ptr<AuctionWatch>> watchers;
  watchers.reserve(ids.size());
  for (const auto& id : ids) watchers.push_back(watch_auction(c.auctions(), id));
  for (auto& w : watchers) ASSERT_TRUE(w->wait_count(1, 10s * kSlowdown));

  // Bidders keep calling until the server is gone; every OK answer is kept.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<v1::PlaceBidResponse> acknowledged;
  std::vector<std::thread> threads;
  // Taken here: stop() drops the server's channel while the bidders still call.
  const std::shared_ptr<grpc::Channel> channel = server.channel();
  for (std::size_t b = 0; b < bidders.size(); ++b) {
    threads.emplace_back([&, b] {
      Client mine(channel);
      for (int i = 0; i < 100'000 && !stop.load(); ++i) {
        const std::string& id = ids[(b + static_cast<std::size_t>(i)) % ids.size()];
        auto r = mine.place_bid(bidders[b].token, id, 200 + i * 50);
        if (r.ok()) {
          std::lock_guard lock(mu);
          acknowledged.push_back(r.value);
        } else if (r.code() != grpc::StatusCode::UNAVAILABLE &&
                   r.code() != grpc::StatusCode::CANCELLED) {
          // CANCELLED: gRPC refuses calls that arrive once the shutdown began.
          ADD_FAILURE() << "during shutdown a bid may only fail UNAVAILABLE or CANCELLED: "
                        << describe(r.status);
        }
      }
    });
  }
  std::this_thread::sleep_for(1500ms);
  const auto signalled = std::chrono::steady_clock::now();
  const int code = server.stop();
  const auto took = std::chrono::steady_clock::now() - signalled;
  stop = true;
  for (auto& t : threads) t.join();

  EXPECT_EQ(code, 0) << "SIGTERM exits 0";
  EXPECT_LT(took, 5s * kSlowdown)
      << "SIGTERM took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms";
  for (auto& w : watchers) {
    auto status = w->wait_done(5s * kSlowdown);
    ASSERT_TRUE(status.has_value()) << "a stream stayed open after the server stopped";
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE) << describe(*status);
  }
  ASSERT_FALSE(acknowledged.empty());
  // Every acknowledged bid, also the ones answered during the shutdown, is
  // stored exactly as answered.
  for (const auto& r : acknowledged) {
    const auto stored = db.bid(to_id(r.bid_id()));
    ASSERT_TRUE(stored.has_value()) << "acknowledged bid " << r.bid_id() << " is not stored";
    EXPECT_EQ(stored->accepted, r.accepted());
    EXPECT_EQ(stored->price_after, r.current_price());
    EXPECT_EQ(stored->version_after, r.version());
  }
  std::cout << "SIGTERM under load: " << acknowledged.size() << " bids acknowledged, exit after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
}

TEST(Restart, AuctionDueDuringACrashEndsAtOnceAtItsScheduledEnd) {
  Db& db = shared_db();
  ServerProcess server(shared_cluster().url(), shared_cluster().dir());
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");

  auto sold_req = auction_request("Record player", 1000, 2500ms);
  auto unsold_req = auction_request("Typewriter", 1000, 2500ms);
  auto sold = c.create_auction(seller.token, sold_req);
  auto unsold = c.create_auction(seller.token, unsold_req);
  ASSERT_TRUE(sold.ok() && unsold.ok())
      << describe(sold.status) << " / " << describe(unsold.status);
  // Alice 20.00, then Bob 30.00: Bob leads at 20.00 + 0.50 = 20.50.
  auto a = c.place_bid(alice.token, sold->id(), 2000);
  auto b = c.place_bid(bob.token, sold->id(), 3000);
  ASSERT_TRUE(a.ok() && a->accepted() && b.ok() && b->accepted());
  EXPECT_EQ(b->current_price(), 2050);

  // A crash, so that nothing at all can happen at shutdown.
  server.kill9();
  // The test only means something if the end was still ahead at the crash.
  ASSERT_EQ(db.auction(to_id(sold->id())).value().phase, "OPEN")
      << "the auction ended before the server went down; the machine is too slow for this test";

  sleep_past(std::max(to_us(sold->end_time()), to_us(unsold->end_time())));
  server.restart();
  Client c2(server.channel());

  expect_ended_at_scheduled_end(c2, db, sold.value, bob.id, 2050);
  expect_ended_at_scheduled_end(c2, db, unsold.value, "", 0);

  // A bid now is too late, and recorded as such.
  auto late = c2.place_bid(alice.token, sold->id(), 100000);
  ASSERT_TRUE(late.ok()) << describe(late.status);
  EXPECT_FALSE(late->accepted());
  EXPECT_EQ(late->reject_reason(), v1::AUCTION_ENDED);
  const auto row = db.bid(to_id(late->bid_id()));
  ASSERT_TRUE(row.has_value()) << "the rejected attempt is recorded for audit";
  EXPECT_EQ(persistence::to_string(row->reject_reason), "AUCTION_ENDED");
}

TEST(Restart, KillNineLosesNoAcknowledgedBid) {
  Db& db = shared_db();
  ServerProcess server(shared_cluster().url(), shared_cluster().dir());
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  constexpr int kBidders = 4;
  std::vector<Account> bidders;
  bidders.reserve(kBidders);
  for (int i = 0; i < kBidders; ++i) bidders.push_back(c.register_user("bidder"));
  auto created = c.create_auction(seller.token, auction_request("Motorbike", 1000, 120s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();

  struct Sent {
    int bidder = 0;
    std::int64_t max_amount = 0;
    std::string key;
    bool acknowledged = false;
    v1::PlaceBidResponse reply;
  };
  std::mutex mu;
  std::vector<Sent> sent;
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  threads.reserve(kBidders);
  const std::shared_ptr<grpc::Channel> channel = server.channel();
  for (int b = 0; b < kBidders; ++b) {
    threads.emplace_back([&, b] {
      Client own(channel);
      std::int64_t max_amount = 1000 + 10 * b;
      for (int n = 0; !stop; ++n) {
        Sent s{b, max_amount, "kill9-" + std::to_string(b) + "-" + std::to_string(n), false, {}};
        auto r = own.place_bid(bidders[static_cast<std::size_t>(b)].token, id, s.max_amount, s.key);
        s.acknowledged = r.ok();
        s.reply = r.value;
        if (r.ok()) ++acknowledged;
        {
          std::lock_guard lock(mu);
          sent.push_back(s);
        }
        if (!r.ok()) return;  // the server is gone
        max_amount = std::max(max_amount, r->minimum_next_bid()) + std::int64_t{37} * (b + 1);
      }
    });
  }
  // Crash while bids are in flight, once a fair number were acknowledged.
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (acknowledged < 200 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(5ms);
  }
  server.kill9();
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_GE(acknowledged.load(), 50) << "too few bids were acknowledged before the crash";
  std::cout << "[          ] " << acknowledged.load() << " bids acknowledged, "
            << sent.size() - static_cast<std::size_t>(acknowledged.load())
            << " cut off by the crash\n";

  server.restart();
  Client c2(server.channel());

  // Every acknowledged bid is stored as acknowledged.
  const auto stored = db.bids(to_id(id));
  std::map<std::int64_t, StoredBid> by_id;
  for (const auto& s : stored) by_id[s.id] = s;
  std::int64_t max_acked_version = 0;
  for (const auto& s : sent) {
    if (!s.acknowledged) continue;
    auto it = by_id.find(to_id(s.reply.bid_id()));
    ASSERT_NE(it, by_id.end()) << "acknowledged bid " << s.reply.bid_id() << " (" << s.key
                               << ") was lost in the crash";
    EXPECT_EQ(it->second.max_amount, s.max_amount);
    EXPECT_EQ(it->second.accepted, s.reply.accepted());
    EXPECT_EQ(it->second.price_after, s.reply.current_price());
    EXPECT_EQ(it->second.version_after, s.reply.version());
    max_acked_version = std::max(max_acked_version, s.reply.version());
  }

  // The state after recovery is what the stored history gives under the
  // rules, and no acknowledged version went back.
  const auto accepted = accepted_in_version_order(stored);
  ASSERT_FALSE(accepted.empty());
  for (std::size_t i = 1; i < accepted.size(); ++i) {
    ASSERT_EQ(accepted[i].version_after, accepted[i - 1].version_after + 1);
  }
  const AuctionState replayed = replay_stored(terms_from(created.value), accepted);
  auto view = c2.get_auction(id);
  ASSERT_TRUE(view.ok()) << describe(view.status);
  EXPECT_GE(view->version(), max_acked_version);
  EXPECT_EQ(view->version(), db.auction(to_id(id)).value().version);
  EXPECT_EQ(view->version(), accepted.back().version_after);
  EXPECT_EQ(view->auction().current_price(), replayed.current_price);
  ASSERT_TRUE(replayed.leader.has_value());
  EXPECT_EQ(view->auction().leading_bidder_id(), std::to_string(*replayed.leader));
  EXPECT_EQ(view->auction().bid_count(), replayed.bid_count);

  // Retries: acknowledged keys answer as the first time; a key whose answer
  // was lost in the crash is decided at most once.
  for (const auto& s : sent) {
    auto r =
        c2.place_bid(bidders[static_cast<std::size_t>(s.bidder)].token, id, s.max_amount, s.key);
    ASSERT_TRUE(r.ok()) << s.key << ": " << describe(r.status);
    if (s.acknowledged) {
      EXPECT_TRUE(same_reply(s.reply, r.value)) << s.key;
    }
    EXPECT_EQ(db.scalar("SELECT count(*) FROM bids WHERE idempotency_key = '" + s.key + "'"), 1)
        << s.key;
  }
}

// SPEC section 6: with the database down, commands fail UNAVAILABLE and are
// not applied; once it is back they succeed again, without restarting the
// server, and the auction continues from exactly what the database holds.
TEST(Durability, DatabaseOutageIsUnavailableThenRecoversWithoutRestart) {
  PgCluster& cluster = shared_cluster();
  Db& db = shared_db();
  ServerProcess server(cluster.url(), cluster.dir());
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Piano", 1000, 120s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string& id = created->id();
  auto first = c.place_bid(alice.token, id, 2000);
  ASSERT_TRUE(first.ok() && first->accepted()) << describe(first.status);

  // Whatever happens below, the shared cluster is running again afterwards.
  struct Restore {
    PgCluster& cluster;
    ~Restore() {
      if (!cluster.running()) cluster.start();
    }
  } restore{cluster};
  cluster.kill();

  auto down = c.place_bid(bob.token, id, 3000, "during-outage");
  EXPECT_EQ(down.code(), grpc::StatusCode::UNAVAILABLE) << describe(down.status);
  EXPECT_FALSE(down.status.error_message().empty());
  // Readiness: the services say NOT_SERVING (the server probes once a second);
  // the process itself stays SERVING, so a liveness probe does not restart it.
  for (const std::string service : {"auction.v1.AuctionService", "auction.v1.UserService"}) {
    EXPECT_EQ(wait_for_health(server.channel(), service, kNotServing, 5s).serving, kNotServing)
        << service << " with the database down";
  }
  EXPECT_EQ(health_check(server.channel(), "").serving, kServing);

  cluster.start();
  // The client retries the same command (same key) until the server is
  // through with the outage; it must succeed within a reasonable time.
  Reply<v1::PlaceBidResponse> retry;
  const auto give_up = std::chrono::steady_clock::now() + 15s;
  do {
    std::this_thread::sleep_for(200ms);
    retry = c.place_bid(bob.token, id, 3000, "during-outage");
  } while (!retry.ok() && std::chrono::steady_clock::now() < give_up);
  ASSERT_TRUE(retry.ok()) << "still failing 15 s after the database came back: "
                          << describe(retry.status);
  EXPECT_TRUE(server.running()) << "the server must ride out the outage";
  EXPECT_EQ(wait_for_health(server.channel(), "auction.v1.AuctionService", kServing, 5s).serving,
            kServing)
      << "SERVING again once the database is back";

  // Bob 30.00 over Alice 20.00: price 20.50, one version after Alice's bid
  // (the failed attempt changed nothing).
  EXPECT_TRUE(retry->accepted());
  EXPECT_TRUE(retry->leading());
  EXPECT_EQ(retry->current_price(), 2050);
  EXPECT_EQ(retry->version(), first->version() + 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM bids WHERE idempotency_key = 'during-outage'"), 1);
  EXPECT_EQ(db.bids(to_id(id)).size(), 2U);
  EXPECT_EQ(db.auction(to_id(id)).value().version, retry->version());
  auto view = c.get_auction(id);
  ASSERT_TRUE(view.ok()) << describe(view.status);
  EXPECT_EQ(view->auction().leading_bidder_id(), bob.id);
  EXPECT_EQ(view->auction().current_price(), 2050);
  EXPECT_EQ(view->version(), retry->version());
}

}  // namespace
}  // namespace auction::test
