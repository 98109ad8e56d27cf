// Crash suite (issue 4, SPEC section 6): concurrent bidders on many auctions
// while auctiond is killed with SIGKILL at random moments and restarted, again
// and again. Every call is recorded by the HistoryChecker, which afterwards
// proves that no acknowledged bid was lost or changed, that the stored history
// is exactly what the rules give, and that every call cut off by a crash
// resolves, retried with its idempotency key, to exactly one stored bid.
//
// Timers across crashes: auctions whose end passes while the server is down
// must end at once when it comes back, with their scheduled end recorded
// (ended_at == end_time, checked for every auction by the checker).
//
// Watchers: a few WatchAuction clients follow random auctions to their end,
// reconnecting with from_version after every crash (and every 3 s); the
// checker sees every message: versions never go backwards, no event is
// skipped or repeated across reconnects, each event matches the stored one,
// and every stream that ends OK has shown AUCTION_ENDED.
//
// Cycles: 20 by default; `--cycles N` on the binary or AUCTION_FAULT_CYCLES=N
// for long runs (see fault_main.cpp). Each cycle: wait for the first
// acknowledged bid of the new process, let it serve 0.1-1.5 s, kill -9, stay
// down 50-700 ms, restart. Every fourth cycle instead kills just before an
// auction's end and restarts after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/fault/fault_options.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/history_checker.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kBidders = 6;
constexpr int kWatchers = 6;
constexpr int kInitialAuctions = 50;
constexpr std::size_t kMinLiveAuctions = 20;  // top up below this
constexpr int kTopUp = 20;
constexpr auto kBidDeadline = 2s;

/// What the bidders share with the main thread: the channel to the current
/// server process and the auctions they may bid on.
class Fleet {
 public:
  void publish(std::shared_ptr<grpc::Channel> channel) {
    std::lock_guard lock(mu_);
    channel_ = std::move(channel);
    ++generation_;
  }
  std::uint64_t generation() const {
    std::lock_guard lock(mu_);
    return generation_;
  }
  std::shared_ptr<grpc::Channel> channel() const {
    std::lock_guard lock(mu_);
    return channel_;
  }

  void add(const std::string& id) {
    std::lock_guard lock(mu_);
    live_.push_back(id);
  }
  void ended(const std::string& id) {
    std::lock_guard lock(mu_);
    live_.erase(std::remove(live_.begin(), live_.end(), id), live_.end());
  }
  /// A random auction believed to be open, or nothing.
  std::optional<std::string> pick(std::mt19937_64& rng) const {
    std::lock_guard lock(mu_);
    if (live_.empty()) return std::nullopt;
    return live_[std::uniform_int_distribution<std::size_t>(0, live_.size() - 1)(rng)];
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<grpc::Channel> channel_;
  std::uint64_t generation_ = 0;
  std::vector<std::string> live_;
};

/// The first acknowledgement after a restart.
struct Timeline {
  std::atomic<std::int64_t> spawn_us{0};
  std::atomic<std::int64_t> first_ack_us{0};

