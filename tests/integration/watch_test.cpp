// Live auction streams (SPEC section 5, issue 3): WatchAuction against the
// real auctiond and PostgreSQL.
//
// - 1,000 concurrent watchers of one auction under a stream of bids: each
//   sees its SNAPSHOT, then every version exactly once and in order, then
//   AUCTION_ENDED, then OK.
// - Watchers that stop reading while thousands of events are produced: the
//   server's memory stays bounded, the other watchers keep receiving within
//   1 s, and a slow one that reads again gets a SNAPSHOT with a version jump
//   up to the latest version.
// - Resume with from_version across a graceful restart and across a crash:
//   exactly the missed events, no gap or duplicate at the seam, then live ones.
// - Bad requests, an ended auction, cancel, heartbeats, the stream cap,
//   SIGTERM, and TIME_EXTENDED.
//
// Versions: +1 per state change (a bid, a soft-close extension, the end, a
// cancel), so a watcher can check that it missed nothing.
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

#include "tests/support/environment.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Update = v1::AuctionUpdate;

constexpr std::int64_t kBuyNowPrice = 1'000'000'000;  // far above any bid below

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Most tests here assert that a watcher sees every version: they turn
/// coalescing by age off (a sanitizer build can stall a stream for longer
/// than the default 50 ms) unless they set --watch-max-lag-ms themselves.
ServerOptions with_args(std::vector<std::string> args) {
  if (std::find(args.begin(), args.end(), "--watch-max-lag-ms") == args.end()) {
    args.insert(args.end(), {"--watch-max-lag-ms", "0"});
  }
  ServerOptions o;
  o.extra_args = std::move(args);
  return o;
}

/// Registers n users in parallel (password hashing is deliberately slow).
std::vector<Account> register_users(Client& c, const std::string& prefix, int n) {
  std::vector<Account> out(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < std::min(n, 4); ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < n; i = next++)
        out[static_cast<std::size_t>(i)] = c.register_user(prefix);
    });
  }
  for (auto& t : threads) t.join();
  return out;
}

/// Maxima that climb by 200.00 per bid: more than two increments at any
/// price (the largest increment is 100.00), so a bid is accepted unless
/// bids overtake each other on the way to the auction.
class Ladder {
 public:
  std::int64_t next() { return 1000 + 20000 * ++n_; }

 private:
  std::atomic<std::int64_t> n_{0};
};

/// One accepted bid as acknowledged.
struct Ack {
  std::int64_t version = 0;
  std::int64_t price = 0;
  std::string leader;
  Clock::time_point at;
};

