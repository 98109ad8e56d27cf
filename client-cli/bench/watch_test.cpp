#include "bench/watch.hpp"

#include <sstream>

#include <gtest/gtest.h>

namespace auction::cli::bench {
namespace {

TEST(WatchBench, VmRss) {
  EXPECT_EQ(vm_rss_kib("Name:\tauctiond\nVmPeak:\t  9000 kB\nVmRSS:\t   51234 kB\nThreads: 9\n"),
            51234);
  EXPECT_EQ(vm_rss_kib("Name:\tx\n"), std::nullopt);
  EXPECT_EQ(vm_rss_kib("VmRSS: lots\n"), std::nullopt);
}

TEST(WatchBench, CpuTicks) {
  EXPECT_EQ(cpu_ticks("4242 (auction d) S 1 4242 4242 0 -1 4194560 5000 0 0 0 "
                      "150 25 0 0 20 0 9 0 12345 1000000 2000"),
            175);
  EXPECT_EQ(cpu_ticks("1 (a) (b)) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14"), 23);
  EXPECT_EQ(cpu_ticks("garbage"), std::nullopt);
  EXPECT_EQ(cpu_ticks("1 (x) S 1 2"), std::nullopt);
}

TEST(WatchBench, MatchesBidEventsAndCoalescedSnapshots) {
  SentBids sent;
  sent.add(12, 5'000);
  sent.add(10, 1'000);
  sent.add(11, 3'000);
  sent.freeze();
  EXPECT_EQ(sent.max_version(), 12);
  std::vector<std::int64_t> latencies;
  // A BID_PLACED of version 10 at 1.5 µs.
  EXPECT_EQ(sent.match({10, 10, 1'500, true}, latencies), 1U);
  // A snapshot that jumped over 11 and 12.
  EXPECT_EQ(sent.match({11, 12, 6'000, false}, latencies), 2U);
  // Someone else's bid (version 13): nothing to match.
  EXPECT_EQ(sent.match({13, 13, 7'000, true}, latencies), 0U);
  EXPECT_EQ(latencies, (std::vector<std::int64_t>{500, 3'000, 1'000}));
}

TEST(WatchBench, AmountsStepByTheIncrementAndFollowTheServer) {
  BidAmounts amounts(100, 0);
  EXPECT_EQ(amounts.next(), 100);  // the minimum next bid
  EXPECT_EQ(amounts.next(), 125);  // 1.00 + 0.25 (1.00-4.99: 0.25)
  EXPECT_EQ(amounts.next(), 150);
}

TEST(WatchBench, AmountsWithAFixedIncrement) {
  BidAmounts amounts(1000, 200);
  EXPECT_EQ(amounts.next(), 1000);
  EXPECT_EQ(amounts.next(), 1200);
  amounts.observe_minimum(5000);  // someone else bid
  EXPECT_EQ(amounts.next(), 5000);
  EXPECT_EQ(amounts.next(), 5200);
}

TEST(WatchBench, ReportNamesTheFigures) {
  WatchBenchResult r;
  r.server = "127.0.0.1:1";
  r.auction_id = "7";
  r.watchers = 1000;
  r.ready = 1000;
  r.channels = 2;
  r.bidders = 2;
  r.bid_rate = 10;
  r.duration_s = 10;
  r.sent = 100;
  r.accepted = 100;
  r.deliveries = 100'000;
  r.expected_deliveries = 100'000;
  r.window_s = 10;
  r.latency.p50 = std::chrono::microseconds(1'500);
  r.latency.p99 = std::chrono::milliseconds(12);
  r.latency.max = std::chrono::milliseconds(30);
  r.rss_before_kib = 50'000;
  r.rss_open_kib = 68'000;
  std::ostringstream out;
  print_watch_text(out, r);
  const std::string text = out.str();
  EXPECT_NE(text.find("deliveries         100000 of 100000 expected"), std::string::npos) << text;
  EXPECT_NE(text.find("10000.0/s over 10.0 s of bidding"), std::string::npos) << text;
  EXPECT_NE(text.find("p50 1.50 ms, p99 12.00 ms, max 30.00 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("18.0 KiB per watcher"), std::string::npos) << text;
  auto j = watch_to_json(r);
  EXPECT_EQ(j["deliveries"], 100'000);
  EXPECT_DOUBLE_EQ(j["server_rss_per_watcher_kib"].get<double>(), 18.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p99"].get<double>(), 12.0);
}

}  // namespace
}  // namespace auction::cli::bench
