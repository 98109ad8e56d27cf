// What a client sees for requests the services refuse before any work is
// handed on: tokens, ids, paging, amounts, texts, deadlines, rate limits.
// Every refusal is checked by code and exact message, and the engine must
// not have been asked anything.
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "tests/service/harness.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using AS = v1::AuctionService::Stub;
using US = v1::UserService::Stub;

const std::string kNeedsToken =
    "this call needs 'authorization: Bearer <token>' metadata; log in first";
const std::string kBadToken = "the token is not valid; log in again";
const std::string kExpiredToken = "the token has expired; log in again";
const std::string kOverloaded = "the server is overloaded; retry";
const std::string kInvalidUtf8 = "Camera \xC3\x28 \xFF";

/// One RPC, called with the given authorization metadata.
struct Rpc {
  std::string name;
  std::function<grpc::Status(const std::string& authorization)> call;
};

class Requests : public ServiceTest {
 protected:
  /// A request the services accept (whatever the engine then says).
  static v1::CreateAuctionRequest valid_create() {
    v1::CreateAuctionRequest r;
    r.set_title("A fine camera");
    r.set_starting_price(1000);
    r.mutable_duration()->set_seconds(3600);
    return r;
  }

  static grpc::Status finish_stream(
      grpc::ClientContext& ctx,
      std::unique_ptr<grpc::ClientReaderInterface<v1::AuctionUpdate>> reader) {
    v1::AuctionUpdate u;
    while (reader->Read(&u)) ctx.TryCancel();
    return reader->Finish();
  }

  /// Every RPC that needs a token, with an otherwise valid request.
  std::vector<Rpc> token_required() {
    v1::PlaceBidRequest bid;
    bid.set_auction_id("42");
    bid.set_max_amount(5000);
    v1::BuyNowRequest buy;
    buy.set_auction_id("42");
    v1::CancelAuctionRequest cancel;
    cancel.set_auction_id("42");
    v1::MarkNotificationsReadRequest mark;
    mark.set_up_to_seq(3);
    v1::FollowAuctionRequest follow;
    follow.set_auction_id("42");
    v1::UnfollowAuctionRequest unfollow;
    unfollow.set_auction_id("42");
    return {
        {"CreateAuction",
         [this](const std::string& a) {
           return auction(&AS::CreateAuction, valid_create(), a).status;
         }},
        {"PlaceBid",
         [=, this](const std::string& a) { return auction(&AS::PlaceBid, bid, a).status; }},
        {"BuyNow", [=, this](const std::string& a) { return auction(&AS::BuyNow, buy, a).status; }},
        {"CancelAuction",
         [=, this](const std::string& a) { return auction(&AS::CancelAuction, cancel, a).status; }},
        {"GetMe", [this](const std::string& a) { return user(&US::GetMe, {}, a).status; }},
        {"ListMyBids",
         [this](const std::string& a) { return user(&US::ListMyBids, {}, a).status; }},
        {"ListMyAuctions",
         [this](const std::string& a) { return user(&US::ListMyAuctions, {}, a).status; }},
        {"ListNotifications",
         [this](const std::string& a) { return user(&US::ListNotifications, {}, a).status; }},
        {"MarkNotificationsRead",
         [=, this](const std::string& a) {
           return user(&US::MarkNotificationsRead, mark, a).status;
         }},
        {"FollowAuction",
         [=, this](const std::string& a) { return user(&US::FollowAuction, follow, a).status; }},
        {"UnfollowAuction",
         [=, this](const std::string& a) {
           return user(&US::UnfollowAuction, unfollow, a).status;
         }},
        {"ListFollowedAuctions",
         [this](const std::string& a) { return user(&US::ListFollowedAuctions, {}, a).status; }},
        {"WatchNotifications",
         [this](const std::string& a) {
           grpc::ClientContext ctx;
           if (!a.empty()) ctx.AddMetadata("authorization", a);
           auto reader = users_->WatchNotifications(&ctx, v1::WatchNotificationsRequest{});
           v1::Notification n;
           while (reader->Read(&n)) ctx.TryCancel();
           return reader->Finish();
         }},
    };
  }

