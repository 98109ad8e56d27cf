#include "bench/latency.hpp"

#include <algorithm>
#include <cmath>

namespace auction::cli::bench {

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

LatencySummary summarize(std::vector<std::int64_t>& samples_ns) {
  std::sort(samples_ns.begin(), samples_ns.end());
  LatencySummary s;
  s.count = samples_ns.size();
  s.p50 = std::chrono::nanoseconds(percentile(samples_ns, 0.50));
  s.p99 = std::chrono::nanoseconds(percentile(samples_ns, 0.99));
  s.p999 = std::chrono::nanoseconds(percentile(samples_ns, 0.999));
  s.max = std::chrono::nanoseconds(samples_ns.empty() ? 0 : samples_ns.back());
  return s;
}

}  // namespace auction::cli::bench
