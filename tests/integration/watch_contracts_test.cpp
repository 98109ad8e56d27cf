// Live auction streams (SPEC section 5, issue 3), the smaller contracts:
// WatchAuction against the real auctiond and PostgreSQL.
//
// - Bad requests, an ended auction, the end by the timer, cancel, heartbeats
//   of an idle auction, the stream cap, SIGTERM, and TIME_EXTENDED.
//
// Helpers and the version rule: watch_helpers.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/watch_helpers.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

// ------------------------------------------------------- smaller contracts

TEST(Watch, UnknownMalformedAndBadFromVersionAreRefused) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  auto created = c.create_auction(seller.token, auction_request("Vase", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  struct Case {
    std::string name;
    std::string id;
    std::optional<std::int64_t> from_version;
    grpc::StatusCode expected;
  };
  const std::vector<Case> cases = {
      {"unknown id", "987654321", std::nullopt, grpc::StatusCode::NOT_FOUND},
      {"malformed id", "12ab", std::nullopt, grpc::StatusCode::INVALID_ARGUMENT},
      {"empty id", "", std::nullopt, grpc::StatusCode::INVALID_ARGUMENT},
      {"negative from_version", created->id(), -1, grpc::StatusCode::INVALID_ARGUMENT},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    auto w = watch_auction(c.auctions(), k.id, k.from_version);
    auto status = w->wait_done(5s);
    ASSERT_TRUE(status.has_value()) << "the stream stays open: " << describe(w->messages());
    EXPECT_EQ(status->error_code(), k.expected) << describe(*status);
    EXPECT_FALSE(status->error_message().empty());
    EXPECT_EQ(w->count(), 0U) << describe(w->messages());
  }
}

TEST(Watch, AnEndedAuctionGivesItsFinalSnapshotAndEndsOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  auto created = c.create_auction(seller.token, auction_request("Lamp", 1000, 1500ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto bid = c.place_bid(alice.token, created->id(), 2000);
  ASSERT_TRUE(bid.ok() && bid->accepted()) << describe(bid.status);
  auto closed = wait_until_closed(c, created->id(), 10s * kSlowdown);
  ASSERT_EQ(closed->auction().status(), v1::AUCTION_STATUS_ENDED);

  auto w = watch_auction(c.auctions(), created->id());
  auto status = w->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "the stream of an ended auction stays open: "
                                  << describe(w->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = w->messages();
  ASSERT_EQ(got.size(), 1U) << describe(got);
  const Update& s = got[0];
  EXPECT_EQ(s.type(), Update::SNAPSHOT);
  EXPECT_EQ(s.version(), closed->version());
  EXPECT_EQ(s.auction().status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(s.auction().outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(s.auction().winner_id(), alice.id);
  EXPECT_EQ(s.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(s.winner_id(), alice.id);
  EXPECT_EQ(s.final_price(), 1000);
  EXPECT_EQ(to_us(s.time_remaining()), 0);
}

TEST(Watch, AnAuctionEndingByItsTimerSendsAuctionEndedOnTimeThenOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Radio", 1000, 3000ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  auto w = watch_auction(c.auctions(), id);
  ASSERT_TRUE(w->wait_count(1, 5s));
  auto a = c.place_bid(alice.token, id, 2000);
  auto b = c.place_bid(bob.token, id, 3000);
  ASSERT_TRUE(a.ok() && a->accepted() && b.ok() && b->accepted());
  auto status = w->wait_done(10s * kSlowdown);
  const std::int64_t done_us = now_us();
  ASSERT_TRUE(status.has_value()) << describe(w->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(w->messages());
  ASSERT_EQ(got.size(), 4U) << describe(got);
  EXPECT_EQ(got[0].type(), Update::SNAPSHOT);
  EXPECT_EQ(got[0].auction().title(), "Radio");
  EXPECT_EQ(got[0].auction().status(), v1::AUCTION_STATUS_ACTIVE);
  EXPECT_EQ(got[1].type(), Update::BID_PLACED);
  EXPECT_EQ(got[1].version(), a->version());
  EXPECT_EQ(got[1].current_price(), 1000);
  EXPECT_EQ(got[1].leading_bidder_id(), alice.id);
  EXPECT_EQ(got[1].leading_bidder_name(), alice.display_name);
  EXPECT_EQ(got[1].bid_count(), 1);
  EXPECT_EQ(got[1].minimum_next_bid(), 1050);
  EXPECT_EQ(got[1].currency(), "USD");
  EXPECT_EQ(got[2].type(), Update::BID_PLACED);
  EXPECT_EQ(got[2].version(), b->version());
  EXPECT_EQ(got[2].current_price(), 2050);
  EXPECT_EQ(got[2].leading_bidder_id(), bob.id);
  const Update& end = got[3];
  EXPECT_EQ(end.type(), Update::AUCTION_ENDED);
  EXPECT_EQ(end.version(), b->version() + 1);
  EXPECT_EQ(end.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(end.winner_id(), bob.id);
  EXPECT_EQ(end.winner_name(), bob.display_name);
  EXPECT_EQ(end.final_price(), 2050);
  const std::int64_t end_us = to_us(created->end_time());
  EXPECT_EQ(to_us(end.ends_at()), end_us);
  EXPECT_LT(done_us - end_us, std::int64_t{1'000'000} * kSlowdown)
      << "the end reached the watcher more than 1 s late";
}

TEST(Watch, ACancelSendsAuctionCancelledThenOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  auto created = c.create_auction(seller.token, auction_request("Chair", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  ASSERT_TRUE(w->wait_count(1, 5s));
  auto cancelled = c.cancel_auction(seller.token, created->id());
  ASSERT_TRUE(cancelled.ok()) << describe(cancelled.status);
  auto status = w->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << describe(w->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(w->messages());
  ASSERT_EQ(got.size(), 2U) << describe(got);
  EXPECT_EQ(got[0].type(), Update::SNAPSHOT);
  EXPECT_EQ(got[1].type(), Update::AUCTION_CANCELLED);
  EXPECT_EQ(got[1].version(), cancelled->version());
  EXPECT_EQ(got[1].version(), got[0].version() + 1);
}

TEST(Watch, AnIdleAuctionGetsAHeartbeatAtLeastEveryFiveSecondsWithTimeRemaining) {
  // The shared server runs with the default heartbeat interval.
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  auto created = c.create_auction(seller.token, auction_request("Clock", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  ASSERT_TRUE(w->wait_count(1, 5s));
  const std::int64_t snapshot_version = w->messages().front().version();
  const std::int64_t end_us = to_us(created->end_time());
  auto heartbeats = [](const std::vector<Update>& all) {
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [](const Update& u) { return u.type() == Update::HEARTBEAT; }));
  };
  auto last_at = Clock::now();
  for (std::size_t n = 1; n <= 2; ++n) {
    SCOPED_TRACE("heartbeat " + std::to_string(n));
    ASSERT_TRUE(w->wait_for([&](const auto& all) { return heartbeats(all) >= n; }, 5500ms))
        << "no heartbeat within 5 s: " << describe(w->messages());
    const auto now = Clock::now();
    EXPECT_LE(now - last_at, 5250ms);
    last_at = now;
    Update hb;
    for (const auto& u : w->messages()) {
      if (u.type() == Update::HEARTBEAT) hb = u;
    }
    EXPECT_EQ(hb.version(), snapshot_version);
    EXPECT_EQ(hb.auction_id(), created->id());
    EXPECT_EQ(to_us(hb.ends_at()), end_us);
    const std::int64_t remaining = to_us(hb.time_remaining());
    const std::int64_t expected = end_us - now_us();
    EXPECT_GT(remaining, 0);
    EXPECT_NEAR(static_cast<double>(remaining), static_cast<double>(expected), 1e6)
        << "time_remaining is the time until ends_at";
    EXPECT_NEAR(static_cast<double>(to_us(hb.server_time())), static_cast<double>(now_us()), 1e6);
  }
  EXPECT_FALSE(w->done());
}

TEST(Watch, StreamsBeyondTheCapAreResourceExhausted) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "5"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Rug", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();

  // Four auction streams and one notification stream: the cap covers both.
  std::vector<std::unique_ptr<AuctionWatch>> open;
  open.reserve(4);
  for (int i = 0; i < 4; ++i) open.push_back(watch_auction(c.auctions(), id));
  ASSERT_TRUE(wait_all_count(open, 1, 10s));
  auto notes = watch_notifications(c.users(), alice.token);
  // The notification stream is open once it delivers: Alice is outbid.
  std::int64_t delivered_version = 0;
  for (int attempt = 0; attempt < 20 && notes->count() == 0 && !notes->done(); ++attempt) {
    auto a = c.place_bid(alice.token, id, 2000 + 10000 * attempt);
    auto b = c.place_bid(bob.token, id, 7000 + 10000 * attempt);
    ASSERT_TRUE(a.ok() && b.ok());
    delivered_version = b->version();
    notes->wait_count(1, 500ms);
  }
  ASSERT_EQ(notes->count(), 1U) << "the notification stream delivered nothing (v"
                                << delivered_version << ")";

  auto sixth = watch_auction(c.auctions(), id);
  auto status = sixth->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "a 6th stream was let in: " << describe(sixth->messages());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << describe(*status);
  EXPECT_FALSE(status->error_message().empty());
  auto sixth_notes = watch_notifications(c.users(), bob.token, 0);
  status = sixth_notes->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "a 6th stream was let in";
  EXPECT_EQ(status->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << describe(*status);
  // Unary calls are not affected.
  EXPECT_TRUE(c.get_auction(id).ok());

  // A closed stream frees its place.
  open.front()->cancel();
  ASSERT_TRUE(open.front()->wait_done(5s).has_value());
  std::unique_ptr<AuctionWatch> later;
  const auto deadline = Clock::now() + 5s;
  do {
    later = watch_auction(c.auctions(), id);
    later->wait_count(1, 1s);
  } while (later->count() == 0 && Clock::now() < deadline);
  EXPECT_EQ(later->count(), 1U) << "no stream let in 5 s after one closed: "
                                << (later->status() ? describe(*later->status()) : "still open");
  EXPECT_FALSE(later->done());
}

TEST(Watch, SigtermEndsOpenStreamsUnavailableAndTheServerExitsZero) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(), with_args({}));
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  const Account alice = c->register_user("alice");
  auto created = c->create_auction(seller.token, auction_request("Mirror", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto channel = make_channel(server.address());
  auto stub = v1::AuctionService::NewStub(channel);
  auto user_stub = v1::UserService::NewStub(channel);
  std::vector<std::unique_ptr<AuctionWatch>> watchers;
  watchers.reserve(3);
  for (int i = 0; i < 3; ++i) watchers.push_back(watch_auction(*stub, created->id()));
  ASSERT_TRUE(wait_all_count(watchers, 1, 10s));
  // A notification stream, open for sure once it has delivered Alice's OUTBID.
  const Account bob = c->register_user("bob");
  auto a = c->place_bid(alice.token, created->id(), 2000);
  auto b = c->place_bid(bob.token, created->id(), 3000);
  ASSERT_TRUE(a.ok() && b.ok() && b->leading());
  auto notes = watch_notifications(*user_stub, alice.token, 0);
  ASSERT_TRUE(notes->wait_count(1, 5s));
  ASSERT_TRUE(wait_all_count(watchers, 3, 5s));
  c.reset();
  const auto t0 = Clock::now();
  EXPECT_EQ(server.stop(), 0) << "SIGTERM is a graceful shutdown with exit status 0";
  const double stop_s = seconds_since(t0);
  for (const auto& w : watchers) {
    auto status = w->wait_done(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE) << describe(*status);
  }
  auto status = notes->wait_done(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE) << describe(*status);
  std::cout << "[          ] SIGTERM with 4 open streams: exited after " << stop_s << " s\n";
}

TEST(Watch, ABidInsideTheSoftCloseWindowSendsTimeExtended) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  // Every bid is inside the 60 s window of a 30 s auction; it moves the end
  // to bid time + 120 s.
  auto req = auction_request("Sculpture", 1000, 30s);
  req.mutable_soft_close_window()->set_seconds(60);
  req.mutable_soft_close_extension()->set_seconds(120);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  ASSERT_TRUE(w->wait_count(1, 5s));
  const std::int64_t before_us = now_us();
  auto bid = c.place_bid(alice.token, created->id(), 2000);
  const std::int64_t after_us = now_us();
  ASSERT_TRUE(bid.ok() && bid->accepted()) << describe(bid.status);
  ASSERT_TRUE(w->wait_for(reached(bid->version()), 5s)) << describe(w->messages());
  const auto got = changes(w->messages());
  ASSERT_EQ(got.size(), 3U) << describe(got);
  EXPECT_EQ(got[1].type(), Update::BID_PLACED);
  EXPECT_EQ(got[1].version(), got[0].version() + 1);
  const Update& ext = got[2];
  EXPECT_EQ(ext.type(), Update::TIME_EXTENDED);
  EXPECT_EQ(ext.version(), got[0].version() + 2);
  EXPECT_EQ(ext.version(), bid->version()) << "the bid's reply carries the version after both";
  EXPECT_EQ(to_us(ext.ends_at()), to_us(bid->ends_at()));
  EXPECT_GE(to_us(ext.ends_at()), before_us + 120'000'000);
  EXPECT_LE(to_us(ext.ends_at()), after_us + 120'000'000);
  EXPECT_FALSE(ext.extension_reason().empty());
  EXPECT_EQ(ext.current_price(), 1000);
  EXPECT_EQ(ext.leading_bidder_id(), alice.id);
  auto view = c.get_auction(created->id());
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(to_us(view->auction().end_time()), to_us(ext.ends_at()));
}

}  // namespace
}  // namespace auction::test
