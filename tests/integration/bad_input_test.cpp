// Bad input, table-driven over every RPC (SPEC sections 2-4): malformed input
// is INVALID_ARGUMENT, unknown ids NOT_FOUND, missing/forged tokens
// UNAUTHENTICATED, other people's auctions PERMISSION_DENIED; every message
// is human-readable and leaks no internals; and nothing refused is written
// (users, auctions, bids and auction_events keep their row counts).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "domain/validation.hpp"
#include "server/auth.hpp"
#include "tests/support/environment.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using Code = grpc::StatusCode;

constexpr std::int64_t kMaxAmount = 10'000'000'000'000;  // 10^13 minor units
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
const std::string kUnknownId = "987654321";
const std::string kInvalidUtf8 = "Camera \xC3\x28 \xFF";

struct Case {
  std::string name;
  std::function<grpc::Status()> call;
  Code expected;
};

/// A message for people: non-empty, valid UTF-8 without control characters,
/// and no internals (SQL, driver names, exceptions, stack traces).
::testing::AssertionResult human_readable(const std::string& message) {
  if (message.empty()) return ::testing::AssertionFailure() << "the error message is empty";
  if (message.size() > 500) return ::testing::AssertionFailure() << "message too long: " << message;
  if (!is_valid_utf8(message)) return ::testing::AssertionFailure() << "message is not UTF-8";
  if (std::none_of(message.begin(), message.end(),
                   [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)) != 0; })) {
    return ::testing::AssertionFailure() << "no words in '" << message << "'";
  }
  for (char ch : message) {
    if (static_cast<unsigned char>(ch) < 0x20) {
      return ::testing::AssertionFailure() << "control character in '" << message << "'";
    }
  }
  std::string lower = message;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char ch) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  });
  for (const char* leak :
       {"sql", "pqxx", "exception", "std::", "what()", "constraint", "violates", "duplicate key",
        "relation ", "syntax error", "stack", "terminate", "errno", ".cpp", "caf::"}) {
    if (lower.find(leak) != std::string::npos) {
      return ::testing::AssertionFailure()
             << "'" << message << "' leaks internals (" << leak << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

void run_table(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const grpc::Status status = c.call();
    EXPECT_EQ(status.error_code(), c.expected) << c.name << " -> " << describe(status);
    if (!status.ok()) {
      EXPECT_TRUE(human_readable(status.error_message())) << c.name;
    }
  }
}

/// A token the server itself would accept, but for its expiry: signed with
/// the test servers' secret, expired a minute ago.
std::string expired_token(const Account& who) {
  const server::TokenSigner signer(kTokenSecret, std::chrono::hours(1));
  server::TokenClaims claims;
  claims.user_id = to_id(who.id);
  claims.display_name = who.display_name;
  claims.expires_at = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()) -
                      std::chrono::minutes(1);
  return signer.issue(claims);
}

/// A real token with one character changed (a forgery).
std::string flip_one_char(std::string token) {
  for (std::size_t i = token.size() / 3; i < token.size(); ++i) {
    if (std::isalnum(static_cast<unsigned char>(token[i])) != 0) {
      token[i] = token[i] == 'A' ? 'B' : 'A';
      return token;
    }
  }
  return token + "A";
}

/// One live auction of `seller` and a bidder, shared by the tests of one
/// process; the row counts are taken before each test and compared after.
class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Client& c = shared_client();
    seller_ = c.register_user("seller");
    bidder_ = c.register_user("bidder");
    auto req = auction_request("Target auction", 1000, 600s);
    req.set_buy_now_price(50000);
    auto created = c.create_auction(seller_.token, req);
    ASSERT_TRUE(created.ok()) << describe(created.status);
    auction_ = created.value;
  }

  void SetUp() override { before_ = shared_db().counts(); }

  void TearDown() override {
    RowCounts expected = before_;
    expected.auctions += written_auctions_;
    expected.auction_events += written_auctions_;  // one CREATED event each
    EXPECT_EQ(shared_db().counts(), expected)
        << "refused requests must not write (users, auctions, bids, auction_events)";
    const auto a = shared_db().auction(to_id(auction_.id()));
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->version, auction_.version()) << "the target auction must be untouched";
    EXPECT_EQ(a->phase, "OPEN");
  }

  // Not static: the tests' lambdas reach it through `this`, like the fixture's other helpers.
  // NOLINTNEXTLINE(readability-convert-member-functions-to-static)
  Client& c() { return shared_client(); }

  /// CreateAuction as the seller with a valid request changed by `edit`.
  std::function<grpc::Status()> create(std::function<void(v1::CreateAuctionRequest&)> edit,
                                       std::string token = "") {
    return [this, edit = std::move(edit), token = std::move(token)] {
      auto req = auction_request("A fine item", 1000, 3600s);
      edit(req);
      return c().create_auction(token.empty() ? seller_.token : token, req).status;
    };
  }

  // The AuctionService tables, run by one test (one cluster and server).
  void create_auction_table();
  void reads_table();
  void place_bid_and_buy_now_table();
  void cancel_table();

  static inline Account seller_;
  static inline Account bidder_;
  static inline v1::Auction auction_;
  RowCounts before_;
  int written_auctions_ = 0;
};

