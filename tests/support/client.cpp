#include "tests/support/client.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <absl/status/status.h>

#include "tests/support/server_process.hpp"

namespace auction::test {
namespace {

constexpr auto kDeadline = std::chrono::seconds(5);
std::atomic<int> user_counter{0};

}  // namespace

std::string status_code_name(grpc::StatusCode c) {
  // gRPC's codes are the canonical ones, with abseil's numbering.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(c));
  return name.empty() ? "?" : name;
}

Client::Client(std::shared_ptr<grpc::Channel> channel)
    : channel_(std::move(channel)),
      auctions_(v1::AuctionService::NewStub(channel_)),
      users_(v1::UserService::NewStub(channel_)) {}

std::unique_ptr<grpc::ClientContext> Client::context(const std::string& token) {
  return context_with_authorization(token.empty() ? std::string() : "Bearer " + token);
}

std::unique_ptr<grpc::ClientContext> Client::context_with_authorization(const std::string& value) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + kDeadline);
  if (!value.empty()) ctx->AddMetadata("authorization", value);
  return ctx;
}

Account Client::register_user(const std::string& prefix) {
  // Usernames are 3..32 of [a-z0-9_]; the counter keeps them unique per DB.
  const std::string username = prefix.substr(0, 24) + "_" + std::to_string(++user_counter);
  v1::RegisterRequest req;
  req.set_username(username);
  req.set_display_name("Test " + prefix);
  req.set_password(kPassword);
  auto r = call(&v1::UserService::Stub::Register, req);
  if (!r.ok()) throw std::runtime_error("Register " + username + ": " + describe(r.status));
  return login(username, kPassword);
}

std::string Client::register_and_login(const std::string& prefix) {
  return register_user(prefix).token;
}

Account Client::login(const std::string& username, const std::string& password) {
  v1::LoginRequest req;
  req.set_username(username);
  req.set_password(password);
  auto r = call(&v1::UserService::Stub::Login, req);
  if (!r.ok()) throw std::runtime_error("Login " + username + ": " + describe(r.status));
  return Account{r->user().id(), r->user().username(), r->user().display_name(), r->token()};
}

Account Client::login_admin() { return login(kAdminUsername, kAdminPassword); }

Reply<v1::Auction> Client::create_auction(const std::string& token,
                                          const v1::CreateAuctionRequest& req) {
  return call(&v1::AuctionService::Stub::CreateAuction, req, token);
}

Reply<v1::GetAuctionResponse> Client::get_auction(const std::string& auction_id,
                                                  const std::string& token) {
  v1::GetAuctionRequest req;
  req.set_auction_id(auction_id);
  return call(&v1::AuctionService::Stub::GetAuction, req, token);
}

Reply<v1::PlaceBidResponse> Client::place_bid(const std::string& token,
                                              const std::string& auction_id,
                                              std::int64_t max_amount, const std::string& key) {
  v1::PlaceBidRequest req;
  req.set_auction_id(auction_id);
  req.set_max_amount(max_amount);
  req.set_idempotency_key(key);
  return call(&v1::AuctionService::Stub::PlaceBid, req, token);
}

Reply<v1::BuyNowResponse> Client::buy_now(const std::string& token, const std::string& auction_id,
                                          const std::string& key) {
  v1::BuyNowRequest req;
  req.set_auction_id(auction_id);
  req.set_idempotency_key(key);
  return call(&v1::AuctionService::Stub::BuyNow, req, token);
}

Reply<v1::Auction> Client::cancel_auction(const std::string& token, const std::string& auction_id) {
  v1::CancelAuctionRequest req;
  req.set_auction_id(auction_id);
  return call(&v1::AuctionService::Stub::CancelAuction, req, token);
}

Reply<v1::ListBidsResponse> Client::list_bids(const std::string& auction_id, std::int32_t page_size,
                                              const std::string& token) {
  v1::ListBidsRequest req;
  req.set_auction_id(auction_id);
  req.set_page_size(page_size);
  return call(&v1::AuctionService::Stub::ListBids, req, token);
}

v1::CreateAuctionRequest auction_request(const std::string& title, std::int64_t starting_price,
                                         std::chrono::milliseconds duration) {
  v1::CreateAuctionRequest req;
  req.set_title(title);
  req.set_description("An item for the integration tests.");
  req.set_category("test");
  req.set_starting_price(starting_price);
  req.mutable_duration()->set_seconds(duration.count() / 1000);
  req.mutable_duration()->set_nanos(
      static_cast<std::int32_t>((duration.count() % 1000) * 1'000'000));
  return req;
}

Reply<v1::GetAuctionResponse> wait_until_closed(Client& client, const std::string& auction_id,
                                                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto r = client.get_auction(auction_id);
    if (r.ok()) {
      const auto& a = r->auction();
      if (a.status() == v1::AUCTION_STATUS_CANCELLED) return r;
      if (a.status() == v1::AUCTION_STATUS_ENDED && a.outcome() != v1::OUTCOME_UNSPECIFIED) {
        return r;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::int64_t to_id(const std::string& wire_id) {
  std::size_t used = 0;
  const long long id = std::stoll(wire_id, &used);
  if (used != wire_id.size()) throw std::invalid_argument("not an id: '" + wire_id + "'");
  return id;
}

std::int64_t to_us(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

std::int64_t to_us(const google::protobuf::Duration& d) {
  return d.seconds() * 1'000'000 + d.nanos() / 1000;
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string describe(const grpc::Status& status) {
  return status_code_name(status.error_code()) + ": " + status.error_message();
}

}  // namespace auction::test