/// Bids from `bidders` (one thread each) until exactly `target` bids were
/// accepted or `budget` is spent. Returns the acknowledged accepted bids, by
/// version.
std::vector<Ack> bid_until(const std::shared_ptr<grpc::Channel>& channel,
                           const std::vector<Account>& bidders, const std::string& auction_id,
                           Ladder& ladder, int target, std::chrono::seconds budget) {
  std::mutex mu;
  std::vector<Ack> acks;
  int accepted = 0;
  int in_flight = 0;  // accepted + in_flight <= target: never more than target
  int errors = 0;
  const auto give_up = Clock::now() + budget;
  std::vector<std::thread> threads;
  threads.reserve(bidders.size());
  for (const Account& bidder : bidders) {
    threads.emplace_back([&, bidder] {
      Client own(channel);
      for (;;) {
        bool full = false;
        {
          std::lock_guard lock(mu);
          if (accepted >= target || errors >= 10 || Clock::now() >= give_up) return;
          full = accepted + in_flight >= target;
          if (!full) ++in_flight;
        }
        if (full) {  // the last bids are in flight; one may be rejected
          std::this_thread::sleep_for(1ms);
          continue;
        }
        auto r = own.place_bid(bidder.token, auction_id, ladder.next());
        const auto at = Clock::now();
        std::lock_guard lock(mu);
        --in_flight;
        if (!r.ok()) {
          ++errors;
          ADD_FAILURE() << "PlaceBid: " << describe(r.status);
        } else if (r->accepted()) {
          ++accepted;
          acks.push_back(Ack{r->version(), r->current_price(), r->leading_bidder_id(), at});
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(acks.begin(), acks.end(),
            [](const Ack& a, const Ack& b) { return a.version < b.version; });
  return acks;
}

/// What a watcher saw, compactly (for streams with many messages).
struct Seen {
  Update::Type type = Update::TYPE_UNSPECIFIED;
  std::int64_t version = 0;
  std::int64_t price = 0;
  Clock::time_point at;
};
using Trace = std::vector<Seen>;

/// Options that record every message into `trace` (written under the
/// reader's lock; read it with reader.locked()).
StreamOptions<Update> tracing(const std::shared_ptr<Trace>& trace) {
  StreamOptions<Update> o;
  o.keep = false;
  o.on_message = [trace](const Update& u) {
    trace->push_back(Seen{u.type(), u.version(), u.current_price(), Clock::now()});
  };
  return o;
}

Trace trace_of(const AuctionWatch& w, const std::shared_ptr<Trace>& trace) {
  return w.locked([&] { return *trace; });
}

Trace without_heartbeats(const Trace& t) {
  Trace out;
  for (const auto& s : t) {
    if (s.type != Update::HEARTBEAT) out.push_back(s);
  }
  return out;
}

std::string describe_trace(const Trace& t) {
  std::string out = "[";
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i == 40 && t.size() > 50) {
      out += "... " + std::to_string(t.size() - 50) + " more ..., ";
      i = t.size() - 10;
    }
    out += Update::Type_Name(t[i].type) + " v" + std::to_string(t[i].version) + ", ";
  }
  return out + "]";
}

/// The first problem with a watcher's trace that should be: SNAPSHOT at
/// `snapshot_version`, then every version up to `last_version` exactly once
/// and in order, heartbeats carrying the latest version sent; "" when fine.
std::string check_gapless(const Trace& trace, std::int64_t snapshot_version,
                          std::int64_t last_version) {
  if (trace.empty()) return "no message at all";
  if (trace[0].type != Update::SNAPSHOT)
    return "first message is not a SNAPSHOT: " + describe_trace(trace);
  if (trace[0].version != snapshot_version) {
    return "SNAPSHOT at v" + std::to_string(trace[0].version) + ", expected v" +
           std::to_string(snapshot_version);
  }
  std::int64_t last = trace[0].version;
  for (std::size_t i = 1; i < trace.size(); ++i) {
    const Seen& s = trace[i];
    if (s.type == Update::HEARTBEAT) {
      if (s.version != last) {
        return "HEARTBEAT v" + std::to_string(s.version) + " after v" + std::to_string(last);
      }
      continue;
    }
    if (s.type == Update::SNAPSHOT) return "unexpected SNAPSHOT at message " + std::to_string(i);
    if (s.version != last + 1) {
      return "v" + std::to_string(s.version) + " (" + Update::Type_Name(s.type) + ") after v" +
             std::to_string(last) + ": " + describe_trace(trace);
    }
    last = s.version;
  }
  if (last != last_version) {
    return "last version v" + std::to_string(last) + ", expected v" + std::to_string(last_version);
  }
  return "";
}

/// Versions only rise, every jump is a SNAPSHOT, and the last is `last_version`.
std::string check_jumps_are_snapshots(const Trace& trace, std::int64_t last_version) {
  const Trace t = without_heartbeats(trace);
  if (t.empty()) return "no messages";
  for (std::size_t k = 1; k < t.size(); ++k) {
    if (t[k].version <= t[k - 1].version) {
      return "v" + std::to_string(t[k].version) + " after v" + std::to_string(t[k - 1].version);
    }
    if (t[k].version != t[k - 1].version + 1 && t[k].type != Update::SNAPSHOT) {
      return "a jump to v" + std::to_string(t[k].version) + " that is not a SNAPSHOT";
    }
  }
  if (t.back().version != last_version) {
    return "ends at v" + std::to_string(t.back().version) + ", not v" +
           std::to_string(last_version);
  }
  return "";
}

/// Waits (bounded) until every watcher has at least n messages.
bool wait_all_count(const std::vector<std::unique_ptr<AuctionWatch>>& watchers, std::size_t n,
                    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (const auto& w : watchers) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!w->wait_count(n, std::max(left, 0ms))) return false;
  }
  return true;
}

/// Non-heartbeat messages of a kept stream.
std::vector<Update> changes(const std::vector<Update>& all) {
  std::vector<Update> out;
  for (const auto& u : all) {
    if (u.type() != Update::HEARTBEAT) out.push_back(u);
  }
  return out;
}

/// A predicate: a non-heartbeat message at version >= v arrived.
auto reached(std::int64_t v) {
  return [v](const std::vector<Update>& all) {
    return std::any_of(all.begin(), all.end(), [v](const Update& u) {
      return u.type() != Update::HEARTBEAT && u.version() >= v;
    });
  };
}

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
      if (s.type != Update::HEARTBEAT && first_at.count(s.version) == 0) first_at[s.version] = s.at;
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
  std::size_t min_before = SIZE_MAX, max_before = 0;
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
  ASSERT_EQ(acks.size(), 1000u);
  auto bought = c.buy_now(buyer.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  EXPECT_FALSE(slow->done()) << "the stream ended while its client was not reading";
  slow->resume();
  auto status = slow->wait_done(20s);
  ASSERT_TRUE(status.has_value()) << "the stream did not end after the auction did";
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(slow->messages());
  SCOPED_TRACE(describe(got));
  ASSERT_GE(got.size(), 2u);
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

// --------------------------------------------------------------- resuming

/// A watcher sees the first bids and goes away; bids are placed while it is
/// away, the server restarts (SIGTERM or kill -9), more bids come; the
/// watcher resumes from the last version it saw while bids keep coming.
void resume_across_restart(bool crash) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "100"}));
  Db& db = shared_db();
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  const Account buyer = c->register_user("buyer");
  const std::vector<Account> bidders = register_users(*c, "bidder", 2);
  auto req = auction_request("Grandfather clock", 1000, 600s);
  req.set_buy_now_price(kBuyNowPrice);
  auto created = c->create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  Ladder ladder;

  auto first_channel = make_channel(server.address());
  auto first_stub = v1::AuctionService::NewStub(first_channel);
  auto first = watch_auction(*first_stub, id);
  auto seen = bid_until(server.channel(), bidders, id, ladder, 5, 30s);
  ASSERT_EQ(seen.size(), 5u);
  ASSERT_TRUE(first->wait_for(reached(seen.back().version), 5s)) << describe(first->messages());
  first->cancel();
  ASSERT_TRUE(first->wait_done(5s).has_value());
  const auto first_msgs = changes(first->messages());
  const std::int64_t last_seen = first_msgs.back().version();
  ASSERT_EQ(last_seen, seen.back().version);

  // Missed while away, before the restart.
  auto missed = bid_until(server.channel(), bidders, id, ladder, 5, 30s);
  ASSERT_EQ(missed.size(), 5u);
  // A watcher still open at the restart.
  auto open_channel = make_channel(server.address());
  auto open_stub = v1::AuctionService::NewStub(open_channel);
  auto open = watch_auction(*open_stub, id);
  ASSERT_TRUE(open->wait_count(1, 5s));
  c.reset();
  if (crash) {
    server.kill9();
  } else {
    EXPECT_EQ(server.stop(), 0) << "SIGTERM is a graceful shutdown with exit status 0";
  }
  auto open_status = open->wait_done(10s);
  ASSERT_TRUE(open_status.has_value()) << "a stream stays open after the server went away";
  EXPECT_EQ(open_status->error_code(), grpc::StatusCode::UNAVAILABLE) << describe(*open_status);
  server.restart();
  Client c2(server.channel());

  // Missed while away, after the restart.
  auto missed_after = bid_until(server.channel(), bidders, id, ladder, 5, 30s);
  ASSERT_EQ(missed_after.size(), 5u);

  // Resume while bids keep coming (across the seam between stored and live
  // events), then buy it now: the stream ends with AUCTION_ENDED and OK.
  std::vector<Ack> live;
  std::atomic<bool> resumed{false};
  std::thread bidding([&] {
    while (!resumed) std::this_thread::sleep_for(1ms);
    live = bid_until(server.channel(), bidders, id, ladder, 20, 30s);
  });
  auto resume_channel = make_channel(server.address());
  auto resume_stub = v1::AuctionService::NewStub(resume_channel);
  auto again = watch_auction(*resume_stub, id, last_seen);
  resumed = true;
  bidding.join();
  ASSERT_EQ(live.size(), 20u);
  auto bought = c2.buy_now(buyer.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  const std::int64_t final_version = bought->auction().version();
  auto status = again->wait_done(10s);
  ASSERT_TRUE(status.has_value()) << "the resumed stream did not end after the buy-now: "
                                  << describe(again->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);

  const auto got = changes(again->messages());
  SCOPED_TRACE("resumed from v" + std::to_string(last_seen) + ": " + describe(got));
  ASSERT_FALSE(got.empty());
  EXPECT_NE(got.front().type(), Update::SNAPSHOT)
      << "the missed events are all stored, so no SNAPSHOT is needed";
  // Exactly the versions after last_seen, each once, in order, to the end.
  ASSERT_EQ(got.size(), static_cast<std::size_t>(final_version - last_seen));
  const auto stored = db.events(to_id(id));
  std::map<std::int64_t, StoredEvent> by_version;
  for (const auto& e : stored) by_version[e.version] = e;
  for (std::size_t k = 0; k < got.size(); ++k) {
    const Update& u = got[k];
    ASSERT_EQ(u.version(), last_seen + 1 + static_cast<std::int64_t>(k));
    ASSERT_EQ(by_version.count(u.version()), 1u) << "v" << u.version() << " is not stored";
    const StoredEvent& e = by_version[u.version()];
    const bool last = k + 1 == got.size();
    EXPECT_EQ(u.type(), last ? Update::AUCTION_ENDED : Update::BID_PLACED) << describe(u);
    EXPECT_EQ(e.type, last ? "ENDED" : "BID_PLACED");
    EXPECT_EQ(u.current_price(), e.price) << describe(u);
    EXPECT_EQ(u.auction_id(), id);
  }
  const auto& end = got.back();
  EXPECT_EQ(end.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(end.winner_id(), buyer.id);
  EXPECT_EQ(end.final_price(), kBuyNowPrice);
}

TEST(Watch, ResumeFromVersionAcrossAGracefulRestartGetsExactlyTheMissedEventsThenLiveOnes) {
  resume_across_restart(false);
}

TEST(Watch, ResumeFromVersionAcrossACrashGetsExactlyTheMissedEventsThenLiveOnes) {
  resume_across_restart(true);
}

/// The resumed stream `got` (heartbeats left out) continues exactly after
/// `from`: either the events from from+1 on, or one SNAPSHOT (events no
/// longer kept) and the events after it; then every version once, in order,
/// to `last`. Returns "" when so.
std::string check_resumed(const std::vector<Update>& got, std::int64_t from, std::int64_t last) {
  if (got.empty()) return "nothing after resuming";
  std::int64_t v = from;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Update& u = got[i];
    const bool snapshot_start = i == 0 && u.type() == Update::SNAPSHOT && u.version() > from;
    if (!snapshot_start && u.version() != v + 1) {
      return describe(u) + " after v" + std::to_string(v) + " in " + describe(got);
    }
    if (!snapshot_start && u.type() == Update::SNAPSHOT) return "a SNAPSHOT inside the events";
    v = u.version();
  }
  if (v != last) return "ends at v" + std::to_string(v) + ", expected v" + std::to_string(last);
  return "";
}