  /// The reads: anonymous is fine, a bad token is not.
  std::vector<Rpc> token_optional() {
    v1::GetAuctionRequest get;
    get.set_auction_id("42");
    v1::ListBidsRequest bids;
    bids.set_auction_id("42");
    v1::WatchAuctionRequest watch;
    watch.set_auction_id("42");
    return {
        {"GetAuction",
         [=, this](const std::string& a) { return auction(&AS::GetAuction, get, a).status; }},
        {"ListAuctions",
         [this](const std::string& a) { return auction(&AS::ListAuctions, {}, a).status; }},
        {"ListBids",
         [=, this](const std::string& a) { return auction(&AS::ListBids, bids, a).status; }},
        {"WatchAuction",
         [=, this](const std::string& a) {
           grpc::ClientContext ctx;
           if (!a.empty()) ctx.AddMetadata("authorization", a);
           return finish_stream(ctx, auctions_->WatchAuction(&ctx, watch));
         }},
    };
  }

  /// Every RPC that takes an auction_id, with `id` in it.
  std::vector<std::pair<std::string, std::function<grpc::Status()>>> with_auction_id(
      const std::string& id) {
    auto set = [id](auto req) {
      req.set_auction_id(id);
      return req;
    };
    v1::PlaceBidRequest bid = set(v1::PlaceBidRequest{});
    bid.set_max_amount(5000);
    const std::string a = alice();
    return {
        {"GetAuction",
         [=, this] { return auction(&AS::GetAuction, set(v1::GetAuctionRequest{})).status; }},
        {"PlaceBid", [=, this] { return auction(&AS::PlaceBid, bid, a).status; }},
        {"BuyNow", [=, this] { return auction(&AS::BuyNow, set(v1::BuyNowRequest{}), a).status; }},
        {"CancelAuction",
         [=, this] {
           return auction(&AS::CancelAuction, set(v1::CancelAuctionRequest{}), a).status;
         }},
        {"ListBids",
         [=, this] { return auction(&AS::ListBids, set(v1::ListBidsRequest{})).status; }},
        {"FollowAuction",
         [=, this] { return user(&US::FollowAuction, set(v1::FollowAuctionRequest{}), a).status; }},
        {"UnfollowAuction",
         [=, this] {
           return user(&US::UnfollowAuction, set(v1::UnfollowAuctionRequest{}), a).status;
         }},
        {"WatchAuction",
         [=, this] {
           grpc::ClientContext ctx;
           return finish_stream(ctx, auctions_->WatchAuction(&ctx, set(v1::WatchAuctionRequest{})));
         }},
    };
  }

  /// Every list RPC, with page_size and page_token set.
  std::vector<std::pair<std::string, std::function<grpc::Status()>>> paged(
      std::int32_t size, const std::string& token) {
    auto set = [=](auto req) {
      req.set_page_size(size);
      req.set_page_token(token);
      return req;
    };
    v1::ListBidsRequest bids = set(v1::ListBidsRequest{});
    bids.set_auction_id("42");
    const std::string a = alice();
    return {
        {"ListAuctions",
         [=, this] { return auction(&AS::ListAuctions, set(v1::ListAuctionsRequest{})).status; }},
        {"ListBids", [=, this] { return auction(&AS::ListBids, bids).status; }},
        {"ListMyBids",
         [=, this] { return user(&US::ListMyBids, set(v1::ListMyBidsRequest{}), a).status; }},
        {"ListMyAuctions",
         [=, this] {
           return user(&US::ListMyAuctions, set(v1::ListMyAuctionsRequest{}), a).status;
         }},
        {"ListNotifications",
         [=, this] {
           return user(&US::ListNotifications, set(v1::ListNotificationsRequest{}), a).status;
         }},
        {"ListFollowedAuctions",
         [=, this] {
           return user(&US::ListFollowedAuctions, set(v1::ListFollowedAuctionsRequest{}), a).status;
         }},
    };
  }

  grpc::Status bid(std::int64_t amount, const std::string& key = "") {
    v1::PlaceBidRequest req;
    req.set_auction_id("42");
    req.set_max_amount(amount);
    req.set_idempotency_key(key);
    return auction(&AS::PlaceBid, req, alice()).status;
  }
};

