#include "bench/report.hpp"

#include "bench/counts.hpp"

#include "auction/v1/auction.pb.h"
#include "errors.hpp"
#include "format.hpp"
#include "health.hpp"
#include "table.hpp"

namespace auction::cli::bench {
namespace {

std::string serving_name(int code) { return serving_status_name(static_cast<std::uint64_t>(code)); }

double micros(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e3; }

double ratio(const Phase& bids, const Phase& health) {
  double h = health.result.ok_per_second();
  return h > 0 ? bids.result.ok_per_second() / h : 0.0;
}

template <class Namer>
nlohmann::json phase_json(const Phase& p, const char* ok_name, const char* rejected_name,
                          Namer reject_namer) {
  return {
      {"calls_per_s", p.result.ok_per_second()},
      {"p50_us", micros(p.latency.p50)},
      {"p99_us", micros(p.latency.p99)},
      {"p999_us", micros(p.latency.p999)},
      {"max_us", micros(p.latency.max)},
      {ok_name, p.result.ok},
      {rejected_name, p.result.rejected_total()},
      {std::string(rejected_name) + "_by_reason", breakdown_json(p.result.rejected, reject_namer)},
      {"errors", p.result.errors_total()},
      {"errors_by_code", breakdown_json(p.result.errors, error_name)},
      {"late_errors_by_code", breakdown_json(p.result.late_errors, error_name)},
  };
}

}  // namespace

Phase make_phase(LoopResult result) {
  Phase p;
  p.latency = summarize(result.ok_latency_ns);
  p.result = std::move(result);
  return p;
}

void print_text(std::ostream& out, const RunInfo& info, const Phase& bids, const Phase& health) {
  out << "bench: " << info.server << ", " << info.auctions << " auction(s), " << info.bidders
      << " bidders, " << info.in_flight << " in flight, " << info.channels << " channel(s), "
      << info.pollers << " poller(s)" << (info.idempotency_keys ? ", idempotency keys" : "") << "; "
      << fixed(info.duration_s, 1) << " s measured after " << fixed(info.warmup_s, 1)
      << " s warmup\n\n";
  Table t({{"", Align::kLeft},
           {"calls/s", Align::kRight},
           {"p50", Align::kRight},
           {"p99", Align::kRight},
           {"p999", Align::kRight}});
  auto row = [&](const char* name, const Phase& p) {
    t.add_row({name, fixed(p.result.ok_per_second(), 1), latency(p.latency.p50),
               latency(p.latency.p99), latency(p.latency.p999)});
  };
  row("bids (accepted, durable)", bids);
  row("health check (transport ceiling)", health);
  t.print(out);
  out << "\nbids:   accepted " << bids.result.ok << ", rejected " << bids.result.rejected_total()
      << " (" << breakdown(bids.result.rejected, reject_name) << "), errors "
      << bids.result.errors_total() << " (" << breakdown(bids.result.errors, error_name) << ")\n";
  out << "health: serving " << health.result.ok << ", not serving "
      << health.result.rejected_total() << ", errors " << health.result.errors_total() << " ("
      << breakdown(health.result.errors, error_name) << ")\n";
  for (const auto* p : {&bids, &health}) {
    if (p->result.late_errors_total() > 0) {
      out << "warning: " << (p == &bids ? "bids" : "health") << ": "
          << p->result.late_errors_total() << " call(s) in flight at the end failed afterwards ("
          << breakdown(p->result.late_errors, error_name) << ")\n";
    }
  }
  out << "ratio bids/s ÷ health/s: " << fixed(ratio(bids, health), 3) << "\n";
  out << "(latencies are of accepted bids and SERVING replies; calls/s counts them over the "
         "measured window)\n";
}

nlohmann::json to_json(const RunInfo& info, const Phase& bids, const Phase& health) {
  return {
      {"config",
       {{"server", info.server},
        {"run_prefix", info.prefix},
        {"in_flight", info.in_flight},
        {"auctions", info.auctions},
        {"bidders", info.bidders},
        {"channels", info.channels},
        {"pollers", info.pollers},
        {"idempotency_keys", info.idempotency_keys},
        {"warmup_s", info.warmup_s},
        {"duration_s", info.duration_s}}},
      {"bids", phase_json(bids, "accepted", "rejected", reject_name)},
      {"health", phase_json(health, "serving", "not_serving", serving_name)},
      {"ratio_bids_to_health", ratio(bids, health)},
  };
}

}  // namespace auction::cli::bench
