// What reaches the engine for requests the services accept, and how the
// engine's answers (values, errors, silence) come back to the client;
// the query pool (full, database down) and the watch streams.
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "tests/service/harness.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using AS = v1::AuctionService::Stub;
using US = v1::UserService::Stub;

const std::string kNoAnswer =
    "the auction service did not answer; the outcome is unknown, please retry";
const std::string kDatabaseDown = "the database is unavailable; nothing was changed, please retry";

class Engine : public ServiceTest {
 protected:
  static v1::PlaceBidRequest bid_request(const std::string& id, std::int64_t amount,
                                         const std::string& key = "") {
    v1::PlaceBidRequest r;
    r.set_auction_id(id);
    r.set_max_amount(amount);
    r.set_idempotency_key(key);
    return r;
  }

  /// An open auction of Alice's, led by Bob, with a reserve.
  actors::AuctionView view() const {
    const TimePoint now = engine_.now();
    actors::AuctionView v;
    auto& s = v.record.state;
    s.terms.id = 42;
    s.terms.seller_id = kAlice;
    s.terms.currency = "EUR";
    s.terms.starting_price = 1000;
    s.terms.reserve_price = 5000;
    s.terms.start_time = now - 1h;
    s.terms.original_end_time = now + 1h;
    s.end_time = now + 90min;
    s.leader = kBob;
    s.current_price = 2500;
    s.bid_count = 3;
    s.version = 9;
    v.record.listing.title = "A fine camera";
    v.record.seller_name = "Alice";
    v.record.leader_name = "Bob";
    v.top_bidders = {TopBidderEntry{kBob, "Bob", 2500, now, true},
                     TopBidderEntry{kAlice + 100, "Carol", 2000, now, false}};
    return v;
  }

  /// Opens WatchAuction(42) and waits for its command to reach the engine.
  struct Watch {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<v1::AuctionUpdate>> reader;
  };
  std::unique_ptr<Watch> watch(std::optional<std::int64_t> from = std::nullopt) {
    auto w = std::make_unique<Watch>();
    v1::WatchAuctionRequest req;
    req.set_auction_id("42");
    if (from) req.set_from_version(*from);
    w->reader = auctions_->WatchAuction(&w->ctx, req);
    return w;
  }

  static actors::WatchUpdatePtr event(std::int64_t version, EventType type, bool final) {
    auto u = std::make_shared<actors::WatchUpdate>();
    u->kind = actors::WatchUpdate::Kind::kEvent;
    u->auction_id = 42;
    u->version = version;
    u->event = type;
    u->current_price = 1000 * version;
    u->leader = kBob;
    u->leader_name = "Bob";
    u->currency = "EUR";
    u->final = final;
    return u;
  }
};

TEST_F(Engine, AValidBidReachesTheEngineAndItsAnswerTheClient) {
  const TimePoint now = engine_.now();
  engine_.on_bid([now](auto& r) {
    actors::BidReply reply;
    reply.bid_id = 9001;
    reply.accepted = true;
    reply.leading = true;
    reply.current_price = 1100;
    reply.leader = kBob;
    reply.minimum_next_bid = 1200;
    reply.ends_at = now + 5min;
    reply.version = 12;
    reply.currency = "EUR";
    (*r.cmd.reply)(reply);
  });
  const auto answer =
      auction(&AS::PlaceBid, bid_request("42", 5000, "key-1"), bearer(token(kBob, "Bob", true)));
  ASSERT_TRUE(answer.status.ok()) << answer.status.error_message();

  const auto bids = engine_.bids();
  ASSERT_EQ(bids.size(), 1U);
  EXPECT_EQ(bids[0].id, 42);
  EXPECT_EQ(bids[0].cmd.max_amount, 5000);
  EXPECT_EQ(bids[0].cmd.idempotency_key, "key-1");
  EXPECT_EQ(bids[0].cmd.bidder.id, kBob);
  EXPECT_EQ(bids[0].cmd.bidder.display_name, "Bob");
  EXPECT_TRUE(bids[0].cmd.bidder.is_admin);
  EXPECT_FALSE(bids[0].cmd.bidder.suspended);
  EXPECT_EQ(bids[0].cmd.deadline, actors::kNoDeadline) << "the call had no deadline";

  const v1::PlaceBidResponse& r = answer.value;
  EXPECT_EQ(r.bid_id(), "9001");
  EXPECT_TRUE(r.accepted());
  EXPECT_EQ(r.reject_reason(), v1::REJECT_REASON_UNSPECIFIED);
  EXPECT_TRUE(r.leading());
  EXPECT_EQ(r.current_price(), 1100);
  EXPECT_EQ(r.leading_bidder_id(), std::to_string(kBob));
  EXPECT_EQ(r.minimum_next_bid(), 1200);
  const auto ends_us = (now + 5min).time_since_epoch().count();
  EXPECT_EQ(r.ends_at().seconds(), ends_us / 1'000'000);
  EXPECT_EQ(r.ends_at().nanos(), (ends_us % 1'000'000) * 1000);
  EXPECT_EQ(r.version(), 12);
  EXPECT_EQ(r.currency(), "EUR");
}