TEST_F(Requests, EveryCallThatWritesNeedsAToken) {
  for (const auto& rpc : token_required()) {
    EXPECT_TRUE(has_status(rpc.call(""), Code::UNAUTHENTICATED, kNeedsToken)) << rpc.name;
  }
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, AuthorizationMustBeABearerToken) {
  const std::string good = token(kAlice);
  for (const std::string& header : std::vector<std::string>{"Basic " + good, "bearer " + good,
                                                            "Bearer", "Token " + good, good}) {
    for (const auto& rpc : token_required()) {
      EXPECT_TRUE(has_status(rpc.call(header), Code::UNAUTHENTICATED,
                             "authorization must be 'Bearer <token>'"))
          << rpc.name << " with '" << header << "'";
    }
  }
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, GarbledForgedAndOversizedTokensAreRefusedEverywhere) {
  std::string flipped = token(kAlice);
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  const server::TokenSigner other("another-secret", 1h);
  const std::string forged =
      other.issue(server::TokenClaims{kAlice, "Alice", true, engine_.now() + 1h});
  std::vector<Rpc> rpcs = token_required();
  for (auto& rpc : token_optional()) rpcs.push_back(std::move(rpc));
  for (const std::string& t : {std::string("garbage"), std::string(), flipped, forged,
                               std::string(5000, 'A'), std::string("a.b")}) {
    for (const auto& rpc : rpcs) {
      EXPECT_TRUE(has_status(rpc.call(bearer(t)), Code::UNAUTHENTICATED, kBadToken))
          << rpc.name << " with token '" << t.substr(0, 40) << "'";
    }
  }
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, ExpiredTokensAreRefusedEverywhere) {
  std::vector<Rpc> rpcs = token_required();
  for (auto& rpc : token_optional()) rpcs.push_back(std::move(rpc));
  for (TimePoint expiry : {engine_.now(), engine_.now() - 1s, engine_.now() - 24h}) {
    const std::string header = bearer(token_expiring(kAlice, expiry));
    for (const auto& rpc : rpcs) {
      EXPECT_TRUE(has_status(rpc.call(header), Code::UNAUTHENTICATED, kExpiredToken)) << rpc.name;
    }
  }
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, ReadsNeedNoToken) {
  engine_.refuse_queries(true);
  engine_.on_get([](auto& r) { (*r.cmd.reply)(not_found("no auction with that id")); });
  engine_.on_watch([](auto& r) { (*r.cmd.reply)(not_found("no auction with that id")); });
  for (const auto& rpc : token_optional()) {
    const grpc::Status status = rpc.call("");
    if (rpc.name == "GetAuction" || rpc.name == "WatchAuction") {
      EXPECT_TRUE(has_status(status, Code::NOT_FOUND, "no auction with that id")) << rpc.name;
    } else {
      EXPECT_TRUE(has_status(status, Code::UNAVAILABLE, kOverloaded)) << rpc.name;
    }
  }
  EXPECT_EQ(engine_.gets().size(), 1U);
  EXPECT_EQ(engine_.watches().size(), 1U);
  EXPECT_EQ(engine_.queries(), 2U);
}