  void on_ack(std::int64_t done_us) {
    std::int64_t none = 0;
    if (done_us > spawn_us.load()) first_ack_us.compare_exchange_strong(none, done_us);
  }
};

struct Shared {
  Fleet fleet;
  Timeline timeline;
  HistoryChecker* checker = nullptr;
  std::atomic<bool> stop{false};        // bidders
  std::atomic<bool> watch_stop{false};  // watchers: later, they see the ends
  Clock::time_point hard_stop;
  // Watcher statistics.
  std::atomic<int> streams{0};              // that delivered at least one message
  std::atomic<int> resumed{0};              // of those, opened with from_version
  std::atomic<int> resumed_after_crash{0};  // of those, after the server was killed
  std::atomic<int> watched_to_end{0};       // auctions followed by a watcher to their end
  std::atomic<int> ended_without_end{0};    // streams ended OK but never showed the end
};

/// One bidder: bids on random live auctions, each bid with a fresh key; a
/// call whose outcome is unknown is retried with the same key (as a real
/// client would) until it gets an answer, for at most 60 attempts.
void run_bidder(const Account& me, std::uint64_t seed, Shared& shared) {
  std::mt19937_64 rng(seed);
  std::uint64_t generation = 0;
  std::unique_ptr<v1::AuctionService::Stub> stub;
  std::map<std::string, std::int64_t> min_next;  // from the last reply
  std::map<std::string, std::int64_t> my_max;    // my last accepted maximum
  struct Pending {
    std::string auction;
    std::int64_t amount = 0;
    std::string key;
    int attempts = 0;
  };
  std::optional<Pending> pending;
  int seq = 0;
  for (int n = 0; n < 5'000'000 && !shared.stop && Clock::now() < shared.hard_stop; ++n) {
    if (const auto g = shared.fleet.generation(); g != generation || !stub) {
      generation = g;
      stub = v1::AuctionService::NewStub(shared.fleet.channel());
    }
    if (!pending) {
      const auto auction = shared.fleet.pick(rng);
      if (!auction) {
        std::this_thread::sleep_for(20ms);
        continue;
      }
      const std::int64_t floor = std::max(min_next.contains(*auction) ? min_next[*auction] : 1000,
                                          my_max.contains(*auction) ? my_max[*auction] + 1 : 0);
      std::int64_t amount = floor + std::uniform_int_distribution<std::int64_t>(0, 300)(rng);
      if (std::uniform_int_distribution<int>(0, 19)(rng) == 0 && floor > 1) {
        amount = floor - 1;  // now and then too low, to be rejected
      }
      pending = Pending{*auction, amount, me.username + "-" + std::to_string(++seq), 0};
    }
    const BidCall c = shared.checker->place_bid(*stub, me.token, me.id, pending->auction,
                                                pending->amount, pending->key, kBidDeadline);
    if (c.outcome() == CallOutcome::kUnknown) {
      if (++pending->attempts >= 60) pending.reset();  // left to the checker
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(10, 40)(rng)));
      continue;
    }
    if (c.outcome() == CallOutcome::kAcknowledged) {
      shared.timeline.on_ack(c.done_us);
      min_next[pending->auction] = c.reply.minimum_next_bid();
      if (c.reply.accepted()) my_max[pending->auction] = pending->amount;
      if (c.reply.reject_reason() == v1::AUCTION_ENDED) shared.fleet.ended(pending->auction);
    }
    pending.reset();
  }
}

/// One watcher: watches a random live auction until its stream ends OK (the
/// auction ended), then another. Each connection has a 3 s deadline; after a
/// deadline or an error (the server was killed) it reconnects with
/// from_version = the last version it saw. Every message goes to the checker.
void run_watcher(int index, std::uint64_t seed, Shared& shared) {
  const std::string name = "watcher-" + std::to_string(index);
  std::mt19937_64 rng(seed);
  std::optional<std::string> auction;
  std::int64_t last = 0;
  bool after_crash = false;  // the last stream of this auction failed
  for (int n = 0; n < 100'000 && !shared.watch_stop && Clock::now() < shared.hard_stop; ++n) {
    if (!auction) {
      auction = shared.fleet.pick(rng);
      last = 0;
      after_crash = false;
      if (!auction) {
        std::this_thread::sleep_for(50ms);
        continue;
      }
    }
    auto stub = v1::AuctionService::NewStub(shared.fleet.channel());
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 3s);
    v1::WatchAuctionRequest req;
    req.set_auction_id(*auction);
    if (last > 0) req.set_from_version(last);
    shared.checker->record_watch_connect(name, *auction, last);
    auto reader = stub->WatchAuction(&ctx, req);
    v1::AuctionUpdate u;
    int received = 0;
    while (reader->Read(&u)) {
      shared.checker->record_watch_update(name, u);
      last = std::max(last, u.version());
      ++received;
    }
    const grpc::Status status = reader->Finish();
    if (received > 0) {
      ++shared.streams;
      if (req.has_from_version()) ++shared.resumed;
      if (req.has_from_version() && after_crash) ++shared.resumed_after_crash;
    }
    if (status.ok()) {
      if (shared.checker->watcher_saw_end(name, *auction)) {
        if (req.has_from_version() || received > 1) ++shared.watched_to_end;
      } else {
        ++shared.ended_without_end;
        std::cerr << name << ": the stream of auction " << *auction
                  << " ended OK without AUCTION_ENDED\n";
      }
      shared.fleet.ended(*auction);
      auction.reset();
      after_crash = false;
      continue;
    }
    if (received > 0) after_crash = false;
    if (status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      after_crash = true;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 60)(rng)));
    }
  }
}