TEST_F(Engine, ARejectedBidIsAnOkReplyWithTheReason) {
  engine_.on_bid([](auto& r) {
    actors::BidReply reply;
    reply.accepted = false;
    reply.reason = RejectReason::kBidTooLow;
    reply.minimum_next_bid = 1500;
    (*r.cmd.reply)(reply);
  });
  const auto answer = auction(&AS::PlaceBid, bid_request("42", 1000), alice());
  ASSERT_TRUE(answer.status.ok());
  EXPECT_FALSE(answer.value.accepted());
  EXPECT_EQ(answer.value.reject_reason(), v1::BID_TOO_LOW);
  EXPECT_EQ(answer.value.minimum_next_bid(), 1500);
  EXPECT_TRUE(answer.value.leading_bidder_id().empty());
}

TEST_F(Engine, TheCallersDeadlineAndSuspensionTravelWithTheBid) {
  engine_.suspend(kAlice);
  engine_.on_bid([](auto& r) { (*r.cmd.reply)(actors::BidReply{}); });
  engine_.on_buy_now([](auto& r) { (*r.cmd.reply)(not_found("no auction with that id")); });
  const auto deadline = std::chrono::system_clock::now() + 30s;
  ASSERT_TRUE(auction(&AS::PlaceBid, bid_request("42", 5000), alice(), deadline).status.ok());
  v1::BuyNowRequest buy;
  buy.set_auction_id("43");
  EXPECT_EQ(auction(&AS::BuyNow, buy, alice(), deadline).status.error_code(), Code::NOT_FOUND);

  const auto expected = std::chrono::time_point_cast<Duration>(deadline);
  const auto bids = engine_.bids();
  ASSERT_EQ(bids.size(), 1U);
  EXPECT_TRUE(bids[0].cmd.bidder.suspended) << "the auction decides what a suspension means";
  // The server sees the deadline the client sent, give or take transit.
  EXPECT_LT(std::chrono::abs(bids[0].cmd.deadline - expected), 5s);
  const auto buys = engine_.buy_nows();
  ASSERT_EQ(buys.size(), 1U);
  EXPECT_EQ(buys[0].id, 43);
  EXPECT_LT(std::chrono::abs(buys[0].cmd.deadline - expected), 5s);
}

