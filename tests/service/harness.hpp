#pragma once
/// AuctionServiceImpl and UserServiceImpl served on 127.0.0.1:<any port>
/// inside the test process, over a FakeEngine; and a client for them.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auction/v1/auction.grpc.pb.h"
#include "server/auth.hpp"
#include "server/rate_limiter.hpp"
#include "server/services.hpp"
#include "server/streams.hpp"
#include "tests/service/fake_engine.hpp"

namespace auction::test {

namespace v1 = ::auction::v1;
using Code = grpc::StatusCode;

struct ServiceOptions {
  double bid_rate = 0;  ///< <= 0: no limit
  double bid_burst = 0;
  std::size_t max_streams = 64;
  /// No coalescing by lag: these tests count every event, and a slow
  /// (sanitized) writer must not turn them into one snapshot. Lag is tested
  /// end to end in tests/integration/watch_*.
  server::WatchLimits watch{64, std::chrono::milliseconds(0)};
};

/// A unary call's status and response.
template <class Resp>
struct Answer {
  grpc::Status status;
  Resp value;
};

/// Status code and message, exactly.
::testing::AssertionResult has_status(const grpc::Status& status, Code code,
                                      const std::string& message);

inline std::string bearer(const std::string& token) { return "Bearer " + token; }

/// The time now, on whole microseconds: where the fake engine's clock starts.
TimePoint test_now();

class ServiceTest : public ::testing::Test {
 public:
  ServiceTest(const ServiceTest&) = delete;
  ServiceTest& operator=(const ServiceTest&) = delete;
  ServiceTest(ServiceTest&&) = delete;
  ServiceTest& operator=(ServiceTest&&) = delete;

 protected:
  static constexpr UserId kAlice = 7;
  static constexpr UserId kBob = 8;
  static constexpr std::chrono::seconds kGuard{10};  ///< against hanging, never a wait

  ServiceTest();
  ~ServiceTest() override;

  void SetUp() override;
  void TearDown() override;
  virtual ServiceOptions options() const { return {}; }

  /// A token the server accepts, valid for an hour of the engine's clock.
  std::string token(UserId id, const std::string& name = "Alice", bool admin = false) const;
  /// The same, expiring at `expires_at`.
  std::string token_expiring(UserId id, TimePoint expires_at) const;
  /// "Bearer <Alice's token>".
  std::string alice() const { return bearer(token(kAlice)); }

  /// Calls `method` with `authorization` metadata (none when empty) and an
  /// optional deadline.
  template <class Stub, class Req, class Resp>
  Answer<Resp> call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, const std::string& authorization = "",
                    std::optional<std::chrono::system_clock::time_point> deadline = {}) {
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    if (deadline) ctx.set_deadline(*deadline);
    Answer<Resp> answer;
    answer.status = (stub.*method)(&ctx, req, &answer.value);
    return answer;
  }
  template <class Req, class Resp>
  Answer<Resp> auction(grpc::Status (v1::AuctionService::Stub::*method)(grpc::ClientContext*,
                                                                        const Req&, Resp*),
                       const Req& req, const std::string& authorization = "",
                       std::optional<std::chrono::system_clock::time_point> deadline = {}) {
    return call(*auctions_, method, req, authorization, deadline);
  }
  template <class Req, class Resp>
  Answer<Resp> user(grpc::Status (v1::UserService::Stub::*method)(grpc::ClientContext*, const Req&,
                                                                  Resp*),
                    const Req& req, const std::string& authorization = "") {
    return call(*users_, method, req, authorization);
  }

  /// Reads a server stream to its end: the messages and the final status.
  template <class T>
  static std::pair<std::vector<T>, grpc::Status> drain(grpc::ClientReader<T>& reader) {
    std::vector<T> messages;
    T message;
    while (reader.Read(&message)) messages.push_back(message);
    return {messages, reader.Finish()};
  }

  FakeEngine engine_;
  server::TokenSigner signer_;
  std::unique_ptr<v1::AuctionService::Stub> auctions_;
  std::unique_ptr<v1::UserService::Stub> users_;

 private:
  server::Authenticator auth_;
  server::NotificationHub hub_;
  std::unique_ptr<server::StreamRegistry> registry_;
  std::unique_ptr<server::BidRateLimiter> bid_limits_;
  std::unique_ptr<server::AuctionServiceImpl> auction_service_;
  std::unique_ptr<server::UserServiceImpl> user_service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace auction::test