TEST_F(Requests, ASuspendedAccountCannotCreateAuctions) {
  engine_.suspend(kAlice);
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, valid_create(), alice()).status,
                         Code::PERMISSION_DENIED, "your account is suspended"));
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, MalformedAuctionIdsAreRefusedEverywhere) {
  for (const auto& rpc : with_auction_id("")) {
    EXPECT_TRUE(has_status(rpc.second(), Code::INVALID_ARGUMENT, "auction_id is required"))
        << rpc.first;
  }
  for (const std::string& id :
       std::vector<std::string>{"abc", "-1", "0", "+5", "1.5", " 42", "42 ", "42x", "0x10",
                                "99999999999999999999", std::string(10'000, '7'), kInvalidUtf8}) {
    for (const auto& rpc : with_auction_id(id)) {
      EXPECT_TRUE(has_status(rpc.second(), Code::INVALID_ARGUMENT, "auction_id is not a valid id"))
          << rpc.first << " with '" << id.substr(0, 40) << "'";
    }
  }
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, PagingIsCheckedOnEveryList) {
  const std::string bad_token = "page_token is not valid; use a next_page_token we returned";
  const std::vector<std::tuple<std::int32_t, std::string, std::string>> cases = {
      {-1, "", "page_size must not be negative"},
      {std::numeric_limits<std::int32_t>::min(), "", "page_size must not be negative"},
      {101, "", "page_size must be at most 100"},
      {std::numeric_limits<std::int32_t>::max(), "", "page_size must be at most 100"},
      {0, "garbage!", bad_token},
      {0, "bm90LWEtdG9rZW4", bad_token},
      {10, std::string(5000, 'A'), bad_token},
      {0, kInvalidUtf8, bad_token},
  };
  for (const auto& [size, page_token, message] : cases) {
    for (const auto& rpc : paged(size, page_token)) {
      EXPECT_TRUE(has_status(rpc.second(), Code::INVALID_ARGUMENT, message))
          << rpc.first << " page_size " << size;
    }
  }
  EXPECT_EQ(engine_.total(), 0U);

  // The bounds themselves are fine: the query is handed on (and refused).
  engine_.refuse_queries(true);
  for (std::int32_t size : {0, 1, 100}) {
    for (const auto& rpc : paged(size, "")) {
      EXPECT_TRUE(has_status(rpc.second(), Code::UNAVAILABLE, kOverloaded)) << rpc.first;
    }
  }
  EXPECT_EQ(engine_.queries(), 18U);
}

TEST_F(Requests, BidAmountsMustBeInRange) {
  for (std::int64_t amount : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{-2000},
                              std::numeric_limits<std::int64_t>::min()}) {
    EXPECT_TRUE(
        has_status(bid(amount), Code::INVALID_ARGUMENT, "max_amount must be greater than zero"))
        << amount;
  }
  for (std::int64_t amount :
       {std::int64_t{10'000'000'000'001}, std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_TRUE(has_status(bid(amount), Code::INVALID_ARGUMENT,
                           "max_amount must be at most 10^13 minor units"))
        << amount;
  }
  EXPECT_EQ(engine_.total(), 0U);

  // The largest amount is accepted and handed on unchanged.
  engine_.on_bid([](auto& r) { (*r.cmd.reply)(actors::BidReply{}); });
  EXPECT_TRUE(bid(10'000'000'000'000).ok());
  ASSERT_EQ(engine_.bids().size(), 1U);
  EXPECT_EQ(engine_.bids()[0].cmd.max_amount, 10'000'000'000'000);
}

TEST_F(Requests, IdempotencyKeysMustBeShortPrintableAscii) {
  v1::BuyNowRequest buy;
  buy.set_auction_id("42");
  for (const auto& [key, message] : std::vector<std::pair<std::string, std::string>>{
           {std::string(129, 'k'), "idempotency_key must be at most 128 characters"},
           {std::string(100'000, 'k'), "idempotency_key must be at most 128 characters"},
           {"two words", "idempotency_key must be printable ASCII without spaces"},
           {"tab\there", "idempotency_key must be printable ASCII without spaces"},
           {"caf\xC3\xA9", "idempotency_key must be printable ASCII without spaces"},
       }) {
    EXPECT_TRUE(has_status(bid(5000, key), Code::INVALID_ARGUMENT, message));
    buy.set_idempotency_key(key);
    EXPECT_TRUE(
        has_status(auction(&AS::BuyNow, buy, alice()).status, Code::INVALID_ARGUMENT, message));
  }
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, TextsMustBeValidUtf8AndShortEnough) {
  v1::CancelAuctionRequest cancel;
  cancel.set_auction_id("42");
  cancel.set_reason(std::string(501, 'r'));
  EXPECT_TRUE(has_status(auction(&AS::CancelAuction, cancel, alice()).status,
                         Code::INVALID_ARGUMENT, "reason is too long (at most 500 characters)"));
  cancel.set_reason(kInvalidUtf8);
  EXPECT_TRUE(has_status(auction(&AS::CancelAuction, cancel, alice()).status,
                         Code::INVALID_ARGUMENT, "reason is not valid UTF-8"));

  v1::ListAuctionsRequest list;
  list.set_text(std::string(201, 'x'));
  EXPECT_TRUE(has_status(auction(&AS::ListAuctions, list).status, Code::INVALID_ARGUMENT,
                         "text is too long (at most 200 characters)"));
  list.set_text(kInvalidUtf8);
  EXPECT_TRUE(has_status(auction(&AS::ListAuctions, list).status, Code::INVALID_ARGUMENT,
                         "text is not valid UTF-8"));
  list.set_text("");
  list.set_category(std::string(65, 'c'));
  EXPECT_TRUE(has_status(auction(&AS::ListAuctions, list).status, Code::INVALID_ARGUMENT,
                         "category is too long (at most 64 characters)"));

  auto create = valid_create();
  create.set_title(kInvalidUtf8);
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status,
                         Code::INVALID_ARGUMENT, "title is not valid UTF-8"));
  create.set_title("");
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status,
                         Code::INVALID_ARGUMENT, "title must not be empty"));
  create.set_title(std::string(201, 't'));
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status,
                         Code::INVALID_ARGUMENT, "title is too long (at most 200 characters)"));

  v1::RegisterRequest reg;
  reg.set_username("alice");
  reg.set_display_name(kInvalidUtf8);
  reg.set_password("correct horse battery");
  EXPECT_TRUE(has_status(user(&US::Register, reg).status, Code::INVALID_ARGUMENT,
                         "display_name is not valid UTF-8"));

  v1::LoginRequest login;
  login.set_username("alice");
  login.set_password(kInvalidUtf8);
  EXPECT_TRUE(has_status(user(&US::Login, login).status, Code::INVALID_ARGUMENT,
                         "username and password must be valid UTF-8"));
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, SoftCloseMaxExtensionIsCheckedLikeTheOtherDurations) {
  auto create = valid_create();
  create.mutable_soft_close_max_extension()->set_seconds(600);
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status,
                         Code::INVALID_ARGUMENT,
                         "soft_close_max_extension needs soft_close_window and "
                         "soft_close_extension"));
  create.mutable_soft_close_window()->set_seconds(60);
  create.mutable_soft_close_extension()->set_seconds(60);
  create.mutable_soft_close_max_extension()->set_seconds(-1);
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status,
                         Code::INVALID_ARGUMENT, "soft_close_max_extension must not be negative"));
  create.mutable_soft_close_max_extension()->set_seconds((30 * 24 * 3600) + 1);
  EXPECT_TRUE(has_status(auction(&AS::CreateAuction, create, alice()).status,
                         Code::INVALID_ARGUMENT,
                         "soft_close_max_extension must be at most 30 days"));
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, ListFiltersMustBeKnown) {
  v1::ListAuctionsRequest list;
  list.set_status(static_cast<v1::AuctionStatus>(99));
  EXPECT_TRUE(has_status(auction(&AS::ListAuctions, list).status, Code::INVALID_ARGUMENT,
                         "status is not valid"));
  list.set_status(v1::AUCTION_STATUS_UNSPECIFIED);
  list.set_order(static_cast<v1::ListOrder>(99));
  EXPECT_TRUE(has_status(auction(&AS::ListAuctions, list).status, Code::INVALID_ARGUMENT,
                         "order is not valid"));
  list.set_order(v1::LIST_ORDER_UNSPECIFIED);
  list.set_seller_id("seller");
  EXPECT_TRUE(has_status(auction(&AS::ListAuctions, list).status, Code::INVALID_ARGUMENT,
                         "seller_id is not a valid id"));

  v1::ListMyAuctionsRequest mine;
  mine.set_status(static_cast<v1::AuctionStatus>(99));
  EXPECT_TRUE(has_status(user(&US::ListMyAuctions, mine, alice()).status, Code::INVALID_ARGUMENT,
                         "status is not valid"));
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, TopBiddersMustBeBetweenZeroAndFifty) {
  v1::GetAuctionRequest get;
  get.set_auction_id("42");
  for (std::int32_t top : {-1, 51, std::numeric_limits<std::int32_t>::max()}) {
    get.set_top_bidders(top);
    EXPECT_TRUE(has_status(auction(&AS::GetAuction, get).status, Code::INVALID_ARGUMENT,
                           "top_bidders must be between 0 and 50"))
        << top;
  }
  EXPECT_EQ(engine_.total(), 0U);

  engine_.on_get([](auto& r) { (*r.cmd.reply)(not_found("no auction with that id")); });
  for (std::int32_t top : {0, 1, 50}) {
    get.set_top_bidders(top);
    EXPECT_EQ(auction(&AS::GetAuction, get).status.error_code(), Code::NOT_FOUND);
  }
  const auto gets = engine_.gets();
  ASSERT_EQ(gets.size(), 3U);
  EXPECT_EQ(gets[0].cmd.top_bidders, 5U) << "0 means the default, 5";
  EXPECT_EQ(gets[1].cmd.top_bidders, 1U);
  EXPECT_EQ(gets[2].cmd.top_bidders, 50U);
}

