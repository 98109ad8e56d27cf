#pragma once
/// The bench result: a text table or one JSON object.
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/closed_loop.hpp"
#include "bench/latency.hpp"

namespace auction::cli::bench {

/// The run's parameters, echoed in the report.
struct RunInfo {
  std::string server;
  std::string prefix;
  int in_flight = 0;
  std::size_t auctions = 0;
  std::size_t bidders = 0;
  int channels = 0;
  int pollers = 0;
  bool idempotency_keys = false;
  double warmup_s = 0;
  double duration_s = 0;
};

struct Phase {
  LoopResult result;
  LatencySummary latency;  ///< of the OK calls
};

/// Summarizes (sorts the samples of) a finished loop.
Phase make_phase(LoopResult result);

void print_text(std::ostream& out, const RunInfo& info, const Phase& bids, const Phase& health);
nlohmann::json to_json(const RunInfo& info, const Phase& bids, const Phase& health);

}  // namespace auction::cli::bench
