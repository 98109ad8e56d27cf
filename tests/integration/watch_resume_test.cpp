// Live auction streams (SPEC section 5, issue 3), resumed: WatchAuction
// against the real auctiond and PostgreSQL.
//
// - Resume with from_version across a graceful restart and across a crash:
//   exactly the missed events, no gap or duplicate at the seam, then live ones.
// - Resume without a restart, after the end; heartbeats carry the latest
//   version sent.
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

// --------------------------------------------------------------- resuming

/// A watcher sees the first bids and goes away; bids are placed while it is
/// away, the server restarts (SIGTERM or kill -9), more bids come; the
/// watcher resumes from the last version it saw while bids keep coming.
void resume_across_restart(bool crash) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "100"}));
  Db& db = shared_db();
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  const Account buyer = c->register_user("buyer");
  const std::vector<Account> bidders = register_users(*c, "bidder", 2);
  auto req = auction_request("Grandfather clock", 1000, 600s);
  req.set_buy_now_price(kBuyNowPrice);
  auto created = c->create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  Ladder ladder;

  auto first_channel = make_channel(server.address());
  auto first_stub = v1::AuctionService::NewStub(first_channel);
  auto first = watch_auction(*first_stub, id);
  auto seen = bid_until(server.channel(), bidders, id, ladder, 5, 30s);
  ASSERT_EQ(seen.size(), 5U);
  ASSERT_TRUE(first->wait_for(reached(seen.back().version), 5s)) << describe(first->messages());
  first->cancel();
  ASSERT_TRUE(first->wait_done(5s).has_value());
  const auto first_msgs = changes(first->messages());
  const std::int64_t last_seen = first_msgs.back().version();
  ASSERT_EQ(last_seen, seen.back().version);

  // Missed while away, before the restart.
  auto missed = bid_until(server.channel(), bidders, id, ladder, 5, 30s);
  ASSERT_EQ(missed.size(), 5U);
  // A watcher still open at the restart.
  auto open_channel = make_channel(server.address());
  auto open_stub = v1::AuctionService::NewStub(open_channel);
  auto open = watch_auction(*open_stub, id);
  ASSERT_TRUE(open->wait_count(1, 5s));
  c.reset();
  if (crash) {
    server.kill9();
  } else {
    EXPECT_EQ(server.stop(), 0) << "SIGTERM is a graceful shutdown with exit status 0";
  }
  auto open_status = open->wait_done(10s);
  ASSERT_TRUE(open_status.has_value()) << "a stream stays open after the server went away";
  EXPECT_EQ(open_status->error_code(), grpc::StatusCode::UNAVAILABLE) << describe(*open_status);
  server.restart();
  Client c2(server.channel());

  // Missed while away, after the restart.
  auto missed_after = bid_until(server.channel(), bidders, id, ladder, 5, 30s);
  ASSERT_EQ(missed_after.size(), 5U);

  // Resume while bids keep coming (across the seam between stored and live
  // events), then buy it now: the stream ends with AUCTION_ENDED and OK.
  std::vector<Ack> live;
  std::atomic<bool> resumed{false};
  std::thread bidding([&] {
    while (!resumed) std::this_thread::sleep_for(1ms);
    live = bid_until(server.channel(), bidders, id, ladder, 20, 30s);
  });
  auto resume_channel = make_channel(server.address());
  auto resume_stub = v1::AuctionService::NewStub(resume_channel);
  auto again = watch_auction(*resume_stub, id, last_seen);
  resumed = true;
  bidding.join();
  ASSERT_EQ(live.size(), 20U);
  auto bought = c2.buy_now(buyer.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  const std::int64_t final_version = bought->auction().version();
  auto status = again->wait_done(10s);
  ASSERT_TRUE(status.has_value()) << "the resumed stream did not end after the buy-now: "
                                  << describe(again->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);

  const auto got = changes(again->messages());
  SCOPED_TRACE("resumed from v" + std::to_string(last_seen) + ": " + describe(got));
  ASSERT_FALSE(got.empty());
  EXPECT_NE(got.front().type(), Update::SNAPSHOT)
      << "the missed events are all stored, so no SNAPSHOT is needed";
  // Exactly the versions after last_seen, each once, in order, to the end.
  ASSERT_EQ(got.size(), static_cast<std::size_t>(final_version - last_seen));
  const auto stored = db.events(to_id(id));
  std::map<std::int64_t, StoredEvent> by_version;
  for (const auto& e : stored) by_version[e.version] = e;
  for (std::size_t k = 0; k < got.size(); ++k) {
    const Update& u = got[k];
    ASSERT_EQ(u.version(), last_seen + 1 + static_cast<std::int64_t>(k));
    ASSERT_EQ(by_version.count(u.version()), 1U) << "v" << u.version() << " is not stored";
    const StoredEvent& e = by_version[u.version()];
    const bool last = k + 1 == got.size();
    EXPECT_EQ(u.type(), last ? Update::AUCTION_ENDED : Update::BID_PLACED) << describe(u);
    EXPECT_EQ(e.type, last ? "ENDED" : "BID_PLACED");
    EXPECT_EQ(u.current_price(), e.price) << describe(u);
    EXPECT_EQ(u.auction_id(), id);
  }
  const auto& end = got.back();
  EXPECT_EQ(end.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(end.winner_id(), buyer.id);
  EXPECT_EQ(end.final_price(), kBuyNowPrice);
}

TEST(Watch, ResumeFromVersionAcrossAGracefulRestartGetsExactlyTheMissedEventsThenLiveOnes) {
  resume_across_restart(false);
}

TEST(Watch, ResumeFromVersionAcrossACrashGetsExactlyTheMissedEventsThenLiveOnes) {
  resume_across_restart(true);
}

/// The resumed stream `got` (heartbeats left out) continues exactly after
/// `from`: either the events from from+1 on, or one SNAPSHOT (events no
/// longer kept) and the events after it; then every version once, in order,
/// to `last`. Returns "" when so.
std::string check_resumed(const std::vector<Update>& got, std::int64_t from, std::int64_t last) {
  if (got.empty()) return "nothing after resuming";
  std::int64_t v = from;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Update& u = got[i];
    const bool snapshot_start = i == 0 && u.type() == Update::SNAPSHOT && u.version() > from;
    if (!snapshot_start && u.version() != v + 1) {
      return describe(u) + " after v" + std::to_string(v) + " in " + describe(got);
    }
    if (!snapshot_start && u.type() == Update::SNAPSHOT) return "a SNAPSHOT inside the events";
    v = u.version();
  }
  if (v != last) return "ends at v" + std::to_string(v) + ", expected v" + std::to_string(last);
  return "";
}

