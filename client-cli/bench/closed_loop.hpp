#pragma once
/// A closed-loop load driver on gRPC completion queues: exactly N calls in
/// flight; each completion immediately starts the next call in its slot,
/// until the measured window ends. Bounded in time: every call's deadline is
/// at most `grace` after the window.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace auction::cli::bench {

enum class OutcomeKind { kOk, kRejected, kError };

/// How one call ended. `code`: the reject reason (kRejected) or the gRPC
/// status code (kError).
struct Outcome {
  OutcomeKind kind = OutcomeKind::kOk;
  int code = 0;
};

/// One in-flight slot: starts calls, one at a time, and classifies them.
class LoopCall {
 public:
  virtual ~LoopCall() = default;
  /// Starts a new call whose completion arrives on `cq` with `tag`.
  virtual void start(grpc::CompletionQueue& cq, void* tag,
                     std::chrono::system_clock::time_point deadline) = 0;
  /// Classifies the call that just completed.
  virtual Outcome finish() = 0;
};

/// Makes the call object for slot `slot`; called from the poller threads.
using LoopCallFactory = std::function<std::unique_ptr<LoopCall>(std::size_t slot)>;

struct LoopConfig {
  int in_flight = 64;
  int pollers = 2;  ///< threads, each with its own completion queue
  std::chrono::nanoseconds warmup{std::chrono::seconds(2)};
  std::chrono::nanoseconds duration{std::chrono::seconds(10)};
  std::chrono::nanoseconds call_timeout{std::chrono::seconds(5)};
  std::chrono::nanoseconds grace{std::chrono::seconds(1)};  ///< after the window
};

/// What completed inside the measured window.
struct LoopResult {
  std::vector<std::int64_t> ok_latency_ns;  ///< one per kOk completion
  std::int64_t ok = 0;
  std::map<int, std::int64_t> rejected;  ///< by reject reason
  std::map<int, std::int64_t> errors;    ///< by gRPC status code
  /// Calls still in flight when the window closed that then failed (e.g.
  /// DEADLINE_EXCEEDED when the server stopped answering), by status code.
  std::map<int, std::int64_t> late_errors;
  std::chrono::nanoseconds window{0};

  std::int64_t rejected_total() const;
  std::int64_t errors_total() const;
  std::int64_t late_errors_total() const;
  double ok_per_second() const;
  void merge(LoopResult&& other);
};

LoopResult run_closed_loop(const LoopConfig& config, const LoopCallFactory& make_call);

}  // namespace auction::cli::bench
