#pragma once
/// Latency samples and their percentiles.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace auction::cli::bench {

struct LatencySummary {
  std::size_t count = 0;
  std::chrono::nanoseconds p50{0};
  std::chrono::nanoseconds p99{0};
  std::chrono::nanoseconds p999{0};
  std::chrono::nanoseconds max{0};
};

/// Nearest-rank percentile of sorted samples: the smallest sample that at
/// least `q` (0 < q <= 1) of all samples do not exceed. 0 when empty.
std::int64_t percentile(const std::vector<std::int64_t>& sorted, double q);

/// Sorts `samples_ns` in place and summarizes them.
LatencySummary summarize(std::vector<std::int64_t>& samples_ns);

}  // namespace auction::cli::bench