TEST_F(Requests, RegisterAndLoginCheckTheirInput) {
  auto reg = [this](std::string username, std::string name, std::string password) {
    v1::RegisterRequest r;
    r.set_username(std::move(username));
    r.set_display_name(std::move(name));
    r.set_password(std::move(password));
    return user(&US::Register, r).status;
  };
  EXPECT_TRUE(has_status(reg("ab", "Alice", "correct horse battery"), Code::INVALID_ARGUMENT,
                         "username must be 3 to 32 characters"));
  EXPECT_TRUE(has_status(reg(std::string(33, 'a'), "Alice", "correct horse battery"),
                         Code::INVALID_ARGUMENT, "username must be 3 to 32 characters"));
  EXPECT_TRUE(has_status(reg("alice", "", "correct horse battery"), Code::INVALID_ARGUMENT,
                         "display_name must not be empty"));
  EXPECT_TRUE(has_status(reg("alice", "Alice", "short"), Code::INVALID_ARGUMENT,
                         "password must be at least 10 characters"));
  EXPECT_TRUE(has_status(reg("alice", "Alice", std::string(257, 'p')), Code::INVALID_ARGUMENT,
                         "password must be at most 256 characters"));

  auto login = [this](std::string username, std::string password) {
    v1::LoginRequest r;
    r.set_username(std::move(username));
    r.set_password(std::move(password));
    return user(&US::Login, r).status;
  };
  const std::string required = "username and password are required";
  EXPECT_TRUE(has_status(login("", "secret"), Code::INVALID_ARGUMENT, required));
  EXPECT_TRUE(has_status(login("alice", ""), Code::INVALID_ARGUMENT, required));
  EXPECT_TRUE(has_status(login(std::string(33, 'a'), "secret"), Code::INVALID_ARGUMENT, required));
  EXPECT_TRUE(has_status(login("alice", std::string(257, 'p')), Code::INVALID_ARGUMENT, required));
  EXPECT_EQ(engine_.total(), 0U);

  // Valid input goes to the query pool (refused here, as when it is full).
  engine_.refuse_queries(true);
  EXPECT_TRUE(
      has_status(reg("alice", "Alice", "correct horse battery"), Code::UNAVAILABLE, kOverloaded));
  EXPECT_TRUE(has_status(login("alice", "correct horse battery"), Code::UNAVAILABLE, kOverloaded));
  EXPECT_EQ(engine_.queries(), 2U);
}

