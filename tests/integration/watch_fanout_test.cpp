// Live auction streams (SPEC section 5, issue 3), many watchers at once:
// WatchAuction against the real auctiond and PostgreSQL.
//
// - 1,000 concurrent watchers of one auction under a stream of bids: each
//   sees its SNAPSHOT, then every version exactly once and in order, then
//   AUCTION_ENDED, then OK.
// - Watchers that stop reading while thousands of events are produced: the
//   server's memory stays bounded, the other watchers keep receiving within
//   1 s, and a slow one that reads again gets a SNAPSHOT with a version jump
//   up to the latest version.
//
// Helpers and the version rule: watch_helpers.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/watch_helpers.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

// ----------------------------------------------------------------- fan-out

TEST(Watch, AThousandWatchersSeeEveryVersionOnceInOrderThenTheEndThenOk) {
  constexpr int kWatchers = 1000;
  constexpr int kChannels = 16;  // about 63 streams per HTTP/2 connection
  constexpr int kBids = 200;
  // The backlog holds every event of the test: no watcher may be coalesced,
  // so any jump is a lost or reordered event.
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "5000", "--watch-backlog", "4096"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account buyer = c.register_user("buyer");
  const std::vector<Account> bidders = register_users(c, "bidder", 4);
  auto req = auction_request("Crowd favourite", 1000, 600s);
  req.set_buy_now_price(kBuyNowPrice);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  const std::int64_t v0 = created->version();

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::AuctionService::Stub>> stubs;
  for (int i = 0; i < kChannels; ++i) {
    channels.push_back(make_channel(server.address()));
    stubs.push_back(v1::AuctionService::NewStub(channels.back()));
  }
  const auto t0 = Clock::now();
  std::vector<std::shared_ptr<Trace>> traces;
  std::vector<std::unique_ptr<AuctionWatch>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    traces.push_back(std::make_shared<Trace>());
    watchers.push_back(watch_auction(*stubs[static_cast<std::size_t>(i % kChannels)], id, {},
                                     tracing(traces.back())));
  }
  ASSERT_TRUE(wait_all_count(watchers, 1, 60s)) << "not every watcher got its SNAPSHOT within 60 s";
  const double connect_s = seconds_since(t0);

  const auto t1 = Clock::now();
  Ladder ladder;
  const std::vector<Ack> acks = bid_until(server.channel(), bidders, id, ladder, kBids, 120s);
  ASSERT_EQ(acks.size(), static_cast<std::size_t>(kBids));
  const double bid_s = seconds_since(t1);
  auto bought = c.buy_now(buyer.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  const std::int64_t final_version = bought->auction().version();
  ASSERT_EQ(final_version, v0 + kBids + 1) << "one version per accepted bid, one for the end";

  // Every stream ends OK after AUCTION_ENDED.
  const auto deadline = Clock::now() + 60s;
  for (const auto& w : watchers) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    w->wait_done(std::max(left, 0ms));
  }
  const double total_s = seconds_since(t1);
  std::map<std::string, int> problems;
  std::map<std::int64_t, std::int64_t> price_at;
  for (const Ack& a : acks) price_at[a.version] = a.price;
  int ok_count = 0;
  for (std::size_t i = 0; i < watchers.size(); ++i) {
    const auto status = watchers[i]->status();
    const Trace t = trace_of(*watchers[i], traces[i]);
    std::string problem;
    if (!status) {
      problem = "stream still open 60 s after the end";
    } else if (!status->ok()) {
      problem = "stream ended " + describe(*status);
    } else {
      problem = check_gapless(t, v0, final_version);
    }
    if (problem.empty()) {
      const Trace ch = without_heartbeats(t);
      if (ch.back().type != Update::AUCTION_ENDED) problem = "last change is not AUCTION_ENDED";
      for (std::size_t k = 1; k + 1 < ch.size() && problem.empty(); ++k) {
        if (ch[k].type != Update::BID_PLACED) {
          problem = "v" + std::to_string(ch[k].version) + " is " + Update::Type_Name(ch[k].type);
        } else if (ch[k].price != price_at[ch[k].version]) {
          problem = "v" + std::to_string(ch[k].version) + " shows price " +
                    std::to_string(ch[k].price) + ", the bid's reply said " +
                    std::to_string(price_at[ch[k].version]);
        }
      }
    }
    if (problem.empty()) {
      ++ok_count;
    } else if (++problems[problem] == 1) {
      ADD_FAILURE() << "watcher " << i << ": " << problem;
    }
  }
  EXPECT_EQ(ok_count, kWatchers) << problems.size() << " distinct problems";
  std::cout << "[          ] " << kWatchers << " watchers connected in " << connect_s << " s; "
            << kBids << " bids in " << bid_s << " s; all streams done " << total_s
            << " s after the first bid; " << ok_count << " watchers saw every version\n";
}