TEST_F(Engine, EveryEngineErrorMapsToItsStatusWithItsMessage) {
  const std::vector<std::pair<ErrorCode, Code>> table = {
      {ErrorCode::kInvalidArgument, Code::INVALID_ARGUMENT},
      {ErrorCode::kNotFound, Code::NOT_FOUND},
      {ErrorCode::kAlreadyExists, Code::ALREADY_EXISTS},
      {ErrorCode::kPermissionDenied, Code::PERMISSION_DENIED},
      {ErrorCode::kUnauthenticated, Code::UNAUTHENTICATED},
      {ErrorCode::kFailedPrecondition, Code::FAILED_PRECONDITION},
      {ErrorCode::kResourceExhausted, Code::RESOURCE_EXHAUSTED},
      {ErrorCode::kUnavailable, Code::UNAVAILABLE},
      {ErrorCode::kDeadlineExceeded, Code::DEADLINE_EXCEEDED},
      {ErrorCode::kInternal, Code::INTERNAL},
  };
  for (const auto& [error, code] : table) {
    const std::string message = "engine says no (" + std::to_string(static_cast<int>(error)) + ")";
    const Error e{error, message};
    engine_.on_bid([e](auto& r) { (*r.cmd.reply)(e); });
    engine_.on_buy_now([e](auto& r) { (*r.cmd.reply)(e); });
    engine_.on_cancel([e](auto& r) { (*r.cmd.reply)(e); });
    engine_.on_get([e](auto& r) { (*r.cmd.reply)(e); });
    engine_.on_create([e](auto& r) { (*r.cmd.reply)(e); });
    engine_.on_watch([e](auto& r) { (*r.cmd.reply)(e); });

    EXPECT_TRUE(
        has_status(auction(&AS::PlaceBid, bid_request("42", 5000), alice()).status, code, message));
    v1::BuyNowRequest buy;
    buy.set_auction_id("42");
    EXPECT_TRUE(has_status(auction(&AS::BuyNow, buy, alice()).status, code, message));
    v1::CancelAuctionRequest cancel;
    cancel.set_auction_id("42");
    EXPECT_TRUE(has_status(auction(&AS::CancelAuction, cancel, alice()).status, code, message));
    v1::GetAuctionRequest get;
    get.set_auction_id("42");
    EXPECT_TRUE(has_status(auction(&AS::GetAuction, get).status, code, message));
    v1::CreateAuctionRequest create;
    create.set_title("A fine camera");
    create.set_starting_price(1000);
    create.mutable_duration()->set_seconds(3600);
    EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status, code, message));
    auto w = watch();
    EXPECT_TRUE(has_status(drain(*w->reader).second, code, message));
  }
  EXPECT_EQ(engine_.bids().size(), 10U);
  EXPECT_EQ(engine_.watches().size(), 10U);
}

TEST_F(Engine, ACommandTheEngineNeverAnswersIsUnavailable) {
  // The engine drops every command: the reply handles answer as they die.
  engine_.on_bid([](auto& r) { r.cmd.reply.reset(); });
  engine_.on_buy_now([](auto& r) { r.cmd.reply.reset(); });
  engine_.on_cancel([](auto& r) { r.cmd.reply.reset(); });
  engine_.on_get([](auto& r) { r.cmd.reply.reset(); });
  engine_.on_create([](auto& r) { r.cmd.reply.reset(); });
  engine_.on_watch([](auto& r) { r.cmd.reply.reset(); });
  EXPECT_TRUE(has_status(auction(&AS::PlaceBid, bid_request("42", 5000), alice()).status,
                         Code::UNAVAILABLE, kNoAnswer));
  v1::BuyNowRequest buy;
  buy.set_auction_id("42");
  EXPECT_TRUE(has_status(auction(&AS::BuyNow, buy, alice()).status, Code::UNAVAILABLE, kNoAnswer));
  v1::CancelAuctionRequest cancel;
  cancel.set_auction_id("42");
  EXPECT_TRUE(has_status(auction(&AS::CancelAuction, cancel, alice()).status, Code::UNAVAILABLE,
                         kNoAnswer));
  v1::GetAuctionRequest get;
  get.set_auction_id("42");
  EXPECT_TRUE(has_status(auction(&AS::GetAuction, get).status, Code::UNAVAILABLE, kNoAnswer));
  v1::CreateAuctionRequest create;
  create.set_title("A fine camera");
  create.set_starting_price(1000);
  create.mutable_duration()->set_seconds(3600);
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status, Code::UNAVAILABLE,
                         kNoAnswer));
  auto w = watch();
  EXPECT_TRUE(has_status(drain(*w->reader).second, Code::UNAVAILABLE, kNoAnswer));
}