TEST_F(Requests, MarkNotificationsReadChecksItsSeqs) {
  auto mark = [this](std::vector<std::int64_t> seqs, std::int64_t up_to) {
    v1::MarkNotificationsReadRequest r;
    for (auto s : seqs) r.add_seqs(s);
    r.set_up_to_seq(up_to);
    return user(&US::MarkNotificationsRead, r, alice()).status;
  };
  EXPECT_TRUE(
      has_status(mark({}, 0), Code::INVALID_ARGUMENT, "give the seqs to mark read, or up_to_seq"));
  EXPECT_TRUE(has_status(mark(std::vector<std::int64_t>(1001, 1), 0), Code::INVALID_ARGUMENT,
                         "at most 1000 seqs at a time; use up_to_seq"));
  EXPECT_TRUE(has_status(mark({}, -1), Code::INVALID_ARGUMENT, "up_to_seq must not be negative"));
  EXPECT_TRUE(has_status(mark({3, 0}, 0), Code::INVALID_ARGUMENT, "every seq must be at least 1"));
  EXPECT_EQ(engine_.total(), 0U);
  engine_.refuse_queries(true);
  EXPECT_TRUE(
      has_status(mark(std::vector<std::int64_t>(1000, 1), 0), Code::UNAVAILABLE, kOverloaded));
}

