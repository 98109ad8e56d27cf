// Abuse limits (issue 4): a per-user bid rate limit, the request size limit,
// and deadlines: refused calls are RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED
// with a readable message, and leave no row behind.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/environment.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using Code = grpc::StatusCode;

std::int64_t bids_of(std::int64_t bidder) {
  return shared_db().scalar("SELECT count(*) FROM bids WHERE bidder_id = " +
                            std::to_string(bidder));
}

TEST(AbuseLimits, ABidderOverTheRateIsRefusedOthersAreNotAndItRecovers) {
  ServerOptions options;
  options.bid_rate_limit = "5";
  options.extra_args = {"--bid-burst", "5"};
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(), options);
  Client c(server.channel());
  const Account seller = c.register_user("rl_seller");
  const Account eager = c.register_user("rl_eager");
  const Account calm = c.register_user("rl_calm");
  auto created = c.create_auction(seller.token, auction_request("Rate limited", 100, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();

  int ok = 0;
  int refused = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) {
    auto r = c.place_bid(eager.token, id, 1000 + i * 100);
    if (r.ok()) {
      ++ok;
    } else {
      ASSERT_EQ(r.code(), Code::RESOURCE_EXHAUSTED) << describe(r.status);
      EXPECT_NE(r.status.error_message().find("too many bids"), std::string::npos);
      ++refused;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_GE(refused, 1);
  // The burst, plus what the rate refilled while the loop ran.
  EXPECT_LE(ok, 5 + static_cast<int>(seconds * 5) + 1);
  EXPECT_EQ(bids_of(to_id(eager.id)), ok) << "a refused bid must not be recorded";

  // Another bidder is not affected.
  auto other = c.place_bid(calm.token, id, 100'000);
  EXPECT_TRUE(other.ok()) << describe(other.status);

  // After a pause the eager bidder may bid again.
  std::this_thread::sleep_for(1200ms);
  auto again = c.place_bid(eager.token, id, 200'000);
  EXPECT_TRUE(again.ok()) << describe(again.status);
}

TEST(AbuseLimits, AMessageOverTheSizeLimitIsRefusedAndWritesNothing) {
  Client& c = shared_client();
  const Account seller = c.register_user("big_seller");
  const RowCounts before = shared_db().counts();
  auto req = auction_request("Too big", 100, 600s);
  req.set_description(std::string(2 << 20, 'x'));  // 2 MiB; the limit is 1 MiB
  auto r = c.create_auction(seller.token, req);
  EXPECT_EQ(r.code(), Code::RESOURCE_EXHAUSTED) << describe(r.status);
  EXPECT_EQ(shared_db().counts(), before);
}

TEST(AbuseLimits, AnExpiredDeadlineAppliesNothing) {
  Client& c = shared_client();
  const Account seller = c.register_user("dl_seller");
  const Account bidder = c.register_user("dl_bidder");
  auto created = c.create_auction(seller.token, auction_request("Deadlines", 100, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const RowCounts before = shared_db().counts();

  v1::PlaceBidRequest req;
  req.set_auction_id(created->id());
  req.set_max_amount(5000);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + bidder.token);
  ctx.set_deadline(std::chrono::system_clock::now() - 1s);
  v1::PlaceBidResponse resp;
  const grpc::Status status = c.auctions().PlaceBid(&ctx, req, &resp);
  EXPECT_EQ(status.error_code(), Code::DEADLINE_EXCEEDED) << describe(status);
  EXPECT_EQ(shared_db().counts(), before);
  auto get = c.get_auction(created->id());
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->auction().bid_count(), 0);
}

TEST(AbuseLimits, ShortDeadlinesNeverLeaveAnAnsweredBidUnstored) {
  // Many bids with deadlines of a few milliseconds: whatever each call
  // answered, a retry with its key (and time to spare) agrees with the
  // database, and an OK answer always means a stored row.
  Client& c = shared_client();
  const Account seller = c.register_user("dl2_seller");
  const Account bidder = c.register_user("dl2_bidder");
  auto created = c.create_auction(seller.token, auction_request("Short deadlines", 100, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  int answered = 0;
  int timed_out = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "short-" + std::to_string(i);
    v1::PlaceBidRequest req;
    req.set_auction_id(created->id());
    req.set_max_amount(1000 + i * 10);
    req.set_idempotency_key(key);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + bidder.token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::microseconds(300 + i * 10));
    v1::PlaceBidResponse resp;
    const grpc::Status status = c.auctions().PlaceBid(&ctx, req, &resp);
    auto retry = c.place_bid(bidder.token, created->id(), 1000 + i * 10, key);
    ASSERT_TRUE(retry.ok()) << describe(retry.status);
    const auto stored = shared_db().bid(to_id(retry->bid_id()));
    ASSERT_TRUE(stored.has_value()) << "the retry's answer must be stored";
    EXPECT_EQ(stored->idempotency_key, key);
    if (status.ok()) {
      ++answered;
      EXPECT_EQ(resp.bid_id(), retry->bid_id()) << "a retry must get the first answer";
    } else {
      EXPECT_EQ(status.error_code(), Code::DEADLINE_EXCEEDED) << describe(status);
      ++timed_out;
    }
  }
  const std::int64_t rows = shared_db().scalar("SELECT count(*) FROM bids WHERE bidder_id = " +
                                               std::to_string(to_id(bidder.id)));
  EXPECT_EQ(rows, 200) << "each key is stored exactly once";
  std::printf("short deadlines: %d answered in time, %d timed out (all resolved by retry)\n",
              answered, timed_out);
}

}  // namespace
}  // namespace auction::test