TEST_F(Engine, AnAnswerThatComesLaterStillReachesTheClient) {
  // No responder: the command waits in the engine until the test answers.
  auto pending = std::async(std::launch::async, [this] {
    return auction(&AS::PlaceBid, bid_request("77", 3000), alice());
  });
  auto received = engine_.wait_for_bid(1, kGuard);
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->id, 77);
  actors::BidReply reply;
  reply.bid_id = 5;
  reply.accepted = true;
  (*received->cmd.reply)(reply);
  (*received->cmd.reply)(not_found("a second answer is ignored"));
  ASSERT_EQ(pending.wait_for(kGuard), std::future_status::ready);
  const auto answer = pending.get();
  ASSERT_TRUE(answer.status.ok()) << answer.status.error_message();
  EXPECT_EQ(answer.value.bid_id(), "5");
}

TEST_F(Engine, CreateAuctionHandsOnTheValidatedAuctionAndTheSeller) {
  const actors::AuctionView v = view();
  engine_.on_create([v](auto& r) { (*r.cmd.reply)(v); });
  v1::CreateAuctionRequest req;
  req.set_title("A fine camera");
  req.set_currency("EUR");
  req.set_starting_price(1000);
  req.set_reserve_price(5000);
  req.mutable_duration()->set_seconds(3600);
  const auto answer = auction(&AS::CreateAuction, req, alice());
  ASSERT_TRUE(answer.status.ok()) << answer.status.error_message();

  const auto creates = engine_.creates();
  ASSERT_EQ(creates.size(), 1U);
  EXPECT_EQ(creates[0].cmd.seller.id, kAlice);
  EXPECT_EQ(creates[0].cmd.auction.listing.title, "A fine camera");
  EXPECT_EQ(creates[0].cmd.auction.terms.currency, "EUR");
  EXPECT_EQ(creates[0].cmd.auction.terms.starting_price, 1000);
  EXPECT_EQ(creates[0].cmd.auction.terms.reserve_price, 5000);
  EXPECT_EQ(creates[0].cmd.auction.terms.start_time, engine_.now());
  EXPECT_EQ(creates[0].cmd.auction.terms.original_end_time, engine_.now() + 1h);

  EXPECT_EQ(answer.value.id(), "42");
  EXPECT_EQ(answer.value.title(), "A fine camera");
  EXPECT_EQ(answer.value.reserve_price(), 5000) << "the seller sees the reserve";
  EXPECT_EQ(answer.value.version(), 9);
}

TEST_F(Engine, GetAuctionMapsTheViewForWhoeverLooks) {
  const actors::AuctionView v = view();
  engine_.on_get([v](auto& r) { (*r.cmd.reply)(v); });
  v1::GetAuctionRequest req;
  req.set_auction_id("42");
  req.set_top_bidders(2);

  const auto anonymous = auction(&AS::GetAuction, req);
  ASSERT_TRUE(anonymous.status.ok()) << anonymous.status.error_message();
  const v1::GetAuctionResponse& r = anonymous.value;
  EXPECT_EQ(r.auction().id(), "42");
  EXPECT_EQ(r.auction().current_price(), 2500);
  EXPECT_EQ(r.auction().leading_bidder_id(), std::to_string(kBob));
  EXPECT_TRUE(r.auction().has_reserve());
  EXPECT_EQ(r.auction().reserve_price(), 0) << "only the seller and admins see the reserve";
  EXPECT_EQ(r.version(), 9);
  EXPECT_EQ(r.time_remaining().seconds(), 90 * 60);
  ASSERT_EQ(r.top_bidders_size(), 2);
  EXPECT_EQ(r.top_bidders(0).bidder_id(), std::to_string(kBob));
  EXPECT_EQ(r.top_bidders(0).display_name(), "Bob");
  EXPECT_EQ(r.top_bidders(0).amount(), 2500);
  EXPECT_TRUE(r.top_bidders(0).leading());
  EXPECT_EQ(r.top_bidders(1).display_name(), "Carol");
  EXPECT_FALSE(r.top_bidders(1).leading());

  const auto seller = auction(&AS::GetAuction, req, alice());
  ASSERT_TRUE(seller.status.ok());
  EXPECT_EQ(seller.value.auction().reserve_price(), 5000);
  const auto other = auction(&AS::GetAuction, req, bearer(token(kBob, "Bob")));
  ASSERT_TRUE(other.status.ok());
  EXPECT_EQ(other.value.auction().reserve_price(), 0);

  const auto gets = engine_.gets();
  ASSERT_EQ(gets.size(), 3U);
  EXPECT_EQ(gets[0].id, 42);
  EXPECT_EQ(gets[0].cmd.top_bidders, 2U);
}

