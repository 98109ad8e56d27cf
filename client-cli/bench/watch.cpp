#include "bench/watch.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "auction/v1/auction.pb.h"
#include "bench/counts.hpp"
#include "domain/increments.hpp"
#include "errors.hpp"
#include "format.hpp"
#include "table.hpp"

namespace auction::cli::bench {
namespace {

double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

std::string mib(std::int64_t kib) { return fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }

}  // namespace

std::optional<std::int64_t> vm_rss_kib(std::string_view proc_status) {
  std::istringstream in{std::string(proc_status)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    std::int64_t value = 0;
    std::string unit;
    if (!(fields >> value >> unit) || unit != "kB") return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::optional<std::int64_t> read_rss_kib(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return vm_rss_kib(text.str());
}

std::optional<std::int64_t> cpu_ticks(std::string_view proc_stat) {
  // "PID (comm) S ppid ...": comm may hold spaces and parentheses.
  const auto close = proc_stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::istringstream in{std::string(proc_stat.substr(close + 1))};
  std::string field;
  std::int64_t utime = 0;
  std::int64_t stime = 0;
  // After the comm: state is field 3, utime field 14, stime field 15.
  for (int i = 3; i <= 13; ++i) {
    if (!(in >> field)) return std::nullopt;
  }
  if (!(in >> utime >> stime)) return std::nullopt;
  return utime + stime;
}

std::optional<double> read_cpu_seconds(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto ticks = cpu_ticks(text.str());
  const long hz = sysconf(_SC_CLK_TCK);
  if (!ticks || hz <= 0) return std::nullopt;
  return static_cast<double>(*ticks) / static_cast<double>(hz);
}

void SentBids::add(std::int64_t version, std::int64_t sent_ns) {
  std::lock_guard lock(mutex_);
  bids_.emplace_back(version, sent_ns);
}

void SentBids::freeze() {
  std::lock_guard lock(mutex_);
  std::sort(bids_.begin(), bids_.end());
}

std::size_t SentBids::match(const Delivery& d, std::vector<std::int64_t>& latencies_ns) const {
  auto it = std::lower_bound(bids_.begin(), bids_.end(),
                             std::pair<std::int64_t, std::int64_t>{d.first, INT64_MIN});
  std::size_t n = 0;
  for (; it != bids_.end() && it->first <= d.last; ++it, ++n) {
    latencies_ns.push_back(std::max<std::int64_t>(0, d.at_ns - it->second));
  }
  return n;
}

BidAmounts::BidAmounts(Money minimum, Money fixed_increment)
    : known_minimum_(minimum), fixed_increment_(fixed_increment) {}

Money BidAmounts::next() {
  std::lock_guard lock(mutex_);
  const IncrementPolicy policy{fixed_increment_};
  Money candidate = last_ == 0 ? known_minimum_ : last_ + policy.at(last_);
  candidate = std::max(candidate, known_minimum_);
  last_ = candidate;
  return candidate;
}

void BidAmounts::observe_minimum(Money minimum) {
  std::lock_guard lock(mutex_);
  known_minimum_ = std::max(known_minimum_, minimum);
}

double WatchBenchResult::deliveries_per_s() const {
  return window_s > 0 ? static_cast<double>(deliveries) / window_s : 0.0;
}

std::optional<double> WatchBenchResult::rss_per_watcher_kib() const {
  if (!rss_before_kib || !rss_open_kib || ready <= 0) return std::nullopt;
  return static_cast<double>(*rss_open_kib - *rss_before_kib) / ready;
}

void print_watch_text(std::ostream& out, const WatchBenchResult& r) {
  out << "bench watch: " << r.server << ", auction " << r.auction_id << ", " << r.watchers
      << " watchers over " << r.channels << " channel(s), " << r.bidders << " bidders, "
      << fixed(r.bid_rate, 1) << " bids/s for " << fixed(r.duration_s, 1) << " s\n\n";
  Fields f;
  f.add("watchers ready", std::to_string(r.ready) + " of " + std::to_string(r.watchers) +
                              " (all snapshots in " + fixed(r.ready_s, 2) + " s)");
  if (!r.watcher_errors.empty()) {
    f.add("streams failed", std::to_string(total(r.watcher_errors)) + " (" +
                                breakdown(r.watcher_errors, error_name) + ")");
  }
  f.add("bids", "sent " + std::to_string(r.sent) + ", accepted " + std::to_string(r.accepted) +
                    ", rejected " + std::to_string(total(r.rejected)) + " (" +
                    breakdown(r.rejected, reject_name) + "), errors " +
                    std::to_string(total(r.errors)) + " (" + breakdown(r.errors, error_name) +
                    "), not sent (too many in flight) " + std::to_string(r.skipped));
  f.add("deliveries", std::to_string(r.deliveries) + " of " +
                          std::to_string(r.expected_deliveries) + " expected (accepted bids x " +
                          "ready watchers, awaited up to " + fixed(r.drain_s, 0) +
                          " s after the last bid), " + fixed(r.deliveries_per_s(), 1) + "/s over " +
                          fixed(r.window_s, 1) + " s of bidding");
  f.add("delivery latency", "p50 " + fixed(ms(r.latency.p50), 2) + " ms, p99 " +
                                fixed(ms(r.latency.p99), 2) + " ms, max " +
                                fixed(ms(r.latency.max), 2) + " ms (bid sent -> update received)");
  f.add("coalesced",
        std::to_string(r.coalesced_watchers) + " watcher(s) got a snapshot with a version jump");
  f.add("stream messages",
        std::to_string(r.updates) + " (heartbeats " + std::to_string(r.heartbeats) +
            ", version gaps " + std::to_string(r.gaps) + ", bid events without an accepted reply " +
            std::to_string(r.unmatched) + ", malformed " + std::to_string(r.malformed) + ")");
  if (r.dropped > 0) {
    f.add("not recorded", std::to_string(r.dropped) + " deliveries (memory cap)");
  }
  std::string cpu = "client " + fixed(r.client_cpu_s, 1) + " s";
  if (r.server_cpu_s) cpu += ", server " + fixed(*r.server_cpu_s, 1) + " s";
  f.add("CPU while bidding", cpu + " (over " + fixed(r.window_s, 1) + " s of bidding + the drain)");
  if (r.rss_before_kib && r.rss_open_kib) {
    auto per = r.rss_per_watcher_kib();
    f.add("server RSS", "before streams " + mib(*r.rss_before_kib) + ", with " +
                            std::to_string(r.ready) + " streams open " + mib(*r.rss_open_kib) +
                            (per ? ": " + fixed(*per, 1) + " KiB per watcher" : ""));
  }
  f.print(out);
}

nlohmann::json watch_to_json(const WatchBenchResult& r) {
  nlohmann::json j = {
      {"config",
       {{"server", r.server},
        {"run_prefix", r.prefix},
        {"auction_id", r.auction_id},
        {"watchers", r.watchers},
        {"channels", r.channels},
        {"bidders", r.bidders},
        {"bid_rate", r.bid_rate},
        {"duration_s", r.duration_s}}},
      {"watchers_ready", r.ready},
      {"ready_s", r.ready_s},
      {"streams_failed_by_code", breakdown_json(r.watcher_errors, error_name)},
      {"bids",
       {{"sent", r.sent},
        {"accepted", r.accepted},
        {"rejected", total(r.rejected)},
        {"rejected_by_reason", breakdown_json(r.rejected, reject_name)},
        {"errors", total(r.errors)},
        {"errors_by_code", breakdown_json(r.errors, error_name)},
        {"not_sent", r.skipped}}},
      {"deliveries", r.deliveries},
      {"expected_deliveries", r.expected_deliveries},
      {"deliveries_per_s", r.deliveries_per_s()},
      {"window_s", r.window_s},
      {"latency_ms",
       {{"p50", ms(r.latency.p50)}, {"p99", ms(r.latency.p99)}, {"max", ms(r.latency.max)}}},
      {"coalesced_watchers", r.coalesced_watchers},
      {"stream_messages", r.updates},
      {"heartbeats", r.heartbeats},
      {"version_gaps", r.gaps},
      {"malformed_messages", r.malformed},
      {"bid_events_without_accepted_reply", r.unmatched},
      {"drain_s", r.drain_s},
      {"client_cpu_s", r.client_cpu_s},
      {"not_recorded", r.dropped},
  };
  j["server_rss_before_kib"] = r.rss_before_kib ? nlohmann::json(*r.rss_before_kib) : nullptr;
  j["server_rss_open_kib"] = r.rss_open_kib ? nlohmann::json(*r.rss_open_kib) : nullptr;
  j["server_cpu_s"] = r.server_cpu_s ? nlohmann::json(*r.server_cpu_s) : nullptr;
  auto per = r.rss_per_watcher_kib();
  j["server_rss_per_watcher_kib"] = per ? nlohmann::json(*per) : nullptr;
  return j;
}

}  // namespace auction::cli::bench
