#include "bench/closed_loop.hpp"

#include "bench/counts.hpp"

#include <algorithm>
#include <thread>

namespace auction::cli::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;

struct Slot {
  std::unique_ptr<LoopCall> call;
  SteadyClock::time_point started;
};

void record(LoopResult& r, const Outcome& o, std::chrono::nanoseconds latency) {
  switch (o.kind) {
    case OutcomeKind::kOk:
      ++r.ok;
      r.ok_latency_ns.push_back(latency.count());
      break;
    case OutcomeKind::kRejected:
      ++r.rejected[o.code];
      break;
    case OutcomeKind::kError:
      ++r.errors[o.code];
      break;
  }
}

/// Times shared by all pollers.
struct Window {
  SteadyClock::time_point begin;     ///< end of warmup
  SteadyClock::time_point end;       ///< no new calls from here on
  SystemClock::time_point hard_end;  ///< no call lives past this
  std::chrono::nanoseconds call_timeout;

  SystemClock::time_point deadline() const {
    auto d = SystemClock::now() + std::chrono::duration_cast<SystemClock::duration>(call_timeout);
    return std::min(d, hard_end);
  }
};

/// Drives the slots [first, first + pollers, ...) on one completion queue.
LoopResult poll(std::vector<Slot>& slots, std::size_t first, std::size_t stride, const Window& w,
                const LoopCallFactory& make_call) {
  grpc::CompletionQueue cq;
  LoopResult result;
  std::size_t outstanding = 0;
  for (std::size_t i = first; i < slots.size(); i += stride) {
    Slot& s = slots[i];
    s.call = make_call(i);
    s.started = SteadyClock::now();
    s.call->start(cq, &s, w.deadline());
    ++outstanding;
  }
  void* tag = nullptr;
  bool ok = false;
  while (outstanding > 0 && cq.Next(&tag, &ok)) {
    Slot& s = *static_cast<Slot*>(tag);
    auto now = SteadyClock::now();
    Outcome outcome = s.call->finish();
    if (now >= w.begin && now < w.end) {
      record(result, outcome, now - s.started);
    } else if (now >= w.end && outcome.kind == OutcomeKind::kError) {
      ++result.late_errors[outcome.code];
    }
    if (now < w.end) {
      s.started = SteadyClock::now();
      s.call->start(cq, &s, w.deadline());
    } else {
      --outstanding;
    }
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return result;
}

}  // namespace

std::int64_t LoopResult::rejected_total() const { return total(rejected); }
std::int64_t LoopResult::errors_total() const { return total(errors); }
std::int64_t LoopResult::late_errors_total() const { return total(late_errors); }

double LoopResult::ok_per_second() const {
  auto seconds = std::chrono::duration<double>(window).count();
  return seconds > 0 ? static_cast<double>(ok) / seconds : 0.0;
}

void LoopResult::merge(LoopResult&& other) {
  ok_latency_ns.insert(ok_latency_ns.end(), other.ok_latency_ns.begin(), other.ok_latency_ns.end());
  ok += other.ok;
  for (const auto& [code, n] : other.rejected) rejected[code] += n;
  for (const auto& [code, n] : other.errors) errors[code] += n;
  for (const auto& [code, n] : other.late_errors) late_errors[code] += n;
}

LoopResult run_closed_loop(const LoopConfig& config, const LoopCallFactory& make_call) {
  auto in_flight = static_cast<std::size_t>(std::max(config.in_flight, 1));
  auto pollers =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::max(config.pollers, 1)), 1, in_flight);
  std::vector<Slot> slots(in_flight);

  Window w;
  auto steady_now = SteadyClock::now();
  auto system_now = SystemClock::now();
  w.begin = steady_now + config.warmup;
  w.end = w.begin + config.duration;
  w.hard_end = system_now + std::chrono::duration_cast<SystemClock::duration>(
                                config.warmup + config.duration + config.grace);
  w.call_timeout = config.call_timeout;

  std::vector<LoopResult> partial(pollers);
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < pollers; ++p) {
    threads.emplace_back([&, p] { partial[p] = poll(slots, p, pollers, w, make_call); });
  }
  for (auto& t : threads) t.join();

  LoopResult total;
  for (auto& r : partial) total.merge(std::move(r));
  total.window = config.duration;
  return total;
}

}  // namespace auction::cli::bench
