#pragma once
/// What the WatchAuction suites (watch_*_test.cpp) share: a server that does
/// not coalesce by age, users and bids under load, and a watcher's trace with
/// its checks.
///
/// Versions: +1 per state change (a bid, a soft-close extension, the end, a
/// cancel), so a watcher can check that it missed nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/client.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {

using Clock = std::chrono::steady_clock;
using Update = v1::AuctionUpdate;

inline constexpr std::int64_t kBuyNowPrice = 1'000'000'000;  // far above any bid below

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Most tests here assert that a watcher sees every version: they turn
/// coalescing by age off (a sanitizer build can stall a stream for longer
/// than the default 50 ms) unless they set --watch-max-lag-ms themselves.
inline ServerOptions with_args(std::vector<std::string> args) {
  if (std::find(args.begin(), args.end(), "--watch-max-lag-ms") == args.end()) {
    args.insert(args.end(), {"--watch-max-lag-ms", "0"});
  }
  ServerOptions o;
  o.extra_args = std::move(args);
  return o;
}

/// Registers n users in parallel (password hashing is deliberately slow).
inline std::vector<Account> register_users(Client& c, const std::string& prefix, int n) {
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
inline std::vector<Ack> bid_until(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::vector<Account>& bidders,
                                  const std::string& auction_id, Ladder& ladder, int target,
                                  std::chrono::seconds budget) {
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
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
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
inline StreamOptions<Update> tracing(const std::shared_ptr<Trace>& trace) {
  StreamOptions<Update> o;
  o.keep = false;
  o.on_message = [trace](const Update& u) {
    trace->push_back(Seen{u.type(), u.version(), u.current_price(), Clock::now()});
  };
  return o;
}

inline Trace trace_of(const AuctionWatch& w, const std::shared_ptr<Trace>& trace) {
  return w.locked([&] { return *trace; });
}

inline Trace without_heartbeats(const Trace& t) {
  Trace out;
  for (const auto& s : t) {
    if (s.type != Update::HEARTBEAT) out.push_back(s);
  }
  return out;
}

inline std::string describe_trace(const Trace& t) {
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
inline std::string check_gapless(const Trace& trace, std::int64_t snapshot_version,
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
inline std::string check_jumps_are_snapshots(const Trace& trace, std::int64_t last_version) {
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
inline ::testing::AssertionResult wait_all_count(
    const std::vector<std::unique_ptr<AuctionWatch>>& watchers, std::size_t n,
    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (std::size_t i = 0; i < watchers.size(); ++i) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (watchers[i]->wait_count(n, std::max(left, std::chrono::milliseconds(0)))) continue;
    // Say why: a stream that ended (and how many did) or one that only stalled.
    const auto ended = std::count_if(watchers.begin(), watchers.end(),
                                     [](const auto& w) { return w->status().has_value(); });
    const auto status = watchers[i]->status();
    return ::testing::AssertionFailure()
           << "watcher " << i << " has " << watchers[i]->count() << " of " << n << " messages; "
           << (status ? "its stream ended " + describe(*status) : std::string("it is still open"))
           << "; " << ended << " of " << watchers.size() << " streams ended";
  }
  return ::testing::AssertionSuccess();
}

/// Non-heartbeat messages of a kept stream.
inline std::vector<Update> changes(const std::vector<Update>& all) {
  std::vector<Update> out;
  for (const auto& u : all) {
    if (u.type() != Update::HEARTBEAT) out.push_back(u);
  }
  return out;
}

/// A predicate: a non-heartbeat message at version >= v arrived.
inline auto reached(std::int64_t v) {
  return [v](const std::vector<Update>& all) {
    return std::any_of(all.begin(), all.end(), [v](const Update& u) {
      return u.type() != Update::HEARTBEAT && u.version() >= v;
    });
  };
}

}  // namespace auction::test
