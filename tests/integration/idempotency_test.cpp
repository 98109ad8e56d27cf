// Idempotent retries (SPEC section 3): the same (bidder, idempotency_key)
// always returns the first reply and is stored once; the same key with other
// parameters is an error (ALREADY_EXISTS) that changes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/environment.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

/// Every field of a PlaceBid reply a client may rely on.
::testing::AssertionResult same_reply(const v1::PlaceBidResponse& a,
                                      const v1::PlaceBidResponse& b) {
  if (a.SerializeAsString() == b.SerializeAsString()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "first reply {" << a.ShortDebugString() << "} but retry {"
                                       << b.ShortDebugString() << "}";
}

std::int64_t rows_with_key(Db& db, const Account& bidder, const std::string& key) {
  return db.scalar("SELECT count(*) FROM bids WHERE bidder_id = " + bidder.id +
                   " AND idempotency_key = '" + key + "'");
}

TEST(Idempotency, RetryReturnsTheFirstReplyAndIsStoredOnce) {
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  const Account carol = c.register_user("carol");
  auto created = c.create_auction(seller.token, auction_request("Teapot", 1000, 120s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();

  auto first = c.place_bid(alice.token, id, 2000, "retry-1");
  ASSERT_TRUE(first.ok()) << describe(first.status);
  ASSERT_TRUE(first->accepted());
  EXPECT_TRUE(first->leading());
  EXPECT_FALSE(first->bid_id().empty());

  auto retry = c.place_bid(alice.token, id, 2000, "retry-1");
  ASSERT_TRUE(retry.ok()) << describe(retry.status);
  EXPECT_TRUE(same_reply(first.value, retry.value));

  // The auction moves on; a retry still answers what happened the first time
  // (Alice leading at 10.00), not the current state.
  auto bob_bid = c.place_bid(bob.token, id, 3000);
  ASSERT_TRUE(bob_bid.ok() && bob_bid->accepted()) << describe(bob_bid.status);
  EXPECT_EQ(bob_bid->leading_bidder_id(), bob.id);
  auto late_retry = c.place_bid(alice.token, id, 2000, "retry-1");
  ASSERT_TRUE(late_retry.ok()) << describe(late_retry.status);
  EXPECT_TRUE(same_reply(first.value, late_retry.value));
  EXPECT_EQ(rows_with_key(db, alice, "retry-1"), 1);

  // Eight retries at the same instant: one bid, one answer.
  const std::int64_t version_before = c.get_auction(id)->version();
  std::vector<Reply<v1::PlaceBidResponse>> replies(8);
  {
    std::vector<std::thread> threads;
    threads.reserve(replies.size());
    for (auto& reply : replies) {
      threads.emplace_back(
          [&, &r = reply] { r = c.place_bid(alice.token, id, 5000, "retry-concurrent"); });
    }
    for (auto& t : threads) t.join();
  }
  for (const auto& r : replies) {
    ASSERT_TRUE(r.ok()) << describe(r.status);
    EXPECT_TRUE(same_reply(replies[0].value, r.value));
  }
  EXPECT_TRUE(replies[0]->accepted());
  EXPECT_EQ(replies[0]->version(), version_before + 1);
  EXPECT_EQ(c.get_auction(id)->version(), version_before + 1) << "applied exactly once";
  EXPECT_EQ(rows_with_key(db, alice, "retry-concurrent"), 1);

  // A rejected attempt is answered the same way on retry, too.
  auto low = c.place_bid(carol.token, id, 1100, "low-1");
  ASSERT_TRUE(low.ok()) << describe(low.status);
  EXPECT_FALSE(low->accepted());
  EXPECT_EQ(low->reject_reason(), v1::BID_TOO_LOW);
  auto low_retry = c.place_bid(carol.token, id, 1100, "low-1");
  ASSERT_TRUE(low_retry.ok()) << describe(low_retry.status);
  EXPECT_TRUE(same_reply(low.value, low_retry.value));
  EXPECT_EQ(rows_with_key(db, carol, "low-1"), 1);

  // Keys belong to a bidder: Bob may use the key Alice used.
  auto bobs = c.place_bid(bob.token, id, 9000, "retry-1");
  ASSERT_TRUE(bobs.ok()) << describe(bobs.status);
  EXPECT_TRUE(bobs->accepted());
  EXPECT_NE(bobs->bid_id(), first->bid_id());
  EXPECT_EQ(rows_with_key(db, bob, "retry-1"), 1);

  // Attempts in total: Alice 2 (retry-1, retry-concurrent), Bob 2, Carol 1.
  EXPECT_EQ(db.bids(to_id(id)).size(), 5U);
}

TEST(Idempotency, SameKeyWithOtherParametersIsAlreadyExistsAndChangesNothing) {
  Client& c = shared_client();
  Db& db = shared_db();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  auto x = c.create_auction(seller.token, auction_request("Vase", 1000, 120s));
  auto y_req = auction_request("Clock", 1000, 120s);
  y_req.set_buy_now_price(5000);
  auto y = c.create_auction(seller.token, y_req);
  ASSERT_TRUE(x.ok() && y.ok()) << describe(x.status) << " / " << describe(y.status);

  auto first = c.place_bid(alice.token, x->id(), 2000, "k-1");
  ASSERT_TRUE(first.ok() && first->accepted()) << describe(first.status);

  const RowCounts before = db.counts();
  const StoredAuction x_before = db.auction(to_id(x->id())).value();
  const StoredAuction y_before = db.auction(to_id(y->id())).value();

  // Same key, same auction, another amount.
  auto other_amount = c.place_bid(alice.token, x->id(), 2500, "k-1");
  EXPECT_EQ(other_amount.code(), grpc::StatusCode::ALREADY_EXISTS) << describe(other_amount.status);
  EXPECT_FALSE(other_amount.status.error_message().empty());

  // Same key and amount, another auction.
  auto other_auction = c.place_bid(alice.token, y->id(), 2000, "k-1");
  EXPECT_EQ(other_auction.code(), grpc::StatusCode::ALREADY_EXISTS)
      << describe(other_auction.status);

  // Same key for a purchase instead of a bid.
  auto other_kind = c.buy_now(alice.token, y->id(), "k-1");
  EXPECT_EQ(other_kind.code(), grpc::StatusCode::ALREADY_EXISTS) << describe(other_kind.status);

  EXPECT_EQ(db.counts(), before) << "a refused key writes nothing";
  const StoredAuction x_after = db.auction(to_id(x->id())).value();
  const StoredAuction y_after = db.auction(to_id(y->id())).value();
  EXPECT_EQ(x_after.version, x_before.version);
  EXPECT_EQ(x_after.current_price, x_before.current_price);
  EXPECT_EQ(y_after.version, y_before.version);
  EXPECT_EQ(y_after.phase, "OPEN") << "the refused purchase did not happen";
  EXPECT_EQ(y_after.bid_count, 0);
  auto y_view = c.get_auction(y->id());
  ASSERT_TRUE(y_view.ok());
  EXPECT_EQ(y_view->auction().status(), v1::AUCTION_STATUS_ACTIVE);

  // The original request is still answered as the first time.
  auto retry = c.place_bid(alice.token, x->id(), 2000, "k-1");
  ASSERT_TRUE(retry.ok()) << describe(retry.status);
  EXPECT_TRUE(same_reply(first.value, retry.value));
}

}  // namespace
}  // namespace auction::test
