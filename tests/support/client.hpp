#pragma once
/// A test client for auctiond: stubs for AuctionService and UserService, call
/// helpers that add `authorization: Bearer` metadata and a 5 s deadline, and
/// account helpers.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "auction/v1/auction.grpc.pb.h"

namespace auction::test {

namespace v1 = ::auction::v1;

inline constexpr const char* kPassword = "correct horse battery";

/// The result of one call: its status and (when OK) its response.
template <class Resp>
struct Reply {
  grpc::Status status;
  Resp value;

  bool ok() const { return status.ok(); }
  grpc::StatusCode code() const { return status.error_code(); }
  const Resp* operator->() const { return &value; }
};

struct Account {
  std::string id;  ///< decimal id as on the wire
  std::string username;
  std::string display_name;
  std::string token;
};

class Client {
 public:
  explicit Client(std::shared_ptr<grpc::Channel> channel);

  v1::AuctionService::Stub& auctions() { return *auctions_; }
  v1::UserService::Stub& users() { return *users_; }

  /// A context with a 5 s deadline and, when `token` is not empty,
  /// `authorization: Bearer <token>`.
  static std::unique_ptr<grpc::ClientContext> context(const std::string& token = "");
  /// As context(), but with the raw `authorization` value (for bad headers).
  static std::unique_ptr<grpc::ClientContext> context_with_authorization(const std::string& value);

  /// Calls one unary method of either stub with `token` (may be empty).
  template <class Stub, class Req, class Resp>
  Reply<Resp> call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                   const Req& req, const std::string& token = "") {
    Reply<Resp> r;
    auto ctx = context(token);
    r.status = (stub_for(static_cast<Stub*>(nullptr)).*method)(ctx.get(), req, &r.value);
    return r;
  }

  /// Registers a fresh user whose username starts with `prefix` (made unique
  /// in this process) and logs in. Throws if either call fails.
  Account register_user(const std::string& prefix);
  /// register_user(prefix).token
  std::string register_and_login(const std::string& prefix);
  /// Logs in; throws unless OK.
  Account login(const std::string& username, const std::string& password);
  Account login_admin();

  // Shorthands for the common calls.
  Reply<v1::Auction> create_auction(const std::string& token, const v1::CreateAuctionRequest& req);
  Reply<v1::GetAuctionResponse> get_auction(const std::string& auction_id,
                                            const std::string& token = "");
  Reply<v1::PlaceBidResponse> place_bid(const std::string& token, const std::string& auction_id,
                                        std::int64_t max_amount, const std::string& key = "");
  Reply<v1::BuyNowResponse> buy_now(const std::string& token, const std::string& auction_id,
                                    const std::string& key = "");
  Reply<v1::Auction> cancel_auction(const std::string& token, const std::string& auction_id);
  Reply<v1::ListBidsResponse> list_bids(const std::string& auction_id, std::int32_t page_size = 100,
                                        const std::string& token = "");

 private:
  /// Overloads chosen by the stub type of a call (the argument is a tag).
  v1::AuctionService::Stub& stub_for(v1::AuctionService::Stub* /*tag*/) { return *auctions_; }
  v1::UserService::Stub& stub_for(v1::UserService::Stub* /*tag*/) { return *users_; }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AuctionService::Stub> auctions_;
  std::unique_ptr<v1::UserService::Stub> users_;
};

/// A CreateAuctionRequest with a title, starting price and duration; the rest
/// default (USD, default increments, no reserve, no buy-now, start now).
v1::CreateAuctionRequest auction_request(const std::string& title, std::int64_t starting_price,
                                         std::chrono::milliseconds duration);

/// Polls GetAuction (every 50 ms, at most `timeout`) until the auction is
/// CANCELLED, or ENDED with its outcome decided. Returns the last reply.
Reply<v1::GetAuctionResponse> wait_until_closed(Client& client, const std::string& auction_id,
                                                std::chrono::milliseconds timeout);

/// A wire id ("42") as a number; throws on anything else.
std::int64_t to_id(const std::string& wire_id);

/// Microseconds since the epoch.
std::int64_t to_us(const google::protobuf::Timestamp& t);
std::int64_t to_us(const google::protobuf::Duration& d);
std::int64_t now_us();

/// "UNAVAILABLE" for grpc::StatusCode::UNAVAILABLE ("?" for codes gRPC does
/// not define).
std::string status_code_name(grpc::StatusCode c);

/// "CODE: message", for assertion output.
std::string describe(const grpc::Status& status);

}  // namespace auction::test
