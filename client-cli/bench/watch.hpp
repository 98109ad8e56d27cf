#pragma once
/// `bench watch`: live-update delivery to many WatchAuction streams while
/// bids arrive at a fixed rate. The pure parts (matching deliveries to the
/// bids that caused them, the bid amounts, /proc parsing, the report) are
/// here; the gRPC driver is in watch_run.cpp.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/latency.hpp"
#include "commands.hpp"
#include "domain/money.hpp"

namespace auction::cli::bench {

/// VmRSS from the text of /proc/PID/status, in KiB; nothing when absent.
std::optional<std::int64_t> vm_rss_kib(std::string_view proc_status);
/// VmRSS of process `pid`; nothing when it cannot be read.
std::optional<std::int64_t> read_rss_kib(long pid);

/// utime + stime (fields 14 and 15, in clock ticks) from the text of
/// /proc/PID/stat; nothing when malformed.
std::optional<std::int64_t> cpu_ticks(std::string_view proc_stat);
/// CPU seconds process `pid` used so far; nothing when it cannot be read.
std::optional<double> read_cpu_seconds(long pid);

/// What one watcher learned at one instant: the versions first..last
/// (inclusive). A BID_PLACED has first == last; a coalesced SNAPSHOT covers
/// every version it skipped.
struct Delivery {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::int64_t at_ns = 0;  ///< steady clock
  bool bid_event = false;  ///< a BID_PLACED (else a snapshot)
};

/// The accepted bids by the version they produced, with their send times.
class SentBids {
 public:
  /// Thread-safe.
  void add(std::int64_t version, std::int64_t sent_ns);
  /// Call once every reply is in, before match().
  void freeze();
  std::size_t size() const { return bids_.size(); }
  std::int64_t max_version() const { return bids_.empty() ? 0 : bids_.back().first; }

  /// Appends one latency (delivery time - send time) per accepted bid whose
  /// version the delivery covers; returns how many.
  std::size_t match(const Delivery& d, std::vector<std::int64_t>& latencies_ns) const;

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::int64_t, std::int64_t>> bids_;  ///< (version, sent_ns)
};

/// Maxima for bids "just above the minimum next bid": each one is the
/// minimum next bid after the previous one was accepted, raised to what the
/// server last said the minimum is. Thread-safe.
class BidAmounts {
 public:
  /// `minimum`: the auction's minimum_next_bid now; `fixed_increment`: its
  /// min_increment (0 = the default table).
  BidAmounts(Money minimum, Money fixed_increment);
  Money next();
  /// A reply's minimum_next_bid (accepted or BID_TOO_LOW).
  void observe_minimum(Money minimum);

 private:
  std::mutex mutex_;
  Money last_ = 0;
  Money known_minimum_;
  Money fixed_increment_;
};

struct WatchBenchResult {
  // configuration
  std::string server;
  std::string prefix;
  std::string auction_id;
  int watchers = 0;
  int channels = 0;
  std::size_t bidders = 0;
  double bid_rate = 0;
  double duration_s = 0;
  // streams
  int ready = 0;                               ///< watchers that got their SNAPSHOT
  double ready_s = 0;                          ///< time until the last SNAPSHOT
  std::map<int, std::int64_t> watcher_errors;  ///< streams that ended before the end, by code
  // bids
  std::int64_t sent = 0;
  std::int64_t accepted = 0;
  std::map<int, std::int64_t> rejected;  ///< by reject reason
  std::map<int, std::int64_t> errors;    ///< by status code
  std::int64_t skipped = 0;              ///< not sent: too many in flight
  // deliveries
  std::int64_t deliveries = 0;           ///< accepted bids delivered to watchers (latency samples)
  std::int64_t expected_deliveries = 0;  ///< accepted bids x ready watchers
  /// BID_PLACED for versions without an accepted reply: our bids whose reply
  /// timed out (they may still have been accepted) or someone else's.
  std::int64_t unmatched = 0;
  std::int64_t updates = 0;  ///< every message received on the streams
  std::int64_t heartbeats = 0;
  std::int64_t gaps = 0;       ///< BID_PLACED whose version skipped some (should be 0)
  std::int64_t malformed = 0;  ///< messages whose type and version could not be read (should be 0)
  int coalesced_watchers = 0;  ///< watchers that got a snapshot with a version jump
  std::int64_t dropped = 0;    ///< deliveries not recorded (memory cap)
  LatencySummary latency;
  double window_s = 0;                 ///< the bidding window, for deliveries/s
  double drain_s = 0;                  ///< how long deliveries were awaited after the last reply
  double client_cpu_s = 0;             ///< this process, bidding window + drain
  std::optional<double> server_cpu_s;  ///< --server-pid, the same span
  // server memory (--server-pid)
  std::optional<std::int64_t> rss_before_kib;
  std::optional<std::int64_t> rss_open_kib;

  double deliveries_per_s() const;
  /// (open - before) / ready, in KiB; nothing without both figures.
  std::optional<double> rss_per_watcher_kib() const;
};

void print_watch_text(std::ostream& out, const WatchBenchResult& r);
nlohmann::json watch_to_json(const WatchBenchResult& r);

/// Registers `bench watch` under `bench`.
CLI::App* add_bench_watch_command(CLI::App* bench, CliContext& ctx);

}  // namespace auction::cli::bench
