// The HistoryChecker's own checks: it must see what it is there to see. A
// clean history passes; a fabricated lost bid, a reply that differs from the
// stored row, and a watcher whose version goes backwards are violations.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "tests/support/environment.hpp"
#include "tests/support/history_checker.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

bool mentions(const CheckReport& report, const std::string& what) {
  return std::any_of(report.violations.begin(), report.violations.end(),
                     [&](const std::string& v) { return v.find(what) != std::string::npos; });
}

TEST(HistoryChecker, WatcherVersionsMustNeverGoBackwards) {
  HistoryChecker checker("postgresql://unused");
  checker.record_watch_update("7", 1, "w1");
  checker.record_watch_update("7", 2, "w1");
  checker.record_watch_update("7", 2, "w1");  // a heartbeat repeats the version: fine
  checker.record_watch_update("7", 5, "w1");  // a coalesced backlog jumps: fine
  checker.record_watch_update("7", 1, "w2");  // another watcher starts over: fine
  checker.record_watch_update("8", 1, "w1");  // another auction: fine
  EXPECT_TRUE(checker.watch_violations().empty());
  checker.record_watch_update("7", 4, "w1");  // back from 5
  const auto v = checker.watch_violations();
  ASSERT_EQ(v.size(), 1U);
  EXPECT_NE(v[0].find("saw version 4 after version 5"), std::string::npos) << v[0];
}

TEST(HistoryChecker, WatcherEventsMustFollowEachOtherWithoutGaps) {
  HistoryChecker checker("postgresql://unused");
  auto update = [](v1::AuctionUpdate::Type type, std::int64_t version) {
    v1::AuctionUpdate u;
    u.set_type(type);
    u.set_auction_id("9");
    u.set_version(version);
    return u;
  };
  checker.record_watch_update("w", update(v1::AuctionUpdate::SNAPSHOT, 3));
  checker.record_watch_update("w", update(v1::AuctionUpdate::BID_PLACED, 4));
  checker.record_watch_update("w", update(v1::AuctionUpdate::HEARTBEAT, 4));
  checker.record_watch_update("w", update(v1::AuctionUpdate::TIME_EXTENDED, 5));
  checker.record_watch_update("w", update(v1::AuctionUpdate::SNAPSHOT, 9));  // coalesced: fine
  checker.record_watch_update("w", update(v1::AuctionUpdate::BID_PLACED, 10));
  EXPECT_TRUE(checker.watch_findings().empty());
  EXPECT_FALSE(checker.watcher_saw_end("w", "9"));
  checker.record_watch_update("w", update(v1::AuctionUpdate::BID_PLACED, 12));     // skipped 11
  checker.record_watch_update("w", update(v1::AuctionUpdate::AUCTION_ENDED, 12));  // repeat
  const auto f = checker.watch_findings();
  ASSERT_EQ(f.size(), 2U);
  EXPECT_NE(f[0].find("missed events"), std::string::npos) << f[0];
  EXPECT_NE(f[1].find("a repeat"), std::string::npos) << f[1];
  EXPECT_TRUE(checker.watch_violations().empty());
  EXPECT_TRUE(checker.watcher_saw_end("w", "9"));
}

TEST(HistoryChecker, PassesACleanHistoryAndCatchesALostOrAlteredBid) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Checked lot", 1000, 2s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();

  HistoryChecker checker(shared_cluster().url());
  auto stub = v1::AuctionService::NewStub(shared_server().channel());
  const BidCall a = checker.place_bid(*stub, alice.token, alice.id, id, 2000, "a1", 5s);
  const BidCall b = checker.place_bid(*stub, bob.token, bob.id, id, 3000, "b1", 5s);
  const BidCall low = checker.place_bid(*stub, alice.token, alice.id, id, 1500, "a2", 5s);
  ASSERT_EQ(a.outcome(), CallOutcome::kAcknowledged) << a.message;
  ASSERT_TRUE(b.reply.accepted());
  ASSERT_FALSE(low.reply.accepted());
  // A call whose answer was "lost": never sent, so the retry decides it.
  BidCall lost_answer = a;
  lost_answer.idempotency_key = "a3";
  lost_answer.max_amount = 5000;
  lost_answer.code = grpc::StatusCode::UNAVAILABLE;
  lost_answer.message = "cut off";
  lost_answer.reply.Clear();
  checker.record_bid(lost_answer);
  checker.record_watch_update(id, 2, "w", 1000);
  wait_until_closed(c, id, 10s);

  const CheckReport clean = checker.check(*stub);
  EXPECT_TRUE(clean.ok()) << clean.describe();
  EXPECT_EQ(clean.calls, 4U);
  EXPECT_EQ(clean.acknowledged, 3U);
  EXPECT_EQ(clean.unknown, 1U);
  EXPECT_EQ(clean.unknown_not_committed, 1U);  // decided by the retry: AUCTION_ENDED
  EXPECT_EQ(clean.unknown_retried_by_checker, 1U);
  EXPECT_EQ(clean.auctions, 1U);
  EXPECT_EQ(clean.ended_auctions, 1U);
  EXPECT_EQ(clean.events_checked, 4U);  // created, two bids, ended

  // A bid acknowledged but not stored, one stored otherwise than
  // acknowledged, and a watcher that saw a wrong price.
  HistoryChecker broken(shared_cluster().url(), CheckOptions{20s, 0, 5s});
  BidCall phantom = b;
  phantom.reply.set_bid_id("999999999");
  broken.record_bid(phantom);
  BidCall altered = a;
  altered.reply.set_current_price(a.reply.current_price() + 1);
  broken.record_bid(altered);
  broken.record_watch_update(id, 3, "w", 1);
  const CheckReport report = broken.check(*stub);
  EXPECT_EQ(report.violations.size(), 3U) << report.describe();
  EXPECT_TRUE(mentions(report, "LOST")) << report.describe();
  EXPECT_TRUE(mentions(report, "current_price: reply")) << report.describe();
  EXPECT_TRUE(mentions(report, "saw price 1 at version 3")) << report.describe();
}

}  // namespace
}  // namespace auction::test