TEST_F(Engine, BuyNowAndCancelMapTheirAnswers) {
  actors::BuyNowReply bought;
  bought.bid_id = 31;
  bought.auction = view();
  engine_.on_buy_now([bought](auto& r) { (*r.cmd.reply)(bought); });
  v1::BuyNowRequest buy;
  buy.set_auction_id("42");
  buy.set_idempotency_key("buy-1");
  const auto b = auction(&AS::BuyNow, buy, bearer(token(kBob, "Bob")));
  ASSERT_TRUE(b.status.ok()) << b.status.error_message();
  EXPECT_EQ(b.value.bid_id(), "31");
  EXPECT_EQ(b.value.auction().id(), "42");
  EXPECT_EQ(b.value.auction().reserve_price(), 0);
  const auto buys = engine_.buy_nows();
  ASSERT_EQ(buys.size(), 1U);
  EXPECT_EQ(buys[0].cmd.buyer.id, kBob);
  EXPECT_EQ(buys[0].cmd.idempotency_key, "buy-1");

  const actors::AuctionView v = view();
  engine_.on_cancel([v](auto& r) { (*r.cmd.reply)(v); });
  v1::CancelAuctionRequest cancel;
  cancel.set_auction_id("42");
  cancel.set_reason("listed by mistake");
  const auto c = auction(&AS::CancelAuction, cancel, alice());
  ASSERT_TRUE(c.status.ok()) << c.status.error_message();
  EXPECT_EQ(c.value.id(), "42");
  EXPECT_EQ(c.value.reserve_price(), 5000);
  const auto cancels = engine_.cancels();
  ASSERT_EQ(cancels.size(), 1U);
  EXPECT_EQ(cancels[0].id, 42);
  EXPECT_EQ(cancels[0].cmd.caller.id, kAlice);
}

TEST_F(Engine, AFullQueryPoolIsUnavailable) {
  engine_.refuse_queries(true);
  const std::string overloaded = "the server is overloaded; retry";
  v1::ListBidsRequest bids;
  bids.set_auction_id("42");
  v1::FollowAuctionRequest follow;
  follow.set_auction_id("42");
  v1::UnfollowAuctionRequest unfollow;
  unfollow.set_auction_id("42");
  v1::MarkNotificationsReadRequest mark;
  mark.set_up_to_seq(1);
  const std::vector<grpc::Status> statuses = {
      auction(&AS::ListAuctions, {}).status,
      auction(&AS::ListBids, bids).status,
      user(&US::GetMe, {}, alice()).status,
      user(&US::ListMyBids, {}, alice()).status,
      user(&US::ListMyAuctions, {}, alice()).status,
      user(&US::ListNotifications, {}, alice()).status,
      user(&US::MarkNotificationsRead, mark, alice()).status,
      user(&US::FollowAuction, follow, alice()).status,
      user(&US::UnfollowAuction, unfollow, alice()).status,
      user(&US::ListFollowedAuctions, {}, alice()).status,
  };
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    EXPECT_TRUE(has_status(statuses[i], Code::UNAVAILABLE, overloaded)) << "call " << i;
  }
  EXPECT_EQ(engine_.queries(), statuses.size());

  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", alice());
  auto reader = users_->WatchNotifications(&ctx, v1::WatchNotificationsRequest{});
  EXPECT_TRUE(has_status(drain(*reader).second, Code::UNAVAILABLE, "the server is overloaded"));
}

