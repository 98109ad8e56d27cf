#include "stream_follow.hpp"

#include <csignal>

namespace auction::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int /*signal*/) { g_interrupted = 1; }

struct sigaction g_old_int {};
struct sigaction g_old_term {};

}  // namespace

std::chrono::milliseconds backoff_delay(int attempt, const ReconnectPolicy& policy) {
  auto delay = policy.initial;
  for (int i = 0; i < attempt && delay < policy.max; ++i) delay *= 2;
  return std::min(delay, policy.max);
}

bool is_retryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return true;
    default:
      return false;
  }
}

grpc::ChannelArguments stream_channel_args() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  // gRPC takes this as the shortest time one connection attempt gets, not as a backoff. Its
  // default, 20 s, kept the view from reconnecting for that long when an attempt hung across a
  // server restart; 200 ms failed attempts that merely waited for a busy server's SETTINGS.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return args;
}

InterruptGuard::InterruptGuard() {
  g_interrupted = 0;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool InterruptGuard::interrupted() { return g_interrupted != 0; }

}  // namespace auction::cli
