// bench: the load generator (SPEC section 8).
#include <iostream>

#include "bench/calls.hpp"
#include "bench/closed_loop.hpp"
#include "bench/report.hpp"
#include "bench/setup.hpp"
#include "bench/watch.hpp"
#include "commands.hpp"
#include "health.hpp"
#include "json_output.hpp"
#include "parse.hpp"

namespace auction::cli {
namespace {

using namespace std::chrono_literals;

struct BenchArgs {
  int in_flight = 64;
  int auctions = 1000;
  int bidders = 32;
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string call_timeout = "5s";
  bool idempotency_keys = false;
  int channels = 2;
  int pollers = 2;
  bool hot = false;
  int setup_concurrency = 16;
};

constexpr Money kStartingPrice = 100;  // 1.00

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

int run_bench(const GlobalOptions& opts, const BenchArgs& args) {
  bench::LoopConfig loop;
  loop.in_flight = args.in_flight;
  loop.pollers = std::min(args.pollers, args.in_flight);
  loop.warmup = parse_duration("--warmup", args.warmup);
  loop.duration = parse_duration("--duration", args.duration);
  loop.call_timeout = parse_duration("--call-timeout", args.call_timeout);
  if (loop.duration <= 0s) throw UsageError("--duration must be positive");
  if (loop.call_timeout <= 0s) throw UsageError("--call-timeout must be positive");
  loop.grace = std::min<std::chrono::nanoseconds>(loop.call_timeout, 1s);

  auto channels = bench::make_channels(opts, args.channels);
  auto users = v1::UserService::NewStub(channels[0]);
  auto auctions = v1::AuctionService::NewStub(channels[0]);

  bench::FixtureConfig fixture_config;
  fixture_config.bidders = static_cast<std::size_t>(args.bidders);
  fixture_config.auctions = static_cast<std::size_t>(args.hot ? 1 : args.auctions);
  fixture_config.starting_price = kStartingPrice;
  fixture_config.concurrency = args.setup_concurrency;
  auto fixture = bench::build_fixture(opts, *users, *auctions, fixture_config, std::cerr);

  bench::BidWorkload bids;
  for (const auto& ch : channels) bids.stubs.push_back(v1::AuctionService::NewStub(ch));
  bids.auction_ids = fixture.auction_ids;
  for (const auto& b : fixture.bidders) bids.bidder_auth.push_back("Bearer " + b.token);
  bids.idempotency_keys = args.idempotency_keys;
  bids.key_prefix = fixture.prefix + "-";
  bids.ladder = std::make_unique<bench::AmountLadder>(bids.auction_ids.size(), kStartingPrice);

  std::cerr << "bench: bidding for " << args.warmup << " warmup + " << args.duration << std::endl;
  auto bid_phase = bench::make_phase(
      bench::run_closed_loop(loop, [&](std::size_t) { return bench::make_bid_call(bids); }));

  bench::HealthWorkload health;
  for (const auto& ch : channels) health.stubs.push_back(std::make_unique<grpc::GenericStub>(ch));
  health.request = to_byte_buffer(encode_health_request(""));
  std::cerr << "bench: health checks for " << args.warmup << " warmup + " << args.duration
            << std::endl;
  auto health_phase = bench::make_phase(
      bench::run_closed_loop(loop, [&](std::size_t) { return bench::make_health_call(health); }));

  bench::RunInfo info;
  info.server = opts.server;
  info.prefix = fixture.prefix;
  info.in_flight = loop.in_flight;
  info.auctions = fixture.auction_ids.size();
  info.bidders = fixture.bidders.size();
  info.channels = args.channels;
  info.pollers = loop.pollers;
  info.idempotency_keys = args.idempotency_keys;
  info.warmup_s = seconds(loop.warmup);
  info.duration_s = seconds(loop.duration);
  if (opts.json) {
    print_json(std::cout, bench::to_json(info, bid_phase, health_phase));
  } else {
    bench::print_text(std::cout, info, bid_phase, health_phase);
  }
  if (bid_phase.result.ok == 0) {
    std::cerr << "error: bench: no bid was accepted in the measured window\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

void add_bench_command(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<BenchArgs>();
  auto* sub = app.add_subcommand(
      "bench",
      "Load generator: closed loop of PlaceBid calls, then of empty health checks (the transport "
      "ceiling)");
  sub->add_option("--in-flight", a->in_flight, "Calls kept in flight")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  sub->add_option("--auctions", a->auctions, "Auctions to spread the bids over")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  sub->add_flag("--hot", a->hot, "One hot auction (same as --auctions 1)");
  sub->add_option("--bidders", a->bidders, "Bidder accounts, used in rotation")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  sub->add_option("--duration", a->duration, "Measured phase, per workload")->capture_default_str();
  sub->add_option("--warmup", a->warmup, "Unmeasured lead-in, per workload")->capture_default_str();
  sub->add_option("--call-timeout", a->call_timeout, "Deadline per bench call")
      ->capture_default_str();
  sub->add_flag("--idempotency-keys", a->idempotency_keys, "Send a unique idempotency key per bid");
  sub->add_option("--channels", a->channels, "gRPC channels (connections), used round-robin")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  sub->add_option("--pollers", a->pollers, "Completion-queue threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  sub->add_option("--setup-concurrency", a->setup_concurrency,
                  "Register/login/create calls in flight during setup")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  sub->footer(
      "Setup registers a seller and the bidders (random run prefix), logs them in and creates the "
      "auctions (1 h, starting price 1.00, no soft close). Then each workload runs for warmup + "
      "duration; --json prints one JSON object.\n`bench watch --help`: live-update delivery to "
      "many watchers.");
  auto* watch = bench::add_bench_watch_command(sub, ctx);
  sub->require_subcommand(0, 1);
  // CLI11 runs this after the chosen subcommand's callback: `bench watch`
  // keeps its own action.
  sub->callback([&ctx, a, watch] {
    if (watch->parsed()) return;
    ctx.action = [&ctx, a] { return run_bench(ctx.opts, *a); };
  });
}

}  // namespace auction::cli