TEST(Watch, ResumeWithoutARestartIsSeamlessWhileBidsContinue) {
  // Served from the auction's memory while another watcher is connected.
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "100"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account buyer = c.register_user("buyer");
  const std::vector<Account> bidders = register_users(c, "bidder", 2);
  auto req = auction_request("Chess set", 1000, 600s);
  req.set_buy_now_price(kBuyNowPrice);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  Ladder ladder;
  auto witness = watch_auction(c.auctions(), id);  // keeps the auction watched throughout
  ASSERT_TRUE(witness->wait_count(1, 5s));

  // Up to date: from_version = the current version gives no SNAPSHOT, only
  // what comes next.
  auto first = bid_until(server.channel(), bidders, id, ladder, 10, 30s);
  ASSERT_EQ(first.size(), 10u);
  auto current = watch_auction(c.auctions(), id, first.back().version);
  auto next = bid_until(server.channel(), bidders, id, ladder, 1, 30s);
  ASSERT_EQ(next.size(), 1u);
  ASSERT_TRUE(current->wait_for(reached(next.back().version), 5s)) << describe(current->messages());
  EXPECT_EQ(describe(changes(current->messages())),
            "[BID_PLACED v" + std::to_string(next.back().version) + "]");

  // Resume 5 versions back while 30 more bids come in.
  const std::int64_t from = next.back().version - 5;
  std::vector<Ack> live;
  std::thread bidding([&] { live = bid_until(server.channel(), bidders, id, ladder, 30, 30s); });
  auto resumed = watch_auction(c.auctions(), id, from);
  bidding.join();
  ASSERT_EQ(live.size(), 30u);
  ASSERT_TRUE(resumed->wait_for(reached(live.back().version), 5s)) << describe(resumed->messages());
  const auto got = changes(resumed->messages());
  EXPECT_EQ(check_resumed(got, from, live.back().version), "");
  EXPECT_NE(got.front().type(), Update::SNAPSHOT)
      << "5 versions back are kept; resumed from v" << from << ": " << describe(got);

  // Far behind (more events than a server keeps for replay, if it has such a
  // limit): exact events or a SNAPSHOT, and nothing missing after it.
  auto many = bid_until(server.channel(), bidders, id, ladder, 1100, 120s);
  ASSERT_EQ(many.size(), 1100u);
  auto far = watch_auction(c.auctions(), id, 2);
  ASSERT_TRUE(far->wait_count(1, 10s));  // registered before the end
  auto bought = c.buy_now(buyer.token, id);
  ASSERT_TRUE(bought.ok()) << describe(bought.status);
  const std::int64_t final_version = bought->auction().version();
  auto status = far->wait_done(20s);
  ASSERT_TRUE(status.has_value()) << describe(far->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto far_got = changes(far->messages());
  EXPECT_EQ(check_resumed(far_got, 2, final_version), "");
  EXPECT_EQ(far_got.back().type(), Update::AUCTION_ENDED);
  std::cout << "[          ] resuming " << final_version - 3 << " versions back starts with "
            << describe(far_got.front()) << "\n";
  // The witness saw everything, once, in order.
  ASSERT_TRUE(witness->wait_done(5s).has_value());
  Trace t;
  for (const auto& u : witness->messages()) t.push_back(Seen{u.type(), u.version(), 0, {}});
  EXPECT_EQ(check_gapless(t, created->version(), final_version), "");
}

TEST(Watch, ResumingAfterTheEndGetsTheMissedEventsAndTheEndThenOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created =
      c.create_auction(seller.token, auction_request("Telescope", 1000, 2500ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  auto w = watch_auction(c.auctions(), id);
  auto a = c.place_bid(alice.token, id, 2000);
  ASSERT_TRUE(a.ok() && a->accepted());
  ASSERT_TRUE(w->wait_for(reached(a->version()), 5s)) << describe(w->messages());
  w->cancel();  // the watcher's connection drops
  ASSERT_TRUE(w->wait_done(5s).has_value());
  auto b = c.place_bid(bob.token, id, 3000);
  ASSERT_TRUE(b.ok() && b->accepted());
  auto closed = wait_until_closed(c, id, 10s * kSlowdown);
  ASSERT_EQ(closed->auction().status(), v1::AUCTION_STATUS_ENDED);

  auto again = watch_auction(c.auctions(), id, a->version());
  auto status = again->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "the resumed stream of an ended auction stays open: "
                                  << describe(again->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(again->messages());
  EXPECT_EQ(check_resumed(got, a->version(), closed->version()), "");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().type() == Update::AUCTION_ENDED || got.back().type() == Update::SNAPSHOT,
            true)
      << describe(got);
  EXPECT_EQ(got.back().winner_id(), bob.id);
  EXPECT_EQ(got.back().outcome(), v1::OUTCOME_SOLD);
}

TEST(Watch, HeartbeatsCarryTheLatestVersionSentAndTheTimeRemaining) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--watch-heartbeat-ms", "300"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  auto created = c.create_auction(seller.token, auction_request("Metronome", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  auto heartbeats_after = [](std::int64_t v) {
    return [v](const std::vector<Update>& all) {
      return std::count_if(all.begin(), all.end(), [v](const Update& u) {
               return u.type() == Update::HEARTBEAT && u.version() == v;
             }) >= 2;
    };
  };
  ASSERT_TRUE(w->wait_for(heartbeats_after(created->version()), 3s)) << describe(w->messages());
  auto a = c.place_bid(alice.token, created->id(), 2000);
  ASSERT_TRUE(a.ok() && a->accepted());
  ASSERT_TRUE(w->wait_for(heartbeats_after(a->version()), 3s)) << describe(w->messages());
  Trace t;
  for (const auto& u : w->messages()) t.push_back(Seen{u.type(), u.version(), 0, {}});
  EXPECT_EQ(check_gapless(t, created->version(), a->version()), "")
      << "a heartbeat carries the latest version sent";
  std::int64_t previous_remaining = INT64_MAX;
  for (const auto& u : w->messages()) {
    if (u.type() != Update::HEARTBEAT) continue;
    const std::int64_t remaining = to_us(u.time_remaining());
    EXPECT_GT(remaining, 590'000'000);
    EXPECT_LE(remaining, previous_remaining) << "time_remaining counts down";
    previous_remaining = remaining;
    EXPECT_EQ(to_us(u.ends_at()), to_us(created->end_time()));
  }
}

// ------------------------------------------------------- smaller contracts

TEST(Watch, UnknownMalformedAndBadFromVersionAreRefused) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  auto created = c.create_auction(seller.token, auction_request("Vase", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  struct Case {
    std::string name;
    std::string id;
    std::optional<std::int64_t> from_version;
    grpc::StatusCode expected;
  };
  const std::vector<Case> cases = {
      {"unknown id", "987654321", std::nullopt, grpc::StatusCode::NOT_FOUND},
      {"malformed id", "12ab", std::nullopt, grpc::StatusCode::INVALID_ARGUMENT},
      {"empty id", "", std::nullopt, grpc::StatusCode::INVALID_ARGUMENT},
      {"negative from_version", created->id(), -1, grpc::StatusCode::INVALID_ARGUMENT},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    auto w = watch_auction(c.auctions(), k.id, k.from_version);
    auto status = w->wait_done(5s);
    ASSERT_TRUE(status.has_value()) << "the stream stays open: " << describe(w->messages());
    EXPECT_EQ(status->error_code(), k.expected) << describe(*status);
    EXPECT_FALSE(status->error_message().empty());
    EXPECT_EQ(w->count(), 0u) << describe(w->messages());
  }
}

TEST(Watch, AnEndedAuctionGivesItsFinalSnapshotAndEndsOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  auto created = c.create_auction(seller.token, auction_request("Lamp", 1000, 1500ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto bid = c.place_bid(alice.token, created->id(), 2000);
  ASSERT_TRUE(bid.ok() && bid->accepted()) << describe(bid.status);
  auto closed = wait_until_closed(c, created->id(), 10s * kSlowdown);
  ASSERT_EQ(closed->auction().status(), v1::AUCTION_STATUS_ENDED);

  auto w = watch_auction(c.auctions(), created->id());
  auto status = w->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "the stream of an ended auction stays open: "
                                  << describe(w->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = w->messages();
  ASSERT_EQ(got.size(), 1u) << describe(got);
  const Update& s = got[0];
  EXPECT_EQ(s.type(), Update::SNAPSHOT);
  EXPECT_EQ(s.version(), closed->version());
  EXPECT_EQ(s.auction().status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(s.auction().outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(s.auction().winner_id(), alice.id);
  EXPECT_EQ(s.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(s.winner_id(), alice.id);
  EXPECT_EQ(s.final_price(), 1000);
  EXPECT_EQ(to_us(s.time_remaining()), 0);
}

TEST(Watch, AnAuctionEndingByItsTimerSendsAuctionEndedOnTimeThenOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Radio", 1000, 3000ms * kSlowdown));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  auto w = watch_auction(c.auctions(), id);
  ASSERT_TRUE(w->wait_count(1, 5s));
  auto a = c.place_bid(alice.token, id, 2000);
  auto b = c.place_bid(bob.token, id, 3000);
  ASSERT_TRUE(a.ok() && a->accepted() && b.ok() && b->accepted());
  auto status = w->wait_done(10s * kSlowdown);
  const std::int64_t done_us = now_us();
  ASSERT_TRUE(status.has_value()) << describe(w->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(w->messages());
  ASSERT_EQ(got.size(), 4u) << describe(got);
  EXPECT_EQ(got[0].type(), Update::SNAPSHOT);
  EXPECT_EQ(got[0].auction().title(), "Radio");
  EXPECT_EQ(got[0].auction().status(), v1::AUCTION_STATUS_ACTIVE);
  EXPECT_EQ(got[1].type(), Update::BID_PLACED);
  EXPECT_EQ(got[1].version(), a->version());
  EXPECT_EQ(got[1].current_price(), 1000);
  EXPECT_EQ(got[1].leading_bidder_id(), alice.id);
  EXPECT_EQ(got[1].leading_bidder_name(), alice.display_name);
  EXPECT_EQ(got[1].bid_count(), 1);
  EXPECT_EQ(got[1].minimum_next_bid(), 1050);
  EXPECT_EQ(got[1].currency(), "USD");
  EXPECT_EQ(got[2].type(), Update::BID_PLACED);
  EXPECT_EQ(got[2].version(), b->version());
  EXPECT_EQ(got[2].current_price(), 2050);
  EXPECT_EQ(got[2].leading_bidder_id(), bob.id);
  const Update& end = got[3];
  EXPECT_EQ(end.type(), Update::AUCTION_ENDED);
  EXPECT_EQ(end.version(), b->version() + 1);
  EXPECT_EQ(end.outcome(), v1::OUTCOME_SOLD);
  EXPECT_EQ(end.winner_id(), bob.id);
  EXPECT_EQ(end.winner_name(), bob.display_name);
  EXPECT_EQ(end.final_price(), 2050);
  const std::int64_t end_us = to_us(created->end_time());
  EXPECT_EQ(to_us(end.ends_at()), end_us);
  EXPECT_LT(done_us - end_us, std::int64_t{1'000'000} * kSlowdown)
      << "the end reached the watcher more than 1 s late";
}

TEST(Watch, ACancelSendsAuctionCancelledThenOk) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  auto created = c.create_auction(seller.token, auction_request("Chair", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  ASSERT_TRUE(w->wait_count(1, 5s));
  auto cancelled = c.cancel_auction(seller.token, created->id());
  ASSERT_TRUE(cancelled.ok()) << describe(cancelled.status);
  auto status = w->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << describe(w->messages());
  EXPECT_TRUE(status->ok()) << describe(*status);
  const auto got = changes(w->messages());
  ASSERT_EQ(got.size(), 2u) << describe(got);
  EXPECT_EQ(got[0].type(), Update::SNAPSHOT);
  EXPECT_EQ(got[1].type(), Update::AUCTION_CANCELLED);
  EXPECT_EQ(got[1].version(), cancelled->version());
  EXPECT_EQ(got[1].version(), got[0].version() + 1);
}

TEST(Watch, AnIdleAuctionGetsAHeartbeatAtLeastEveryFiveSecondsWithTimeRemaining) {
  // The shared server runs with the default heartbeat interval.
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  auto created = c.create_auction(seller.token, auction_request("Clock", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  ASSERT_TRUE(w->wait_count(1, 5s));
  const std::int64_t snapshot_version = w->messages().front().version();
  const std::int64_t end_us = to_us(created->end_time());
  auto heartbeats = [](const std::vector<Update>& all) {
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [](const Update& u) { return u.type() == Update::HEARTBEAT; }));
  };
  auto last_at = Clock::now();
  for (std::size_t n = 1; n <= 2; ++n) {
    SCOPED_TRACE("heartbeat " + std::to_string(n));
    ASSERT_TRUE(w->wait_for([&](const auto& all) { return heartbeats(all) >= n; }, 5500ms))
        << "no heartbeat within 5 s: " << describe(w->messages());
    const auto now = Clock::now();
    EXPECT_LE(now - last_at, 5250ms);
    last_at = now;
    Update hb;
    for (const auto& u : w->messages()) {
      if (u.type() == Update::HEARTBEAT) hb = u;
    }
    EXPECT_EQ(hb.version(), snapshot_version);
    EXPECT_EQ(hb.auction_id(), created->id());
    EXPECT_EQ(to_us(hb.ends_at()), end_us);
    const std::int64_t remaining = to_us(hb.time_remaining());
    const std::int64_t expected = end_us - now_us();
    EXPECT_GT(remaining, 0);
    EXPECT_NEAR(static_cast<double>(remaining), static_cast<double>(expected), 1e6)
        << "time_remaining is the time until ends_at";
    EXPECT_NEAR(static_cast<double>(to_us(hb.server_time())), static_cast<double>(now_us()), 1e6);
  }
  EXPECT_FALSE(w->done());
}

TEST(Watch, StreamsBeyondTheCapAreResourceExhausted) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(),
                       with_args({"--max-streams", "5"}));
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Rug", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();

  // Four auction streams and one notification stream: the cap covers both.
  std::vector<std::unique_ptr<AuctionWatch>> open;
  open.reserve(4);
  for (int i = 0; i < 4; ++i) open.push_back(watch_auction(c.auctions(), id));
  ASSERT_TRUE(wait_all_count(open, 1, 10s));
  auto notes = watch_notifications(c.users(), alice.token);
  // The notification stream is open once it delivers: Alice is outbid.
  std::int64_t delivered_version = 0;
  for (int attempt = 0; attempt < 20 && notes->count() == 0 && !notes->done(); ++attempt) {
    auto a = c.place_bid(alice.token, id, 2000 + 10000 * attempt);
    auto b = c.place_bid(bob.token, id, 7000 + 10000 * attempt);
    ASSERT_TRUE(a.ok() && b.ok());
    delivered_version = b->version();
    notes->wait_count(1, 500ms);
  }
  ASSERT_EQ(notes->count(), 1u) << "the notification stream delivered nothing (v"
                                << delivered_version << ")";

  auto sixth = watch_auction(c.auctions(), id);
  auto status = sixth->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "a 6th stream was let in: " << describe(sixth->messages());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << describe(*status);
  EXPECT_FALSE(status->error_message().empty());
  auto sixth_notes = watch_notifications(c.users(), bob.token, 0);
  status = sixth_notes->wait_done(5s);
  ASSERT_TRUE(status.has_value()) << "a 6th stream was let in";
  EXPECT_EQ(status->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << describe(*status);
  // Unary calls are not affected.
  EXPECT_TRUE(c.get_auction(id).ok());

  // A closed stream frees its place.
  open.front()->cancel();
  ASSERT_TRUE(open.front()->wait_done(5s).has_value());
  std::unique_ptr<AuctionWatch> later;
  const auto deadline = Clock::now() + 5s;
  do {
    later = watch_auction(c.auctions(), id);
    later->wait_count(1, 1s);
  } while (later->count() == 0 && Clock::now() < deadline);
  EXPECT_EQ(later->count(), 1u) << "no stream let in 5 s after one closed: "
                                << (later->status() ? describe(*later->status()) : "still open");
  EXPECT_FALSE(later->done());
}

TEST(Watch, SigtermEndsOpenStreamsUnavailableAndTheServerExitsZero) {
  ServerProcess server(shared_cluster().url(), shared_cluster().dir(), with_args({}));
  auto c = std::make_unique<Client>(server.channel());
  const Account seller = c->register_user("seller");
  const Account alice = c->register_user("alice");
  auto created = c->create_auction(seller.token, auction_request("Mirror", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto channel = make_channel(server.address());
  auto stub = v1::AuctionService::NewStub(channel);
  auto user_stub = v1::UserService::NewStub(channel);
  std::vector<std::unique_ptr<AuctionWatch>> watchers;
  watchers.reserve(3);
  for (int i = 0; i < 3; ++i) watchers.push_back(watch_auction(*stub, created->id()));
  ASSERT_TRUE(wait_all_count(watchers, 1, 10s));
  // A notification stream, open for sure once it has delivered Alice's OUTBID.
  const Account bob = c->register_user("bob");
  auto a = c->place_bid(alice.token, created->id(), 2000);
  auto b = c->place_bid(bob.token, created->id(), 3000);
  ASSERT_TRUE(a.ok() && b.ok() && b->leading());
  auto notes = watch_notifications(*user_stub, alice.token, 0);
  ASSERT_TRUE(notes->wait_count(1, 5s));
  ASSERT_TRUE(wait_all_count(watchers, 3, 5s));
  c.reset();
  const auto t0 = Clock::now();
  EXPECT_EQ(server.stop(), 0) << "SIGTERM is a graceful shutdown with exit status 0";
  const double stop_s = seconds_since(t0);
  for (const auto& w : watchers) {
    auto status = w->wait_done(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE) << describe(*status);
  }
  auto status = notes->wait_done(5s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE) << describe(*status);
  std::cout << "[          ] SIGTERM with 4 open streams: exited after " << stop_s << " s\n";
}

TEST(Watch, ABidInsideTheSoftCloseWindowSendsTimeExtended) {
  Client& c = shared_client();
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  // Every bid is inside the 60 s window of a 30 s auction; it moves the end
  // to bid time + 120 s.
  auto req = auction_request("Sculpture", 1000, 30s);
  req.mutable_soft_close_window()->set_seconds(60);
  req.mutable_soft_close_extension()->set_seconds(120);
  auto created = c.create_auction(seller.token, req);
  ASSERT_TRUE(created.ok()) << describe(created.status);
  auto w = watch_auction(c.auctions(), created->id());
  ASSERT_TRUE(w->wait_count(1, 5s));
  const std::int64_t before_us = now_us();
  auto bid = c.place_bid(alice.token, created->id(), 2000);
  const std::int64_t after_us = now_us();
  ASSERT_TRUE(bid.ok() && bid->accepted()) << describe(bid.status);
  ASSERT_TRUE(w->wait_for(reached(bid->version()), 5s)) << describe(w->messages());
  const auto got = changes(w->messages());
  ASSERT_EQ(got.size(), 3u) << describe(got);
  EXPECT_EQ(got[1].type(), Update::BID_PLACED);
  EXPECT_EQ(got[1].version(), got[0].version() + 1);
  const Update& ext = got[2];
  EXPECT_EQ(ext.type(), Update::TIME_EXTENDED);
  EXPECT_EQ(ext.version(), got[0].version() + 2);
  EXPECT_EQ(ext.version(), bid->version()) << "the bid's reply carries the version after both";
  EXPECT_EQ(to_us(ext.ends_at()), to_us(bid->ends_at()));
  EXPECT_GE(to_us(ext.ends_at()), before_us + 120'000'000);
  EXPECT_LE(to_us(ext.ends_at()), after_us + 120'000'000);
  EXPECT_FALSE(ext.extension_reason().empty());
  EXPECT_EQ(ext.current_price(), 1000);
  EXPECT_EQ(ext.leading_bidder_id(), alice.id);
  auto view = c.get_auction(created->id());
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(to_us(view->auction().end_time()), to_us(ext.ends_at()));
}

}  // namespace
}  // namespace auction::test