std::int64_t percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(std::lround(p * static_cast<double>(v.size() - 1)))];
}

std::string min_median_max_ms(const std::vector<std::int64_t>& us) {
  auto ms = [](std::int64_t v) {
    return std::to_string(v / 1000) + "." + std::to_string(v / 100 % 10);
  };
  return ms(percentile(us, 0)) + " / " + ms(percentile(us, 0.5)) + " / " + ms(percentile(us, 1)) +
         " ms";
}

/// Auctions of ours that are still OPEN in the database.
std::size_t open_count(Db& db, const std::string& id_list) {
  return static_cast<std::size_t>(db.scalar(
      "SELECT count(*) FROM auctions WHERE phase = 'OPEN' AND id = ANY('{" + id_list + "}')"));
}

TEST(Crash, KillNineAtRandomMomentsLosesNoBidAndEndsOverdueAuctionsAtTheirEnd) {
  const int cycles = fault_cycles();
  const auto started = Clock::now();
  PgCluster& cluster = shared_cluster();
  Db db(cluster.url());
  ServerProcess server(cluster.url(), cluster.dir());
  Client setup(server.channel());
  const Account seller = setup.register_user("seller");
  std::vector<Account> bidders;
  bidders.reserve(kBidders);
  for (int i = 0; i < kBidders; ++i) bidders.push_back(setup.register_user("bidder"));

  HistoryChecker checker(cluster.url(), fault_check_options());
  Shared shared;
  shared.checker = &checker;
  // Bounded in time whatever happens: about 3 s per cycle is plenty.
  shared.hard_stop = started + std::max<std::chrono::seconds>(240s, cycles * 15s);
  shared.fleet.publish(server.channel());

  std::vector<std::string> ids;
  std::mt19937_64 rng(0x5eed);
  auto create = [&](int i, std::chrono::milliseconds duration) {
    auto req = auction_request("Crash lot " + std::to_string(i), 1000, duration);
    if (i % 4 == 0) {  // soft close: a bid in the last second moves the end
      req.mutable_soft_close_window()->set_seconds(1);
      req.mutable_soft_close_extension()->set_seconds(1);
    }
    if (i % 7 == 3) req.set_reserve_price(6000);
    if (i % 5 == 1) req.set_min_increment(25);
    auto r = setup.create_auction(seller.token, req);
    if (!r.ok()) return;  // the server may be down (top-ups): just fewer auctions
    ids.push_back(r->id());
    checker.track_auction(r->id());
    shared.fleet.add(r->id());
  };
  // Ends spread over the run (about 2 s per cycle), some well inside it.
  const auto spread = std::chrono::milliseconds(std::max(cycles, 5) * 2000);
  for (int i = 0; i < kInitialAuctions; ++i) {
    create(i, 3s + spread * i / kInitialAuctions);
  }
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kInitialAuctions));
  auto id_list = [&] {
    std::string s;
    for (const auto& id : ids) s += (s.empty() ? "" : ",") + id;
    return s;
  };

  std::vector<std::thread> threads;
  std::vector<std::thread> watchers;
  threads.reserve(kBidders);
  watchers.reserve(kWatchers);
  for (int i = 0; i < kBidders; ++i) {
    threads.emplace_back(run_bidder, std::cref(bidders[static_cast<std::size_t>(i)]),
                         static_cast<std::uint64_t>(1000 + i), std::ref(shared));
  }
  for (int i = 0; i < kWatchers; ++i) {
    watchers.emplace_back(run_watcher, i, static_cast<std::uint64_t>(2000 + i), std::ref(shared));
  }
  struct Join {
    Shared& shared;
    std::vector<std::thread>& threads;
    std::vector<std::thread>& watchers;
    ~Join() {
      shared.stop = true;
      shared.watch_stop = true;
      for (auto* list : {&threads, &watchers}) {
        for (auto& t : *list) {
          if (t.joinable()) t.join();
        }
      }
    }
  } join{shared, threads, watchers};

  std::vector<std::int64_t> to_first_ack_us;
  std::vector<std::int64_t> to_listening_us;
  std::size_t ended_while_down = 0;
  std::int64_t slowest_overdue_end_us = 0;
  int done = 0;
  auto wait_first_ack = [&](std::chrono::milliseconds limit) {
    const auto give_up = Clock::now() + limit;
    while (shared.timeline.first_ack_us == 0 && Clock::now() < give_up) {
      std::this_thread::sleep_for(2ms);
    }
    return shared.timeline.first_ack_us.load();
  };
  ASSERT_NE(wait_first_ack(10s), 0) << "no bid was acknowledged before the first crash";

  for (int cycle = 1; cycle <= cycles && Clock::now() < shared.hard_stop; ++cycle) {
    std::uniform_int_distribution<int> up_ms(100, 1500);
    std::uniform_int_distribution<int> down_ms(50, 700);
    std::optional<std::int64_t> restart_after_us;
    if (cycle % 4 == 2) {
      // Crash just before an auction's end; come back after it.
      const auto r = db.query(
          "SELECT (extract(epoch FROM end_time) * 1000000)::bigint FROM auctions "
          "WHERE phase = 'OPEN' AND end_time BETWEEN now() + interval '400 ms' AND now() + "
          "interval '4 s' AND id = ANY('{" +
          id_list() + "}') ORDER BY end_time LIMIT 1");
      if (!r.empty()) {
        const auto end = r[0][0].as<std::int64_t>();
        while (now_us() < end - 150'000) std::this_thread::sleep_for(5ms);
        restart_after_us = end + 200'000;
      }
    }
    if (!restart_after_us) std::this_thread::sleep_for(std::chrono::milliseconds(up_ms(rng)));

    server.kill9();
    if (restart_after_us) {
      while (now_us() < *restart_after_us) std::this_thread::sleep_for(5ms);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(down_ms(rng)));
    }
    // The auctions whose end passed while the server was down.
    std::vector<std::string> overdue;
    for (const auto& row : db.query("SELECT id FROM auctions WHERE phase = 'OPEN' AND end_time "
                                    "<= now() AND id = ANY('{" +
                                    id_list() + "}')")) {
      overdue.push_back(row[0].as<std::string>());
    }

    shared.timeline.first_ack_us = 0;
    shared.timeline.spawn_us = now_us();
    server.restart();
    const std::int64_t listening = now_us();
    shared.fleet.publish(server.channel());
    to_listening_us.push_back(listening - shared.timeline.spawn_us);

    // Overdue auctions end at once on restart (their ended_at is checked by
    // the checker: the scheduled end, not the restart).
    if (!overdue.empty()) {
      std::string list;
      for (const auto& id : overdue) list += (list.empty() ? "" : ",") + id;
      const auto give_up = Clock::now() + 5s;
      std::size_t still_open = 0;
      while ((still_open = open_count(db, list)) > 0 && Clock::now() < give_up) {
        std::this_thread::sleep_for(5ms);
      }
      EXPECT_EQ(still_open, 0U) << "cycle " << cycle << ": " << still_open << " of "
                                << overdue.size()
                                << " auctions due during the crash are still open 5 s after "
                                   "the restart";
      slowest_overdue_end_us = std::max(slowest_overdue_end_us, now_us() - listening);
      ended_while_down += overdue.size();
      for (const auto& id : overdue) shared.fleet.ended(id);
    }

    const std::int64_t ack = wait_first_ack(15s);
    ASSERT_NE(ack, 0) << "cycle " << cycle << ": no bid acknowledged within 15 s of the restart";
    to_first_ack_us.push_back(ack - shared.timeline.spawn_us);
    std::cout << "[ cycle    ] " << cycle << "/" << cycles << ": spawn to listening "
              << (listening - shared.timeline.spawn_us) / 1000 << " ms, to first ack "
              << (ack - shared.timeline.spawn_us) / 1000 << " ms, " << overdue.size()
              << " overdue auctions ended, " << checker.calls() << " calls so far"
              << (restart_after_us ? " (crash across an auction's end)" : "") << "\n";
    ++done;

    // Keep enough auctions open for long runs.
    if (open_count(db, id_list()) < kMinLiveAuctions && cycle < cycles) {
      for (int i = 0; i < kTopUp; ++i) {
        create(static_cast<int>(ids.size()), 3s + std::chrono::milliseconds(30'000 * i / kTopUp));
      }
    }
  }
  EXPECT_EQ(done, cycles) << "the run hit its time limit";

  // Stop the load, let every auction end, then check the whole history.
  shared.stop = true;
  for (auto& t : threads) t.join();
  const auto last_end = db.scalar(
      "SELECT coalesce(max((extract(epoch FROM end_time) * 1000000)::bigint), 0) FROM auctions "
      "WHERE id = ANY('{" +
      id_list() + "}')");
  const auto give_up = Clock::now() +
                       std::chrono::microseconds(std::max<std::int64_t>(0, last_end - now_us())) +
                       15s;
  while (open_count(db, id_list()) > 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(open_count(db, id_list()), 0U) << "auctions still open long after their end";
  std::this_thread::sleep_for(500ms);  // the watchers see the last ends
  shared.watch_stop = true;
  for (auto& t : watchers) t.join();

  auto stub = v1::AuctionService::NewStub(server.channel());
  const auto check_started = Clock::now();
  const CheckReport report = checker.check(*stub);
  const auto check_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - check_started).count();
  const auto total_s =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();

  std::cout << "[ crash    ] " << done << " kill -9 cycles; " << report.describe(20)
            << "[ crash    ] restart (spawn) to first acknowledged bid, min/median/max: "
            << min_median_max_ms(to_first_ack_us)
            << "; spawn to listening: " << min_median_max_ms(to_listening_us) << "\n"
            << "[ crash    ] " << ended_while_down
            << " auctions came due while the server was down and ended on restart (slowest "
            << slowest_overdue_end_us / 1000 << " ms after listening); " << ids.size()
            << " auctions; check took " << check_ms << " ms; whole test " << total_s << " s\n";
  std::cout << "[ crash    ] watchers: " << shared.streams << " WatchAuction streams, "
            << shared.resumed << " resumed with from_version (" << shared.resumed_after_crash
            << " after a crash), " << shared.watched_to_end
            << " auctions followed to AUCTION_ENDED, " << report.watch_updates
            << " updates checked\n"
            << "[ crash    ] " << commit_failures_in_log(server.log_path()) << "\n";
  EXPECT_TRUE(report.ok()) << report.describe();
  EXPECT_EQ(shared.ended_without_end, 0) << "streams that ended OK without showing the end";
  EXPECT_GT(shared.watched_to_end, 0);
  EXPECT_GT(shared.resumed_after_crash, 0);
  EXPECT_GT(report.acknowledged_accepted, static_cast<std::size_t>(done) * 10)
      << "too few accepted bids for the run to mean much";
  EXPECT_EQ(report.auctions, ids.size());
  if (cycles >= 4) {
    EXPECT_GE(ended_while_down, 1U) << "no auction came due while the server was down";
  }
}

/// Reads a whole WatchAuction stream (at most `limit`): its messages and status.
std::pair<std::vector<v1::AuctionUpdate>, grpc::Status> read_watch(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& auction_id,
    std::optional<std::int64_t> from_version, std::chrono::milliseconds limit) {
  auto stub = v1::AuctionService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + limit);
  v1::WatchAuctionRequest req;
  req.set_auction_id(auction_id);
  if (from_version) req.set_from_version(*from_version);
  auto reader = stub->WatchAuction(&ctx, req);
  std::vector<v1::AuctionUpdate> got;
  v1::AuctionUpdate u;
  while (reader->Read(&u)) got.push_back(u);
  return {got, reader->Finish()};
}