void set_time(google::protobuf::Timestamp* t, std::int64_t us) {
  t->set_seconds(us / 1'000'000);
  t->set_nanos(static_cast<std::int32_t>((us % 1'000'000) * 1000));
}

void BadInput::create_auction_table() {
  using R = v1::CreateAuctionRequest;
  const std::int64_t now = now_us();
  const std::int64_t hour = 3'600'000'000;
  const std::int64_t days30 = std::int64_t{30} * 24 * hour;
  std::string e200;
  for (int i = 0; i < 200; ++i) e200 += "\xC3\xA9";  // 200 x U+00E9: 200 characters, 400 bytes
  run_table({
      {"empty title", create([](R& r) { r.set_title(""); }), Code::INVALID_ARGUMENT},
      {"title of 201 characters", create([](R& r) { r.set_title(std::string(201, 't')); }),
       Code::INVALID_ARGUMENT},
      {"title of 201 two-byte characters", create([&](R& r) { r.set_title(e200 + "\xC3\xA9"); }),
       Code::INVALID_ARGUMENT},
      {"description of 10001 characters",
       create([](R& r) { r.set_description(std::string(10'001, 'd')); }), Code::INVALID_ARGUMENT},
      {"21 media URLs", create([](R& r) {
         for (int i = 0; i < 21; ++i)
           r.add_media_urls("https://img.example.com/" + std::to_string(i));
       }),
       Code::INVALID_ARGUMENT},
      {"media URL of 2049 characters",
       create([](R& r) { r.add_media_urls("https://example.com/" + std::string(2029, 'x')); }),
       Code::INVALID_ARGUMENT},
      {"media URL not http(s)", create([](R& r) { r.add_media_urls("ftp://example.com/a.jpg"); }),
       Code::INVALID_ARGUMENT},
      {"media URL javascript:", create([](R& r) { r.add_media_urls("javascript:alert(1)"); }),
       Code::INVALID_ARGUMENT},
      {"category of 65 characters", create([](R& r) { r.set_category(std::string(65, 'c')); }),
       Code::INVALID_ARGUMENT},
      {"unknown currency", create([](R& r) { r.set_currency("ZZZ"); }), Code::INVALID_ARGUMENT},
      {"currency not a code", create([](R& r) { r.set_currency("dollars"); }),
       Code::INVALID_ARGUMENT},
      {"starting_price 0", create([](R& r) { r.set_starting_price(0); }), Code::INVALID_ARGUMENT},
      {"starting_price negative", create([](R& r) { r.set_starting_price(-100); }),
       Code::INVALID_ARGUMENT},
      {"starting_price over 10^13", create([](R& r) { r.set_starting_price(kMaxAmount + 1); }),
       Code::INVALID_ARGUMENT},
      {"starting_price int64 max", create([](R& r) { r.set_starting_price(kInt64Max); }),
       Code::INVALID_ARGUMENT},
      {"reserve below starting price", create([](R& r) { r.set_reserve_price(999); }),
       Code::INVALID_ARGUMENT},
      {"reserve negative", create([](R& r) { r.set_reserve_price(-5000); }),
       Code::INVALID_ARGUMENT},
      {"reserve over 10^13", create([](R& r) { r.set_reserve_price(kMaxAmount + 1); }),
       Code::INVALID_ARGUMENT},
      {"buy now equal to starting price", create([](R& r) { r.set_buy_now_price(1000); }),
       Code::INVALID_ARGUMENT},
      {"buy now below starting price", create([](R& r) { r.set_buy_now_price(500); }),
       Code::INVALID_ARGUMENT},
      {"buy now negative", create([](R& r) { r.set_buy_now_price(-1); }), Code::INVALID_ARGUMENT},
      {"buy now over 10^13", create([](R& r) { r.set_buy_now_price(kMaxAmount + 1); }),
       Code::INVALID_ARGUMENT},
      {"min_increment negative", create([](R& r) { r.set_min_increment(-50); }),
       Code::INVALID_ARGUMENT},
      {"min_increment over 10^13", create([](R& r) { r.set_min_increment(kMaxAmount + 1); }),
       Code::INVALID_ARGUMENT},
      {"end before start", create([&](R& r) {
         r.clear_duration();
         set_time(r.mutable_end_time(), now - hour);
       }),
       Code::INVALID_ARGUMENT},
      {"end equal to start", create([&](R& r) {
         r.clear_duration();
         set_time(r.mutable_start_time(), now + hour);
         set_time(r.mutable_end_time(), now + hour);
       }),
       Code::INVALID_ARGUMENT},
      {"end 30 days + 1 s after start", create([&](R& r) {
         r.clear_duration();
         set_time(r.mutable_start_time(), now + hour);
         set_time(r.mutable_end_time(), now + hour + days30 + 1'000'000);
       }),
       Code::INVALID_ARGUMENT},
      {"duration 30 days + 1 s",
       create([&](R& r) { r.mutable_duration()->set_seconds(days30 / 1'000'000 + 1); }),
       Code::INVALID_ARGUMENT},
      {"duration zero", create([](R& r) { r.mutable_duration()->set_seconds(0); }),
       Code::INVALID_ARGUMENT},
      {"duration negative", create([](R& r) { r.mutable_duration()->set_seconds(-60); }),
       Code::INVALID_ARGUMENT},
      {"both end_time and duration",
       create([&](R& r) { set_time(r.mutable_end_time(), now + 2 * hour); }),
       Code::INVALID_ARGUMENT},
      {"neither end_time nor duration", create([](R& r) { r.clear_duration(); }),
       Code::INVALID_ARGUMENT},
      {"timestamp nanos out of range", create([&](R& r) {
         r.clear_duration();
         set_time(r.mutable_end_time(), now + hour);
         r.mutable_end_time()->set_nanos(2'000'000'000);
       }),
       Code::INVALID_ARGUMENT},
      {"no token",
       [this] {
         return c()
             .call(&v1::AuctionService::Stub::CreateAuction,
                   auction_request("No token", 1000, 3600s))
             .status;
       },
       Code::UNAUTHENTICATED},
  });

  // The boundary: 200 characters is fine even at 400 bytes (an intended write).
  auto ok = c().create_auction(seller_.token, auction_request(e200, 1000, 3600s));
  ASSERT_TRUE(ok.ok()) << describe(ok.status);
  EXPECT_EQ(ok->title(), e200);
  ++written_auctions_;
}

void BadInput::reads_table() {
  const std::string& id = auction_.id();
  auto get = [this](std::string auction_id, std::int32_t top = 0) {
    return [this, auction_id = std::move(auction_id), top] {
      v1::GetAuctionRequest req;
      req.set_auction_id(auction_id);
      req.set_top_bidders(top);
      return c().call(&v1::AuctionService::Stub::GetAuction, req).status;
    };
  };
  auto list = [this](std::function<void(v1::ListAuctionsRequest&)> edit) {
    return [this, edit = std::move(edit)] {
      v1::ListAuctionsRequest req;
      edit(req);
      return c().call(&v1::AuctionService::Stub::ListAuctions, req).status;
    };
  };
  auto bids = [this](std::string auction_id, std::int32_t page_size, std::string token) {
    return [this, auction_id = std::move(auction_id), page_size, token = std::move(token)] {
      v1::ListBidsRequest req;
      req.set_auction_id(auction_id);
      req.set_page_size(page_size);
      req.set_page_token(token);
      return c().call(&v1::AuctionService::Stub::ListBids, req).status;
    };
  };
  using L = v1::ListAuctionsRequest;
  run_table({
      {"GetAuction valid, no token", get(id), Code::OK},
      {"GetAuction empty id", get(""), Code::INVALID_ARGUMENT},
      {"GetAuction letters", get("abc"), Code::INVALID_ARGUMENT},
      {"GetAuction negative id", get("-1"), Code::INVALID_ARGUMENT},
      {"GetAuction fraction", get("1.5"), Code::INVALID_ARGUMENT},
      {"GetAuction trailing garbage", get(id + "x"), Code::INVALID_ARGUMENT},
      {"GetAuction leading space", get(" " + id), Code::INVALID_ARGUMENT},
      {"GetAuction id overflowing int64", get("99999999999999999999999"), Code::INVALID_ARGUMENT},
      {"GetAuction oversized id", get(std::string(10'000, '7')), Code::INVALID_ARGUMENT},
      {"GetAuction unknown id", get(kUnknownId), Code::NOT_FOUND},
      {"GetAuction top_bidders 51", get(id, 51), Code::INVALID_ARGUMENT},
      {"GetAuction top_bidders negative", get(id, -1), Code::INVALID_ARGUMENT},
      {"ListAuctions defaults", list([](L&) {}), Code::OK},
      {"ListAuctions page_size 100", list([](L& r) { r.set_page_size(100); }), Code::OK},
      {"ListAuctions page_size 101", list([](L& r) { r.set_page_size(101); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions page_size negative", list([](L& r) { r.set_page_size(-1); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions garbage page_token", list([](L& r) { r.set_page_token("garbage!"); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions base64 page_token", list([](L& r) { r.set_page_token("bm90LWEtdG9rZW4"); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions oversized page_token",
       list([](L& r) { r.set_page_token(std::string(5000, 'A')); }), Code::INVALID_ARGUMENT},
      {"ListAuctions text of 201 characters", list([](L& r) { r.set_text(std::string(201, 'x')); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions malformed seller_id", list([](L& r) { r.set_seller_id("seller"); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions category of 65", list([](L& r) { r.set_category(std::string(65, 'c')); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions unknown status",
       list([](L& r) { r.set_status(static_cast<v1::AuctionStatus>(99)); }),
       Code::INVALID_ARGUMENT},
      {"ListAuctions unknown order",
       list([](L& r) { r.set_order(static_cast<v1::ListOrder>(99)); }), Code::INVALID_ARGUMENT},
      {"ListBids valid", bids(id, 0, ""), Code::OK},
      {"ListBids empty id", bids("", 0, ""), Code::INVALID_ARGUMENT},
      {"ListBids malformed id", bids("x1", 0, ""), Code::INVALID_ARGUMENT},
      {"ListBids unknown id", bids(kUnknownId, 0, ""), Code::NOT_FOUND},
      {"ListBids page_size 101", bids(id, 101, ""), Code::INVALID_ARGUMENT},
      {"ListBids page_size negative", bids(id, -5, ""), Code::INVALID_ARGUMENT},
      {"ListBids garbage page_token", bids(id, 0, "%%%"), Code::INVALID_ARGUMENT},
  });
}

void BadInput::place_bid_and_buy_now_table() {
  const std::string& id = auction_.id();
  const std::string token = bidder_.token;
  auto bid = [this, token](std::string auction_id, std::int64_t max, std::string key = "") {
    return [this, token, auction_id = std::move(auction_id), max, key = std::move(key)] {
      return c().place_bid(token, auction_id, max, key).status;
    };
  };
  auto buy = [this, token](std::string auction_id, std::string key = "") {
    return [this, token, auction_id = std::move(auction_id), key = std::move(key)] {
      return c().buy_now(token, auction_id, key).status;
    };
  };
  run_table({
      {"PlaceBid no token", [&] { return c().place_bid("", id, 5000).status; },
       Code::UNAUTHENTICATED},
      {"PlaceBid empty auction_id", bid("", 5000), Code::INVALID_ARGUMENT},
      {"PlaceBid malformed auction_id", bid("auction-1", 5000), Code::INVALID_ARGUMENT},
      {"PlaceBid overflowing auction_id", bid("123456789012345678901234", 5000),
       Code::INVALID_ARGUMENT},
      {"PlaceBid unknown auction", bid(kUnknownId, 5000), Code::NOT_FOUND},
      {"PlaceBid zero", bid(id, 0), Code::INVALID_ARGUMENT},
      {"PlaceBid negative", bid(id, -2000), Code::INVALID_ARGUMENT},
      {"PlaceBid over 10^13", bid(id, kMaxAmount + 1), Code::INVALID_ARGUMENT},
      {"PlaceBid int64 max", bid(id, kInt64Max), Code::INVALID_ARGUMENT},
      {"PlaceBid int64 min", bid(id, kInt64Min), Code::INVALID_ARGUMENT},
      {"PlaceBid idempotency_key of 129", bid(id, 5000, std::string(129, 'k')),
       Code::INVALID_ARGUMENT},
      {"PlaceBid oversized idempotency_key", bid(id, 5000, std::string(100'000, 'k')),
       Code::INVALID_ARGUMENT},
      {"BuyNow no token", [&] { return c().buy_now("", id).status; }, Code::UNAUTHENTICATED},
      {"BuyNow empty auction_id", buy(""), Code::INVALID_ARGUMENT},
      {"BuyNow malformed auction_id", buy("0x10"), Code::INVALID_ARGUMENT},
      {"BuyNow unknown auction", buy(kUnknownId), Code::NOT_FOUND},
      {"BuyNow idempotency_key of 129", buy(id, std::string(129, 'k')), Code::INVALID_ARGUMENT},
  });
}

void BadInput::cancel_table() {
  const std::string& id = auction_.id();
  auto cancel = [this](std::string token, std::string auction_id, std::string reason = "") {
    return [this, token = std::move(token), auction_id = std::move(auction_id),
            reason = std::move(reason)] {
      v1::CancelAuctionRequest req;
      req.set_auction_id(auction_id);
      req.set_reason(reason);
      return c().call(&v1::AuctionService::Stub::CancelAuction, req, token).status;
    };
  };
  run_table({
      {"no token", cancel("", id), Code::UNAUTHENTICATED},
      {"empty auction_id", cancel(seller_.token, ""), Code::INVALID_ARGUMENT},
      {"malformed auction_id", cancel(seller_.token, "#1"), Code::INVALID_ARGUMENT},
      {"unknown auction", cancel(seller_.token, kUnknownId), Code::NOT_FOUND},
      {"reason of 501 characters", cancel(seller_.token, id, std::string(501, 'r')),
       Code::INVALID_ARGUMENT},
      {"not the seller, not an admin", cancel(bidder_.token, id), Code::PERMISSION_DENIED},
  });
}

TEST_F(BadInput, AuctionServiceRpcs) {
  {
    SCOPED_TRACE("CreateAuction");
    create_auction_table();
  }
  {
    SCOPED_TRACE("GetAuction, ListAuctions, ListBids");
    reads_table();
  }
  {
    SCOPED_TRACE("PlaceBid, BuyNow");
    place_bid_and_buy_now_table();
  }
  {
    SCOPED_TRACE("CancelAuction");
    cancel_table();
  }
}

TEST_F(BadInput, UserServiceRpcs) {
  auto reg = [this](std::string username, std::string display_name, std::string password) {
    return [this, username = std::move(username), display_name = std::move(display_name),
            password = std::move(password)] {
      v1::RegisterRequest req;
      req.set_username(username);
      req.set_display_name(display_name);
      req.set_password(password);
      return c().call(&v1::UserService::Stub::Register, req).status;
    };
  };
  auto login = [this](std::string username, std::string password) {
    return [this, username = std::move(username), password = std::move(password)] {
      v1::LoginRequest req;
      req.set_username(username);
      req.set_password(password);
      return c().call(&v1::UserService::Stub::Login, req).status;
    };
  };
  auto my_bids = [this](std::int32_t page_size, std::string page_token) {
    return [this, page_size, page_token = std::move(page_token)] {
      v1::ListMyBidsRequest req;
      req.set_page_size(page_size);
      req.set_page_token(page_token);
      return c().call(&v1::UserService::Stub::ListMyBids, req, bidder_.token).status;
    };
  };
  auto my_auctions = [this](std::int32_t page_size, std::string page_token, int status = 0) {
    return [this, page_size, page_token = std::move(page_token), status] {
      v1::ListMyAuctionsRequest req;
      req.set_page_size(page_size);
      req.set_page_token(page_token);
      req.set_status(static_cast<v1::AuctionStatus>(status));
      return c().call(&v1::UserService::Stub::ListMyAuctions, req, seller_.token).status;
    };
  };
  const std::string pw = kPassword;
  run_table({
      {"Register username of 2", reg("ab", "Ab", pw), Code::INVALID_ARGUMENT},
      {"Register username of 33", reg(std::string(33, 'a'), "A", pw), Code::INVALID_ARGUMENT},
      {"Register empty username", reg("", "Nobody", pw), Code::INVALID_ARGUMENT},
      {"Register upper-case username", reg("Alice_x", "Alice", pw), Code::INVALID_ARGUMENT},
      {"Register username with a space", reg("alice x", "Alice", pw), Code::INVALID_ARGUMENT},
      {"Register username with a dash", reg("alice-x", "Alice", pw), Code::INVALID_ARGUMENT},
      {"Register empty display name", reg("valid_name_1", "", pw), Code::INVALID_ARGUMENT},
      {"Register display name of 65", reg("valid_name_2", std::string(65, 'n'), pw),
       Code::INVALID_ARGUMENT},
      {"Register password of 9", reg("valid_name_4", "Val", "123456789"), Code::INVALID_ARGUMENT},
      {"Register password of 257", reg("valid_name_5", "Val", std::string(257, 'p')),
       Code::INVALID_ARGUMENT},
      {"Register taken username", reg(seller_.username, "Again", pw), Code::ALREADY_EXISTS},
      {"Login empty username", login("", pw), Code::INVALID_ARGUMENT},
      {"Login oversized password", login(seller_.username, std::string(100'000, 'p')),
       Code::INVALID_ARGUMENT},
      {"Login wrong password", login(seller_.username, "wrong password!"), Code::UNAUTHENTICATED},
      {"Login unknown user", login("nobody_here", pw), Code::UNAUTHENTICATED},
      {"GetMe no token",
       [this] { return c().call(&v1::UserService::Stub::GetMe, v1::GetMeRequest{}).status; },
       Code::UNAUTHENTICATED},
      {"GetMe valid",
       [this] {
         return c().call(&v1::UserService::Stub::GetMe, v1::GetMeRequest{}, bidder_.token).status;
       },
       Code::OK},
      {"ListMyBids page_size 101", my_bids(101, ""), Code::INVALID_ARGUMENT},
      {"ListMyBids page_size negative", my_bids(-1, ""), Code::INVALID_ARGUMENT},
      {"ListMyBids bad page_token", my_bids(10, "not a token"), Code::INVALID_ARGUMENT},
      {"ListMyAuctions page_size 101", my_auctions(101, ""), Code::INVALID_ARGUMENT},
      {"ListMyAuctions bad page_token", my_auctions(10, "????"), Code::INVALID_ARGUMENT},
      {"ListMyAuctions unknown status", my_auctions(10, "", 42), Code::INVALID_ARGUMENT},
  });

  // A failed login does not tell whether the user exists.
  EXPECT_EQ(login(seller_.username, "wrong password!")().error_message(),
            login("nobody_here", pw)().error_message());
}

TEST_F(BadInput, NotificationWatchListAndStreamRpcs) {
  auto list = [this](std::int32_t page_size, std::string page_token, std::string token) {
    return [this, page_size, page_token = std::move(page_token), token = std::move(token)] {
      v1::ListNotificationsRequest req;
      req.set_page_size(page_size);
      req.set_page_token(page_token);
      return c().call(&v1::UserService::Stub::ListNotifications, req, token).status;
    };
  };
  auto mark = [this](std::vector<std::int64_t> seqs, std::int64_t up_to, std::string token) {
    return [this, seqs = std::move(seqs), up_to, token = std::move(token)] {
      v1::MarkNotificationsReadRequest req;
      for (auto s : seqs) req.add_seqs(s);
      req.set_up_to_seq(up_to);
      return c().call(&v1::UserService::Stub::MarkNotificationsRead, req, token).status;
    };
  };
  auto follow = [this](std::string id, std::string token) {
    return [this, id = std::move(id), token = std::move(token)] {
      v1::FollowAuctionRequest req;
      req.set_auction_id(id);
      return c().call(&v1::UserService::Stub::FollowAuction, req, token).status;
    };
  };
  auto unfollow = [this](std::string id, std::string token) {
    return [this, id = std::move(id), token = std::move(token)] {
      v1::UnfollowAuctionRequest req;
      req.set_auction_id(id);
      return c().call(&v1::UserService::Stub::UnfollowAuction, req, token).status;
    };
  };
  auto followed = [this](std::int32_t page_size, std::string page_token, std::string token) {
    return [this, page_size, page_token = std::move(page_token), token = std::move(token)] {
      v1::ListFollowedAuctionsRequest req;
      req.set_page_size(page_size);
      req.set_page_token(page_token);
      return c().call(&v1::UserService::Stub::ListFollowedAuctions, req, token).status;
    };
  };
  // A stream's status when it is refused before its first message.
  auto watch = [this](std::string id, std::optional<std::int64_t> from) {
    return [this, id = std::move(id), from] {
      v1::WatchAuctionRequest req;
      req.set_auction_id(id);
      if (from) req.set_from_version(*from);
      auto ctx = Client::context();
      auto reader = c().auctions().WatchAuction(ctx.get(), req);
      v1::AuctionUpdate first;
      if (reader->Read(&first)) {
        ctx->TryCancel();
        while (reader->Read(&first)) {
        }
        reader->Finish();
        return grpc::Status::OK;  // it was accepted
      }
      return reader->Finish();
    };
  };
  auto watch_notifications = [this](std::optional<std::int64_t> after, std::string token) {
    return [this, after, token = std::move(token)] {
      v1::WatchNotificationsRequest req;
      if (after) req.set_after_seq(*after);
      auto ctx = Client::context(token);
      ctx->set_deadline(std::chrono::system_clock::now() + 2s);
      auto reader = c().users().WatchNotifications(ctx.get(), req);
      v1::Notification n;
      while (reader->Read(&n)) {
      }
      grpc::Status status = reader->Finish();
      // Accepted streams stay open until the deadline.
      return status.error_code() == Code::DEADLINE_EXCEEDED ? grpc::Status::OK : status;
    };
  };
  const std::string& id = auction_.id();
  const std::string& t = bidder_.token;
  const std::string forged = flip_one_char(t);
  run_table({
      {"ListNotifications no token", list(0, "", ""), Code::UNAUTHENTICATED},
      {"ListNotifications forged token", list(0, "", forged), Code::UNAUTHENTICATED},
      {"ListNotifications page_size 101", list(101, "", t), Code::INVALID_ARGUMENT},
      {"ListNotifications page_size negative", list(-5, "", t), Code::INVALID_ARGUMENT},
      {"ListNotifications bad page_token", list(10, "%%%", t), Code::INVALID_ARGUMENT},
      {"ListNotifications valid", list(10, "", t), Code::OK},
      {"MarkNotificationsRead nothing given", mark({}, 0, t), Code::INVALID_ARGUMENT},
      {"MarkNotificationsRead seq 0", mark({0}, 0, t), Code::INVALID_ARGUMENT},
      {"MarkNotificationsRead negative up_to", mark({}, -1, t), Code::INVALID_ARGUMENT},
      {"MarkNotificationsRead 1001 seqs", mark(std::vector<std::int64_t>(1001, 1), 0, t),
       Code::INVALID_ARGUMENT},
      {"MarkNotificationsRead no token", mark({1}, 0, ""), Code::UNAUTHENTICATED},
      {"MarkNotificationsRead unknown seq", mark({123456}, 0, t), Code::OK},
      {"FollowAuction no token", follow(id, ""), Code::UNAUTHENTICATED},
      {"FollowAuction empty id", follow("", t), Code::INVALID_ARGUMENT},
      {"FollowAuction malformed id", follow("12a", t), Code::INVALID_ARGUMENT},
      {"FollowAuction unknown auction", follow(kUnknownId, t), Code::NOT_FOUND},
      {"FollowAuction invalid UTF-8 id", follow(kInvalidUtf8, t), Code::INVALID_ARGUMENT},
      {"UnfollowAuction malformed id", unfollow("-1", t), Code::INVALID_ARGUMENT},
      {"UnfollowAuction no token", unfollow(id, ""), Code::UNAUTHENTICATED},
      {"ListFollowedAuctions page_size 101", followed(101, "", t), Code::INVALID_ARGUMENT},
      {"ListFollowedAuctions bad page_token", followed(10, "x", t), Code::INVALID_ARGUMENT},
      {"ListFollowedAuctions no token", followed(10, "", ""), Code::UNAUTHENTICATED},
      {"WatchAuction empty id", watch("", std::nullopt), Code::INVALID_ARGUMENT},
      {"WatchAuction malformed id", watch("abc", std::nullopt), Code::INVALID_ARGUMENT},
      {"WatchAuction unknown auction", watch(kUnknownId, std::nullopt), Code::NOT_FOUND},
      {"WatchAuction negative from_version", watch(id, -1), Code::INVALID_ARGUMENT},
      {"WatchAuction valid", watch(id, std::nullopt), Code::OK},
      {"WatchNotifications no token", watch_notifications(std::nullopt, ""), Code::UNAUTHENTICATED},
      {"WatchNotifications negative after_seq", watch_notifications(-3, t), Code::INVALID_ARGUMENT},
  });
}

// Invalid UTF-8 is malformed input like any other: INVALID_ARGUMENT with a
// readable message, in every text field of every RPC. (A proto3 `string`
// holding invalid UTF-8 is refused by protobuf's parser already, before any
// service code runs; the client must still get INVALID_ARGUMENT.)
TEST_F(BadInput, InvalidUtf8InAnyTextFieldIsInvalidArgument) {
  using R = v1::CreateAuctionRequest;
  auto with_request = [this](auto method, auto req, std::string token) {
    return [this, method, req = std::move(req), token = std::move(token)] {
      return c().call(method, req, token).status;
    };
  };
  v1::ListAuctionsRequest list;
  list.set_text(kInvalidUtf8);
  v1::GetAuctionRequest get;
  get.set_auction_id("1\xFF");
  v1::PlaceBidRequest bid;
  bid.set_auction_id(auction_.id());
  bid.set_max_amount(5000);
  bid.set_idempotency_key("key-\xFF");
  v1::CancelAuctionRequest cancel;
  cancel.set_auction_id(auction_.id());
  cancel.set_reason(kInvalidUtf8);
  v1::RegisterRequest reg_name;
  reg_name.set_username("name_\xFF");
  reg_name.set_display_name("Name");
  reg_name.set_password(kPassword);
  v1::RegisterRequest reg_display = reg_name;
  reg_display.set_username("valid_name_9");
  reg_display.set_display_name(kInvalidUtf8);
  v1::LoginRequest login;
  login.set_username(seller_.username);
  login.set_password("password \xFF\xFE");
  run_table({
      {"CreateAuction title", create([](R& r) { r.set_title(kInvalidUtf8); }),
       Code::INVALID_ARGUMENT},
      {"CreateAuction description", create([](R& r) { r.set_description(kInvalidUtf8); }),
       Code::INVALID_ARGUMENT},
      {"GetAuction auction_id", with_request(&v1::AuctionService::Stub::GetAuction, get, ""),
       Code::INVALID_ARGUMENT},
      {"ListAuctions text", with_request(&v1::AuctionService::Stub::ListAuctions, list, ""),
       Code::INVALID_ARGUMENT},
      {"PlaceBid idempotency_key",
       with_request(&v1::AuctionService::Stub::PlaceBid, bid, bidder_.token),
       Code::INVALID_ARGUMENT},
      {"CancelAuction reason",
       with_request(&v1::AuctionService::Stub::CancelAuction, cancel, seller_.token),
       Code::INVALID_ARGUMENT},
      {"Register username", with_request(&v1::UserService::Stub::Register, reg_name, ""),
       Code::INVALID_ARGUMENT},
      {"Register display_name", with_request(&v1::UserService::Stub::Register, reg_display, ""),
       Code::INVALID_ARGUMENT},
      {"Login password", with_request(&v1::UserService::Stub::Login, login, ""),
       Code::INVALID_ARGUMENT},
  });
}

TEST_F(BadInput, EveryWriteNeedsAValidTokenAndNoReadTakesABadOne) {
  // A token signed with another secret: log in through a second server that
  // shares the database but not the token secret.
  std::string other_secret_token;
  {
    ServerOptions other_options;
    other_options.token_secret = "another-secret-entirely";
    ServerProcess other(shared_cluster().url(), shared_cluster().dir(), other_options);
    Client oc(other.channel());
    other_secret_token = oc.login(seller_.username, kPassword).token;
  }
  ASSERT_FALSE(other_secret_token.empty());
  ASSERT_NE(other_secret_token, seller_.token);

  struct BadAuth {
    std::string name;
    std::string header;  ///< the whole `authorization` value; empty = none
  };
  const std::vector<BadAuth> bad = {
      {"no token", ""},
      {"garbage token", "Bearer not-a-token"},
      {"empty bearer", "Bearer "},
      {"forged (one character changed)", "Bearer " + flip_one_char(seller_.token)},
      {"truncated", "Bearer " + seller_.token.substr(0, seller_.token.size() - 4)},
      {"signed with another secret", "Bearer " + other_secret_token},
      {"expired (signed right, a minute past its expiry)", "Bearer " + expired_token(seller_)},
      {"other scheme", "Basic " + seller_.token},
      {"no scheme", seller_.token},
  };
  const std::string& id = auction_.id();

  // Each RPC, called with a given `authorization` header.
  struct Rpc {
    std::string name;
    bool needs_token;
    std::function<grpc::Status(grpc::ClientContext*)> call;
  };
  auto& as = c().auctions();
  auto& us = c().users();
  const std::vector<Rpc> rpcs = {
      {"CreateAuction", true,
       [&](grpc::ClientContext* ctx) {
         v1::Auction out;
         return as.CreateAuction(ctx, auction_request("Forged", 1000, 3600s), &out);
       }},
      {"PlaceBid", true,
       [&](grpc::ClientContext* ctx) {
         v1::PlaceBidRequest req;
         req.set_auction_id(id);
         req.set_max_amount(5000);
         v1::PlaceBidResponse out;
         return as.PlaceBid(ctx, req, &out);
       }},
      {"BuyNow", true,
       [&](grpc::ClientContext* ctx) {
         v1::BuyNowRequest req;
         req.set_auction_id(id);
         v1::BuyNowResponse out;
         return as.BuyNow(ctx, req, &out);
       }},
      {"CancelAuction", true,
       [&](grpc::ClientContext* ctx) {
         v1::CancelAuctionRequest req;
         req.set_auction_id(id);
         v1::Auction out;
         return as.CancelAuction(ctx, req, &out);
       }},
      {"GetMe", true,
       [&](grpc::ClientContext* ctx) {
         v1::User out;
         return us.GetMe(ctx, v1::GetMeRequest{}, &out);
       }},
      {"ListMyBids", true,
       [&](grpc::ClientContext* ctx) {
         v1::ListMyBidsResponse out;
         return us.ListMyBids(ctx, v1::ListMyBidsRequest{}, &out);
       }},
      {"ListMyAuctions", true,
       [&](grpc::ClientContext* ctx) {
         v1::ListMyAuctionsResponse out;
         return us.ListMyAuctions(ctx, v1::ListMyAuctionsRequest{}, &out);
       }},
      {"GetAuction", false,
       [&](grpc::ClientContext* ctx) {
         v1::GetAuctionRequest req;
         req.set_auction_id(id);
         v1::GetAuctionResponse out;
         return as.GetAuction(ctx, req, &out);
       }},
      {"ListAuctions", false,
       [&](grpc::ClientContext* ctx) {
         v1::ListAuctionsResponse out;
         return as.ListAuctions(ctx, v1::ListAuctionsRequest{}, &out);
       }},
      {"ListBids", false,
       [&](grpc::ClientContext* ctx) {
         v1::ListBidsRequest req;
         req.set_auction_id(id);
         v1::ListBidsResponse out;
         return as.ListBids(ctx, req, &out);
       }},
  };

  std::vector<Case> cases;
  for (const auto& rpc : rpcs) {
    for (const auto& b : bad) {
      // Reads need no token; a bad one is still refused, never ignored.
      const Code expected =
          (!rpc.needs_token && b.header.empty()) ? Code::OK : Code::UNAUTHENTICATED;
      cases.push_back({rpc.name + " with " + b.name,
                       [&rpc, header = b.header] {
                         auto ctx = Client::context_with_authorization(header);
                         return rpc.call(ctx.get());
                       },
                       expected});
    }
  }
  run_table(cases);
}

}  // namespace
}  // namespace auction::test