TEST_F(Engine, QueriesEndWithTheDatabasesAnswer) {
  // The fake's pool cannot reach its database: each query runs and fails.
  v1::FollowAuctionRequest follow;
  follow.set_auction_id("42");
  v1::UnfollowAuctionRequest unfollow;
  unfollow.set_auction_id("42");
  v1::ListAuctionsRequest list;
  list.set_page_size(100);
  EXPECT_TRUE(
      has_status(auction(&AS::ListAuctions, list).status, Code::UNAVAILABLE, kDatabaseDown));
  EXPECT_TRUE(has_status(user(&US::FollowAuction, follow, alice()).status, Code::UNAVAILABLE,
                         kDatabaseDown));
  EXPECT_TRUE(has_status(user(&US::UnfollowAuction, unfollow, alice()).status, Code::UNAVAILABLE,
                         kDatabaseDown));
  EXPECT_EQ(engine_.queries(), 3U);

  v1::WatchNotificationsRequest from_start;
  from_start.set_after_seq(0);
  for (const auto& req : {v1::WatchNotificationsRequest{}, from_start}) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", alice());
    auto reader = users_->WatchNotifications(&ctx, req);
    EXPECT_TRUE(has_status(drain(*reader).second, Code::UNAVAILABLE, kDatabaseDown));
  }
}

TEST_F(Engine, WatchAuctionStreamsWhatTheAuctionPushes) {
  auto w = watch(7);
  auto received = engine_.wait_for_watch(1, kGuard);
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->id, 42);
  EXPECT_EQ(received->cmd.from_version, 7);
  const std::vector<actors::WatchUpdatePtr> updates = {event(8, EventType::kBidPlaced, false),
                                                       event(9, EventType::kTimeExtended, false),
                                                       event(10, EventType::kEnded, true)};
  received->cmd.sink->push(updates, [u = updates.back()] { return u; });

  const auto [messages, status] = drain(*w->reader);
  EXPECT_TRUE(status.ok()) << status.error_message() << " (the stream ends after the final event)";
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_EQ(messages[0].type(), v1::AuctionUpdate::BID_PLACED);
  EXPECT_EQ(messages[0].version(), 8);
  EXPECT_EQ(messages[0].auction_id(), "42");
  EXPECT_EQ(messages[0].current_price(), 8000);
  EXPECT_EQ(messages[0].leading_bidder_name(), "Bob");
  EXPECT_EQ(messages[1].type(), v1::AuctionUpdate::TIME_EXTENDED);
  EXPECT_EQ(messages[2].type(), v1::AuctionUpdate::AUCTION_ENDED);
  EXPECT_EQ(messages[2].version(), 10);
}

TEST_F(Engine, WatchAuctionWithoutFromVersionAsksForTheSnapshot) {
  engine_.on_watch([](auto& r) { (*r.cmd.reply)(failed_precondition("stop here")); });
  auto w = watch();
  EXPECT_TRUE(has_status(drain(*w->reader).second, Code::FAILED_PRECONDITION, "stop here"));
  const auto watches = engine_.watches();
  ASSERT_EQ(watches.size(), 1U);
  EXPECT_FALSE(watches[0].cmd.from_version.has_value());
}

class FewStreams : public Engine {
 protected:
  ServiceOptions options() const override {
    ServiceOptions o;
    o.max_streams = 1;
    return o;
  }
};

TEST_F(FewStreams, StreamsBeyondTheCapAreRefused) {
  auto first = watch();
  ASSERT_TRUE(engine_.wait_for_watch(1, kGuard).has_value());
  auto second = watch();
  EXPECT_TRUE(has_status(drain(*second->reader).second, Code::RESOURCE_EXHAUSTED,
                         "too many open streams on this server; retry later"));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", alice());
  auto notes = users_->WatchNotifications(&ctx, v1::WatchNotificationsRequest{});
  EXPECT_TRUE(has_status(drain(*notes).second, Code::RESOURCE_EXHAUSTED,
                         "too many open streams on this server; retry later"));
  EXPECT_EQ(engine_.watches().size(), 1U);

  // The engine gives up on the first.
  engine_.drop_all();
  EXPECT_TRUE(has_status(drain(*first->reader).second, Code::UNAVAILABLE, kNoAnswer));
}

}  // namespace
}  // namespace auction::test
