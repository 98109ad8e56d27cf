#include "bench/setup.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <iomanip>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>

#include <google/protobuf/util/time_util.h>

namespace auction::cli::bench {
namespace {

constexpr const char* kPassword = "bench-password-not-secret";

std::unique_ptr<grpc::ClientContext> context(const GlobalOptions& opts, const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + opts.timeout());
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

/// Throws RpcError with `what` in front of the server's message.
void check_step(const grpc::Status& status, const std::string& what) {
  if (!status.ok()) {
    throw RpcError(
        grpc::Status(status.error_code(), "bench setup: " + what + ": " + status.error_message()));
  }
}

BenchUser make_user(const GlobalOptions& opts, v1::UserService::Stub& users,
                    const std::string& username, const std::string& display_name) {
  v1::RegisterRequest reg;
  reg.set_username(username);
  reg.set_display_name(display_name);
  reg.set_password(kPassword);
  v1::User user;
  check_step(users.Register(context(opts, "").get(), reg, &user), "register " + username);

  v1::LoginRequest login;
  login.set_username(username);
  login.set_password(kPassword);
  v1::LoginResponse reply;
  check_step(users.Login(context(opts, "").get(), login, &reply), "login " + username);
  return {username, user.id(), reply.token()};
}

std::string create_auction(const GlobalOptions& opts, v1::AuctionService::Stub& auctions,
                           const Fixture& f, const FixtureConfig& config, std::size_t index) {
  v1::CreateAuctionRequest req;
  req.set_title("bench " + f.prefix + " #" + std::to_string(index));
  req.set_category("bench");
  req.set_currency("USD");
  req.set_starting_price(config.starting_price);
  *req.mutable_duration() =
      google::protobuf::util::TimeUtil::SecondsToDuration(config.auction_seconds);
  v1::Auction auction;
  check_step(auctions.CreateAuction(context(opts, f.seller.token).get(), req, &auction),
             "create auction #" + std::to_string(index));
  return auction.id();
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::vector<std::shared_ptr<grpc::Channel>> make_channels(const GlobalOptions& opts, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("auction_cli.channel_index", i);
    channels.push_back(make_channel(opts, args));
  }
  return channels;
}

std::string random_prefix() {
  static constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::uniform_int_distribution<std::size_t> pick(0, kDigits.size() - 1);
  std::string s = "bn";
  for (int i = 0; i < 8; ++i) s += kDigits[pick(rd)];
  return s;
}

void parallel_for(std::size_t n, int concurrency, const std::function<void(std::size_t)>& fn) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < n && !failed; i = next++) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  auto threads_wanted =
      std::min<std::size_t>(n, static_cast<std::size_t>(std::max(concurrency, 1)));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < threads_wanted; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

Fixture build_fixture(const GlobalOptions& opts, v1::UserService::Stub& users,
                      v1::AuctionService::Stub& auctions, const FixtureConfig& config,
                      std::ostream& log) {
  Fixture f;
  f.prefix = random_prefix();
  auto t0 = std::chrono::steady_clock::now();
  log << std::fixed << std::setprecision(2);
  log << "bench: run prefix " << f.prefix << "; registering 1 seller and " << config.bidders
      << " bidders" << std::endl;
  f.bidders.resize(config.bidders);
  // Index 0 is the seller, 1..B the bidders.
  parallel_for(config.bidders + 1, config.concurrency, [&](std::size_t i) {
    if (i == 0) {
      f.seller = make_user(opts, users, f.prefix + "_s", "bench seller " + f.prefix);
    } else {
      auto name = f.prefix + "_b" + std::to_string(i);
      f.bidders[i - 1] = make_user(opts, users, name, "bench bidder " + std::to_string(i));
    }
  });
  log << "bench: users ready in " << seconds_since(t0) << " s; creating " << config.auctions
      << " auctions" << std::endl;

  auto t1 = std::chrono::steady_clock::now();
  f.auction_ids.resize(config.auctions);
  parallel_for(config.auctions, config.concurrency, [&](std::size_t i) {
    f.auction_ids[i] = create_auction(opts, auctions, f, config, i);
  });
  log << "bench: auctions ready in " << seconds_since(t1) << " s" << std::endl;
  return f;
}

}  // namespace auction::cli::bench