TEST_F(Requests, WatchRequestsAreChecked) {
  v1::WatchAuctionRequest watch;
  watch.set_auction_id("42");
  watch.set_from_version(-1);
  grpc::ClientContext ctx;
  EXPECT_TRUE(has_status(finish_stream(ctx, auctions_->WatchAuction(&ctx, watch)),
                         Code::INVALID_ARGUMENT, "from_version must not be negative"));

  v1::WatchNotificationsRequest notes;
  notes.set_after_seq(-1);
  grpc::ClientContext ctx2;
  ctx2.AddMetadata("authorization", alice());
  auto reader = users_->WatchNotifications(&ctx2, notes);
  EXPECT_TRUE(
      has_status(drain(*reader).second, Code::INVALID_ARGUMENT, "after_seq must not be negative"));
  EXPECT_EQ(engine_.total(), 0U);
}

TEST_F(Requests, ACallWhoseDeadlineHasPassedIsNotHandedOn) {
  // The engine's clock is an hour ahead of the client's deadline.
  engine_.set_now(engine_.now() + 1h);
  const auto deadline = std::chrono::system_clock::now() + 30s;
  const std::string expired = "the call's deadline had already passed";
  v1::PlaceBidRequest bid;
  bid.set_auction_id("42");
  bid.set_max_amount(5000);
  EXPECT_TRUE(has_status(auction(&AS::PlaceBid, bid, alice(), deadline).status,
                         Code::DEADLINE_EXCEEDED, expired));
  v1::BuyNowRequest buy;
  buy.set_auction_id("42");
  EXPECT_TRUE(has_status(auction(&AS::BuyNow, buy, alice(), deadline).status,
                         Code::DEADLINE_EXCEEDED, expired));
  EXPECT_EQ(engine_.total(), 0U);
}

class RateLimited : public Requests {
 protected:
  ServiceOptions options() const override {
    ServiceOptions o;
    o.bid_rate = 1;  // the engine's clock stands still: no refill
    o.bid_burst = 3;
    return o;
  }
};

TEST_F(RateLimited, BidsBeyondTheBurstAreRefused) {
  engine_.on_bid([](auto& r) { (*r.cmd.reply)(actors::BidReply{}); });
  engine_.on_buy_now([](auto& r) { (*r.cmd.reply)(not_found("no auction with that id")); });
  const std::string slow_down =
      "too many bids from this account in a short time; slow down and retry";
  EXPECT_TRUE(bid(5000).ok());
  EXPECT_TRUE(bid(5000).ok());
  v1::BuyNowRequest buy;
  buy.set_auction_id("42");
  // BuyNow counts against the same bucket.
  EXPECT_EQ(auction(&AS::BuyNow, buy, alice()).status.error_code(), Code::NOT_FOUND);
  EXPECT_TRUE(has_status(bid(5000), Code::RESOURCE_EXHAUSTED, slow_down));
  EXPECT_TRUE(
      has_status(auction(&AS::BuyNow, buy, alice()).status, Code::RESOURCE_EXHAUSTED, slow_down));
  EXPECT_EQ(engine_.bids().size(), 2U);
  EXPECT_EQ(engine_.buy_nows().size(), 1U);

  // Another account has its own bucket; time refills it.
  v1::PlaceBidRequest bob_bid;
  bob_bid.set_auction_id("42");
  bob_bid.set_max_amount(5000);
  EXPECT_TRUE(auction(&AS::PlaceBid, bob_bid, bearer(token(kBob, "Bob"))).status.ok());
  engine_.set_now(engine_.now() + 1s);
  EXPECT_TRUE(bid(5000).ok());
  EXPECT_TRUE(has_status(bid(5000), Code::RESOURCE_EXHAUSTED, slow_down));
  EXPECT_EQ(engine_.bids().size(), 4U);
}

}  // namespace
}  // namespace auction::test