// ------------------------------------------------------------ slow watchers

/// What a slow watcher may cost: `lag_coalescing` says whether the server
/// coalesces by age (then the count limit is out of reach and normal
/// watchers may see SNAPSHOT jumps too), else only past the count limit.
void slow_watchers_scenario(const std::vector<std::string>& server_args, bool lag_coalescing) {
  // Many slow watchers, so that buffering per event would be measurable:
  // each stops reading after its SNAPSHOT while kBids events are produced.
  constexpr int kSlow = 200;
  constexpr int kNormal = 4;
  constexpr int kBids = 3000;
  // Server memory bound, against its RSS just before the bids. What the
  // server may legitimately hold per slow watcher: its backlog (at most 64
  // events by default, each well under 1 KiB) or one snapshot, plus what its
  // HTTP/2 transport keeps for a stream whose 64 KiB window is full (BDP
  // probing is off on the slow channel, so the window stays 64 KiB): under
  // 150 KiB each, under 30 MiB for 200 (measured: about 1.5 MiB in all).
  // Buffering every event instead holds, per slow watcher, the ~2,100 events
  // that the full window (~880 events) did not take: at least
  // 200 * 2,100 * ~100 bytes (serialized, with framing) = ~42 MB, and as
  // protobuf objects several times that. The bound sits in between.
  constexpr std::int64_t kBoundKiB = std::int64_t{32} * 1024;
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(), with_args(server_args));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const std::vector<Account> bidders = register_users(c, "bidder", 4);
  auto created = c.create_auction(seller.token, auction_request("Busy lot", 1000, 900s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  const std::int64_t v0 = created->version();

  // Normal watchers on their own connection, slow ones on a connection with
  // a small receive window (so the server, not our client, holds their
  // backlog).
  auto normal_channel = make_channel(server.address());
  auto normal_stub = v1::AuctionService::NewStub(normal_channel);
  auto slow_channel = make_small_window_channel(server.address());
  auto slow_stub = v1::AuctionService::NewStub(slow_channel);
  std::vector<std::shared_ptr<Trace>> normal_traces;
  std::vector<std::unique_ptr<AuctionWatch>> normal;
  for (int i = 0; i < kNormal; ++i) {
    normal_traces.push_back(std::make_shared<Trace>());
    normal.push_back(watch_auction(*normal_stub, id, {}, tracing(normal_traces.back())));
  }
  std::vector<std::shared_ptr<Trace>> slow_traces;
  std::vector<std::unique_ptr<AuctionWatch>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow_traces.push_back(std::make_shared<Trace>());
    auto options = tracing(slow_traces.back());
    options.pause_after = 1;  // the SNAPSHOT, then nothing
    slow.push_back(watch_auction(*slow_stub, id, {}, options));
  }
  ASSERT_TRUE(wait_all_count(normal, 1, 30s));
  ASSERT_TRUE(wait_all_count(slow, 1, 30s));

  const std::int64_t rss_before = rss_kib(server.pid());
  ASSERT_GT(rss_before, 0);
  std::atomic<std::int64_t> rss_peak{rss_before};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      rss_peak = std::max(rss_peak.load(), rss_kib(server.pid()));
      std::this_thread::sleep_for(20ms);
    }
  });
  const auto t0 = Clock::now();
  Ladder ladder;
  const std::vector<Ack> acks = bid_until(server.channel(), bidders, id, ladder, kBids, 180s);
  const double bid_s = seconds_since(t0);
  // Let the fan-out settle, then one more sample.
  ASSERT_TRUE(normal.front()->wait_count(1, 1ms));
  std::this_thread::sleep_for(1s);
  sampling = false;
  sampler.join();
  rss_peak = std::max(rss_peak.load(), rss_kib(server.pid()));
  ASSERT_EQ(acks.size(), static_cast<std::size_t>(kBids)) << "bidding took too long";
  auto view = c.get_auction(id);
  ASSERT_TRUE(view.ok()) << describe(view.status);
  const std::int64_t latest = view->version();
  ASSERT_EQ(latest, acks.back().version);

  const std::int64_t grown = rss_peak.load() - rss_before;
  std::cout << "[          ] " << kBids << " bids in " << bid_s << " s; server RSS " << rss_before
            << " KiB before, peak " << rss_peak.load() << " KiB (+" << grown << " KiB) with "
            << kSlow << " watchers not reading\n";
  if (lag_coalescing) {
    // The count limit is out of reach here: each slow watcher queues a
    // pointer per event until it reads again (the events themselves are
    // shared); the bound above is for the default limit.
  } else if (kSlowdown == 1) {
    EXPECT_LT(grown, kBoundKiB) << "the server buffers events for watchers that do not read";
  } else {
    // ASan keeps freed memory in quarantine and TSan shadows every
    // allocation: RSS says nothing about buffering there.
    std::cout << "[          ] sanitizer build: the RSS bound is not checked\n";
  }

  // Normal watchers: every version, each within 1 s of its bid's reply.
  for (std::size_t i = 0; i < normal.size(); ++i) {
    SCOPED_TRACE("normal watcher " + std::to_string(i));
    const Trace t = trace_of(*normal[i], normal_traces[i]);
    if (lag_coalescing) {
      EXPECT_EQ(check_jumps_are_snapshots(t, latest), "");
    } else {
      EXPECT_EQ(check_gapless(t, v0, latest), "");
    }
    std::map<std::int64_t, Clock::time_point> first_at;  // version -> first arrival covering it
    for (const auto& s : t) {
      if (s.type != Update::HEARTBEAT && !first_at.contains(s.version)) first_at[s.version] = s.at;
    }
    int late = 0;
    double worst = 0;
    for (const Ack& a : acks) {
      auto it = first_at.lower_bound(a.version);
      if (it == first_at.end()) {
        ++late;
        continue;
      }
      const double delay = std::chrono::duration<double>(it->second - a.at).count();
      worst = std::max(worst, delay);
      if (delay > 1.0 * kSlowdown) ++late;
    }
    EXPECT_EQ(late, 0) << late << " of " << acks.size() << " bids reached this watcher more than "
                       << kSlowdown << " s after their reply";
    std::cout << "[          ] normal watcher " << i << ": worst delay after the bid's reply "
              << worst * 1000 << " ms\n";
  }

  // Slow watchers read again: whatever was in flight, then a SNAPSHOT with a
  // version jump, ending at the latest version.
  for (auto& w : slow) w->resume();
  const auto deadline = Clock::now() + 30s;
  int reached_latest = 0;
  for (std::size_t i = 0; i < slow.size(); ++i) {
    for (;;) {
      const Trace t = trace_of(*slow[i], slow_traces[i]);
      const bool at_latest = std::any_of(t.begin(), t.end(), [&](const Seen& s) {
        return s.type != Update::HEARTBEAT && s.version >= latest;
      });
      if (at_latest) {
        ++reached_latest;
        break;
      }
      if (Clock::now() >= deadline || slow[i]->done()) break;
      std::this_thread::sleep_for(10ms);
    }
  }
  EXPECT_EQ(reached_latest, kSlow)
      << "slow watchers that never caught up with v" << latest << " within 30 s of reading again";
  std::size_t min_before = SIZE_MAX;
  std::size_t max_before = 0;
  int with_jump = 0;
  for (std::size_t i = 0; i < slow.size(); ++i) {
    const Trace t = without_heartbeats(trace_of(*slow[i], slow_traces[i]));
    SCOPED_TRACE("slow watcher " + std::to_string(i) + ": " + describe_trace(t));
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(t[0].type, Update::SNAPSHOT);
    bool jumped = false;
    std::size_t before_jump = 0;
    for (std::size_t k = 1; k < t.size(); ++k) {
      ASSERT_GT(t[k].version, t[k - 1].version) << "versions go back or repeat at message " << k;
      if (t[k].version != t[k - 1].version + 1) {
        ASSERT_EQ(t[k].type, Update::SNAPSHOT) << "a version jump (v" << t[k - 1].version << " to v"
                                               << t[k].version << ") that is not a SNAPSHOT";
        if (!jumped) before_jump = k - 1;
        jumped = true;
      }
    }
    EXPECT_TRUE(jumped) << "no SNAPSHOT jump: the backlog of " << t.size() - 1
                        << " events was delivered event by event";
    EXPECT_EQ(t.back().version, latest);
    if (jumped) {
      ++with_jump;
      min_before = std::min(min_before, before_jump);
      max_before = std::max(max_before, before_jump);
    }
  }
  std::cout << "[          ] " << with_jump << " of " << kSlow
            << " slow watchers got a SNAPSHOT jump, after " << min_before << ".." << max_before
            << " buffered events\n";
}

