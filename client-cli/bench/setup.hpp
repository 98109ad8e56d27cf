#pragma once
/// Bench fixture: a seller, B bidders (fresh users with a random run prefix)
/// and M auctions, created through the ordinary API.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "auction/v1/auction.grpc.pb.h"
#include "client.hpp"
#include "domain/money.hpp"

namespace auction::cli::bench {

struct BenchUser {
  std::string username;
  std::string id;
  std::string token;
};

struct Fixture {
  std::string prefix;  ///< e.g. "bn3f9a1c2d"; in every username and key
  BenchUser seller;
  std::vector<BenchUser> bidders;
  std::vector<std::string> auction_ids;
};

struct FixtureConfig {
  std::size_t bidders = 32;
  std::size_t auctions = 1000;
  Money starting_price = 100;
  int concurrency = 16;                 ///< setup calls in flight
  std::int64_t auction_seconds = 3600;  ///< how long the auctions run
};

/// `count` channels that never share a connection: each has its own
/// subchannel pool and a distinct argument.
std::vector<std::shared_ptr<grpc::Channel>> make_channels(const GlobalOptions& opts, int count);

/// A fresh random prefix of [a-z0-9], short enough for 32-char usernames.
std::string random_prefix();

/// Registers and logs in the users, then creates the auctions (1 h, no soft
/// close). Progress goes to `log`. Throws RpcError naming the failed step.
Fixture build_fixture(const GlobalOptions& opts, v1::UserService::Stub& users,
                      v1::AuctionService::Stub& auctions, const FixtureConfig& config,
                      std::ostream& log);

/// Runs fn(0..n-1) on up to `concurrency` threads; rethrows the first
/// exception after all threads stop (the rest are skipped once one fails).
void parallel_for(std::size_t n, int concurrency, const std::function<void(std::size_t)>& fn);

}  // namespace auction::cli::bench