TEST(Watch, ResumeWithoutARestartIsSeamlessWhileBidsContinue) {
  // Served from the auction's memory while another watcher is connected.
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "100"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account buyer = c.register_user("buyer");
  const std::vector<Account> bidders = register_users(c, "bidder", 2);
  auto req = auction_request("Chess set", 1000, 600s);
  req.set_buy_now_price(kBuyNowPrice);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  Ladder ladder;
  auto witness = watch_auction(c.auctions(), id);  // keeps the auction watched throughout
  ASSERT_TRUE(witness->wait_count(1, 5s));

  // Up to date: from_version = the current version gives no SNAPSHOT, only
  // what comes next.
  auto first = bid_until(server.channel(), bidders, id, ladder, 10, 30s);
  ASSERT_EQ(first.size(), 10U);
  auto current = watch_auction(c.auctions(), id, first.back().version);
  auto next = bid_until(server.channel(), bidders, id, ladder, 1, 30s);
  ASSERT_EQ(next.size(), 1U);
  ASSERT_TRUE(current->wait_for(reached(next.back().version), 5s)) << describe(current->messages());
  EXPECT_EQ(describe(changes(current->messages())),
            "[BID_PLACED v" + std::to_string(next.back().version) + "]");

  // Resume 5 versions back while 30 more bids come in.
  const std::int64_t from = next.back().version - 5;
  std::vector<Ack> live;
  std::thread bidding([&] { live = bid_until(server.channel(), bidders, id, ladder, 30, 30s); });
  auto resumed = watch_auction(c.auctions(), id, from);
  bidding.join();
  ASSERT_EQ(live.size(), 30U);
  ASSERT_TRUE(resumed->wait_for(reached(live.back().version), 5s)) << describe(resumed->messages());
  const auto got = changes(resumed->messages());
  EXPECT_EQ(check_resumed(got, from, live.back().version), "");
  EXPECT_NE(got.front().type(), Update::SNAPSHOT)
      << "5 versions back are kept; resumed from v" << from << ": " << describe(got);

  // Far behind (more events than a server keeps for replay, if it has such a
  // limit): exact events or a SNAPSHOT, and nothing missing after it.
  auto many = bid_until(server.channel(), bidders, id, ladder, 1100, 120s);
  ASSERT_EQ(many.size(), 1100U);
  auto far = watch_auction(c.auctions(), id, 2);
  ASSERT_TRUE(far->wait_count(1, 10s));  // registered before the end
  auto bought = c.buy_now(buyer.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  const std::int64_t final_version = bought->auction().version();
  auto status = far->wait_done(20s);
  ASSERT_TRUE(status.has_value()) << describe(far->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto far_got = changes(far->messages());
  EXPECT_EQ(check_resumed(far_got, 2, final_version), "");
  EXPECT_EQ(far_got.back().type(), Update::AUCTION_ENDED);
  std::cout << "[          ] resuming " << final_version - 3 << " versions back starts with "
            << describe(far_got.front()) << "\n";
  // The witness saw everything, once, in order.
  ASSERT_TRUE(witness->wait_done(5s).has_value());
  Trace t;
  for (const auto& u : witness->messages()) t.push_back(Seen{u.type(), u.version(), 0, {}});
  EXPECT_EQ(check_gapless(t, created->version(), final_version), "");
}

TEST(Watch, ResumingAfterTheEndGetsTheMissedEventsAndTheEndThenOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created =
      c.create_auction(seller.token, auction_request("Telescope", 1000, 2500ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  auto w = watch_auction(c.auctions(), id);
  auto a = c.place_bid(alice.token, id, 2000);
  ASSERT_TRUE(a.ok() && a->accepted());
  ASSERT_TRUE(w->wait_for(reached(a->version()), 5s)) << describe(w->messages());
  w->cancel();  // the watcher's connection drops
  ASSERT_TRUE(w->wait_done(5s).has_value());
  auto b = c.place_bid(bob.token, id, 3000);
  ASSERT_TRUE(b.ok() && b->accepted());
  auto closed = wait_until_closed(c, id, 10s * kSlowdown);
  ASSERT_EQ(closed->auction().status(), v1::AUCTION_STATUS_ENDED);

  auto again = watch_auction(c.auctions(), id, a->version());
  auto status = again->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "the resumed stream of an ended auction stays open: "
                                  << describe(again->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(again->messages());
  EXPECT_EQ(check_resumed(got, a->version(), closed->version()), "");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().type() == Update::AUCTION_ENDED || got.back().type() == Update::SNAPSHOT,
            true)
      << describe(got);
  EXPECT_EQ(got.back().winner_id(), bob.id);
  EXPECT_EQ(got.back().outcome(), v1::OUTCOME_SOLD);
}

TEST(Watch, HeartbeatsCarryTheLatestVersionSentAndTheTimeRemaining) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--watch-heartbeat-ms", "300"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  auto created = c.create_auction(seller.token, auction_request("Metronome", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  auto heartbeats_after = [](std::int64_t v) {
    return [v](const std::vector<Update>& all) {
      return std::count_if(all.begin(), all.end(), [v](const Update& u) {
               return u.type() == Update::HEARTBEAT && u.version() == v;
             }) >= 2;
    };
  };
  ASSERT_TRUE(w->wait_for(heartbeats_after(created->version()), 3s)) << describe(w->messages());
  auto a = c.place_bid(alice.token, created->id(), 2000);
  ASSERT_TRUE(a.ok() && a->accepted());
  ASSERT_TRUE(w->wait_for(heartbeats_after(a->version()), 3s)) << describe(w->messages());
  Trace t;
  for (const auto& u : w->messages()) t.push_back(Seen{u.type(), u.version(), 0, {}});
  EXPECT_EQ(check_gapless(t, created->version(), a->version()), "")
      << "a heartbeat carries the latest version sent";
  std::int64_t previous_remaining = INT64_MAX;
  for (const auto& u : w->messages()) {
    if (u.type() != Update::HEARTBEAT) continue;
    const std::int64_t remaining = to_us(u.time_remaining());
    EXPECT_GT(remaining, 590'000'000);
    EXPECT_LE(remaining, previous_remaining) << "time_remaining counts down";
    previous_remaining = remaining;
    EXPECT_EQ(to_us(u.ends_at()), to_us(created->end_time()));
  }
}

}  // namespace
}  // namespace auction::test