TEST(Watch, WatchersThatStopReadingCostBoundedMemoryDelayNoOneAndResumeWithASnapshot) {
  slow_watchers_scenario({"--max-streams", "5000"}, false);
}

TEST(Watch, AWatcherBehindByMoreThanTheMaxLagGetsTheNewestSnapshotBeforeTheCountLimit) {
  // A count limit no watcher reaches: only the age of the pending updates
  // can replace a slow watcher's backlog with the newest SNAPSHOT.
  slow_watchers_scenario(
      {"--max-streams", "5000", "--watch-backlog", "100000", "--watch-max-lag-ms", "200"}, true);
}

TEST(Watch, AWatcherThatStopsReadingStillLearnsTheOutcome) {
  // The end is never coalesced away: a watcher that was not reading while
  // 1,000 bids and the end happened gets, once it reads again, the
  // outcome (AUCTION_ENDED) last and the stream ends OK.
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "100"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account buyer = c.register_user("buyer");
  const std::vector<Account> bidders = register_users(c, "bidder", 3);
  auto req = auction_request("Piano stool", 1000, 600s);
  req.set_buy_now_price(kBuyNowPrice);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  auto slow_channel = make_small_window_channel(server.address());
  auto slow_stub = v1::AuctionService::NewStub(slow_channel);
  StreamOptions<Update> options;
  options.pause_after = 1;
  auto slow = watch_auction(*slow_stub, id, {}, options);
  ASSERT_TRUE(slow->wait_count(1, 5s));
  Ladder ladder;
  auto acks = bid_until(server.channel(), bidders, id, ladder, 1000, 120s);
  ASSERT_EQ(acks.size(), 1000U);
  auto bought = c.buy_now(buyer.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  EXPECT_FALSE(slow->done()) << "the stream ended while its client was not reading";
  slow->resume();
  auto status = slow->wait_done(20s);
  ASSERT_TRUE(status.has_value()) << "the stream did not end after the auction did";
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(slow->messages());
  SCOPED_TRACE(describe(got));
  ASSERT_GE(got.size(), 2U);
  const Update& end = got.back();
  EXPECT_EQ(end.type(), Update::AUCTION_ENDED);
  EXPECT_EQ(end.version(), bought->auction().version());
  EXPECT_EQ(end.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(end.winner_id(), buyer.id);
  EXPECT_EQ(end.final_price(), kBuyNowPrice);
  for (std::size_t k = 1; k < got.size(); ++k) {
    ASSERT_GT(got[k].version(), got[k - 1].version());
    if (got[k].version() != got[k - 1].version() + 1) {
      EXPECT_EQ(got[k].type(), Update::SNAPSHOT) << "a version jump that is not a SNAPSHOT";
    }
  }
}

}  // namespace
}  // namespace auction::test