// Issue 4, timers across crashes: an auction whose end passes while the
// server is down ends on restart at its scheduled end, and watchers that
// reconnect with from_version get what they missed (the events, or a
// SNAPSHOT when they are no longer kept) and then AUCTION_ENDED, and the
// stream ends OK.
TEST(Crash, WatchersReconnectingAfterACrashGetWhatTheyMissedAndTheEnd) {
  PgCluster& cluster = shared_cluster();
  ServerProcess server(cluster.url(), cluster.dir());
  Client c(server.channel());
  const Account seller = c.register_user("seller");
  const Account alice = c.register_user("alice");
  const Account bob = c.register_user("bob");
  auto created = c.create_auction(seller.token, auction_request("Watched lot", 1000, 3s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const std::string id = created->id();
  std::int64_t version = 0;
  for (int i = 0; i < 4; ++i) {
    auto r = c.place_bid(i % 2 == 0 ? alice.token : bob.token, id, 1500 + 500 * i,
                         "w-" + std::to_string(i));
    ASSERT_TRUE(r.ok() && r->accepted()) << describe(r.status);
    version = r->version();
  }
  // A watcher that saw everything up to `version`.
  {
    auto [got, status] = read_watch(server.channel(), id, std::nullopt, 300ms);
    ASSERT_FALSE(got.empty()) << describe(status);
    EXPECT_EQ(got.front().type(), v1::AuctionUpdate::SNAPSHOT);
    EXPECT_EQ(got.front().version(), version);
  }

  server.kill9();
  ASSERT_EQ(shared_db().auction(to_id(id)).value().phase, "OPEN")
      << "the auction ended before the crash; the machine is too slow for this test";
  while (now_us() < to_us(created->end_time()) + 300'000) std::this_thread::sleep_for(20ms);
  server.restart();

  // Reconnecting from the last version seen, and from an older one.
  for (const std::int64_t from : {version, version - 2}) {
    SCOPED_TRACE("from_version " + std::to_string(from));
    auto [got, status] = read_watch(server.channel(), id, from, 5s);
    EXPECT_TRUE(status.ok()) << describe(status) << "; got " << describe(got);
    ASSERT_FALSE(got.empty()) << describe(status);
    std::int64_t last = from;
    bool ended = false;
    for (const auto& u : got) {
      if (u.type() == v1::AuctionUpdate::HEARTBEAT) continue;
      if (u.type() == v1::AuctionUpdate::SNAPSHOT) {
        EXPECT_GE(u.version(), last) << describe(got);
        ended = ended || u.auction().status() == v1::AUCTION_STATUS_ENDED;
      } else {
        EXPECT_EQ(u.version(), last + 1) << "an event was skipped or repeated: " << describe(got);
        ended = ended || u.type() == v1::AuctionUpdate::AUCTION_ENDED;
      }
      last = u.version();
    }
    EXPECT_TRUE(ended) << "no AUCTION_ENDED after the reconnect: " << describe(got);
    EXPECT_EQ(last, version + 1) << describe(got);
    const auto& end = got.back();
    EXPECT_EQ(
        to_us(end.type() == v1::AuctionUpdate::SNAPSHOT ? end.auction().ended_at() : end.ends_at()),
        to_us(created->end_time()))
        << "the end recorded is the scheduled end: " << describe(got);
  }
  Client c2(server.channel());
  auto fin = c2.get_auction(id);
  ASSERT_TRUE(fin.ok()) << describe(fin.status);
  EXPECT_EQ(fin->auction().status(), v1::AUCTION_STATUS_ENDED);
  EXPECT_EQ(to_us(fin->auction().ended_at()), to_us(created->end_time()));
}

}  // namespace
}  // namespace auction::test
