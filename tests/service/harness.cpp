#include "tests/service/harness.hpp"

namespace auction::test {

::testing::AssertionResult has_status(const grpc::Status& status, Code code,
                                      const std::string& message) {
  if (status.error_code() == code && status.error_message() == message) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got code " << status.error_code() << " '" << status.error_message()
         << "', expected code " << code << " '" << message << "'";
}

TimePoint test_now() {
  // The engine's clock stands still; tokens and deadlines are judged by it.
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

ServiceTest::ServiceTest()
    : engine_(test_now()),
      signer_("service-test-secret", std::chrono::hours(1)),
      auth_(signer_, engine_) {}

ServiceTest::~ServiceTest() = default;

void ServiceTest::SetUp() {
  const ServiceOptions o = options();
  registry_ = std::make_unique<server::StreamRegistry>(o.max_streams);
  bid_limits_ = std::make_unique<server::BidRateLimiter>(o.bid_rate, o.bid_burst);
  const server::StreamSettings streams{*registry_, hub_, o.watch};
  auction_service_ =
      std::make_unique<server::AuctionServiceImpl>(engine_, auth_, streams, *bid_limits_);
  user_service_ = std::make_unique<server::UserServiceImpl>(engine_, auth_, signer_, streams);

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(auction_service_.get());
  builder.RegisterService(user_service_.get());
  server_ = builder.BuildAndStart();
  ASSERT_TRUE(server_ != nullptr);
  ASSERT_GT(port, 0);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  auctions_ = v1::AuctionService::NewStub(channel);
  users_ = v1::UserService::NewStub(channel);
}

void ServiceTest::TearDown() {
  // Unanswered commands answer UNAVAILABLE, open streams close: nothing is
  // left for the server to wait for.
  engine_.drop_all();
  if (registry_) registry_->shutdown();
  if (server_) server_->Shutdown();
  auctions_.reset();
  users_.reset();
  server_.reset();
  user_service_.reset();
  auction_service_.reset();
  registry_.reset();
}

std::string ServiceTest::token(UserId id, const std::string& name, bool admin) const {
  return signer_.issue(server::TokenClaims{id, name, admin, engine_.now() + std::chrono::hours(1)});
}

std::string ServiceTest::token_expiring(UserId id, TimePoint expires_at) const {
  return signer_.issue(server::TokenClaims{id, "Alice", false, expires_at});
}

}  // namespace auction::test
