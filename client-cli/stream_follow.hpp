#pragma once
/// A server stream read on its own thread that survives dropped connections
/// (server restart, UNAVAILABLE, a silent connection): it reconnects with
/// backoff, resuming after the last cursor it saw (WatchAuction's version,
/// WatchNotifications' seq), and hands everything to the caller's thread
/// through a queue.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

namespace auction::cli {

struct ReconnectPolicy {
  std::chrono::milliseconds initial{200};  ///< first retry after this
  std::chrono::milliseconds max{2000};     ///< the delay doubles up to this
  /// Failing this long in a row (no message in between): give up.
  std::chrono::milliseconds give_up{std::chrono::seconds(60)};
  /// A call without any message for this long is taken for dead and redone
  /// (the server sends a HEARTBEAT at least every 5 s).
  std::chrono::milliseconds silence{std::chrono::seconds(15)};
};

/// The delay before retry `attempt` (0, 1, 2, ...): initial * 2^attempt, at most max.
std::chrono::milliseconds backoff_delay(int attempt, const ReconnectPolicy& policy);

/// Whether a stream that ended with `code` is worth opening again: the
/// connection or the server went away (UNAVAILABLE, CANCELLED, ...), not a
/// refusal of the request (NOT_FOUND, INVALID_ARGUMENT, UNAUTHENTICATED, ...).
bool is_retryable(grpc::StatusCode code);

/// Channel arguments for streaming commands: the channel retries the
/// connection quickly (200 ms .. 2 s) instead of gRPC's default (1 s .. 120 s).
grpc::ChannelArguments stream_channel_args();

template <class Update>
struct StreamItem {
  enum class Kind {
    kUpdate,        ///< `update` arrived at `received`
    kReconnecting,  ///< the call ended with `status`; retry `attempt` after `delay`
    kReconnected,   ///< the first message after a reconnect follows
    kEnd,           ///< no more items: `status` OK (the stream's last word) or the error
  };
  Kind kind = Kind::kUpdate;
  Update update;
  std::chrono::system_clock::time_point received;
  grpc::Status status;
  std::chrono::milliseconds delay{0};
  int attempt = 0;
  std::optional<std::int64_t> cursor;  ///< kReconnecting: where the next call resumes
};

template <class Update>
class StreamFollower {
 public:
  using Item = StreamItem<Update>;
  using SteadyClock = std::chrono::steady_clock;
  /// A fresh context for each call (token, no deadline).
  using MakeContext = std::function<std::unique_ptr<grpc::ClientContext>()>;
  /// Starts the call on `ctx`, resuming after `cursor` (nothing: from the start).
  using Open = std::function<std::unique_ptr<grpc::ClientReaderInterface<Update>>(
      grpc::ClientContext& ctx, std::optional<std::int64_t> cursor)>;

  struct Hooks {
    MakeContext make_context;
    Open open;
    std::function<std::int64_t(const Update&)> cursor_of;  ///< version or seq
    /// The stream's last word: after it, an OK end is the end (no reconnect).
    std::function<bool(const Update&)> is_last;
    /// The server already answered this client (e.g. a unary call before
    /// the stream): a first call that fails is a lost connection, not a
    /// wrong address, and is retried too.
    bool server_reached = false;
  };

  StreamFollower(Hooks hooks, std::optional<std::int64_t> cursor, ReconnectPolicy policy = {})
      : hooks_(std::move(hooks)), cursor_(cursor), policy_(policy) {}
  ~StreamFollower() {
    stop();
    if (thread_.joinable()) thread_.join();
  }
  StreamFollower(const StreamFollower&) = delete;
  StreamFollower& operator=(const StreamFollower&) = delete;

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  /// The next item, or nothing when none arrived by `until`.
  std::optional<Item> next(SteadyClock::time_point until) {
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, until, [this] { return !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    Item item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  /// Ends the current call and the reader: no more reconnects. Idempotent.
  void stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (current_ != nullptr) current_->TryCancel();
    cv_.notify_all();
  }

  /// Ends the current call when it has been silent longer than the policy's
  /// `silence`, so that the reader reconnects. Call it now and then.
  void check_silence(SteadyClock::time_point now) {
    std::lock_guard lock(mutex_);
    if (current_ != nullptr && now - last_activity_ > policy_.silence && !silent_) {
      silent_ = true;
      current_->TryCancel();
    }
  }

 private:
  void post(Item item) {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(item));
    cv_.notify_all();
  }

  void post_end(grpc::Status status) {
    Item item;
    item.kind = Item::Kind::kEnd;
    item.status = std::move(status);
    post(std::move(item));
  }

  /// What run() carries from one call to the next.
  struct RunState {
    int attempt = 0;
    bool ever_received = false;
    bool reconnecting = false;
    // Not std::optional: GCC 12 at -O2 misreports it as maybe-uninitialized.
    bool failing = false;
    SteadyClock::time_point failing_since{};
  };

  /// How a call ended, as seen under the lock.
  struct CallEnd {
    bool stopping = false;
    bool silent = false;
  };

  void run() {
    RunState st;
    st.ever_received = hooks_.server_reached;
    for (;;) {
      auto ctx = hooks_.make_context();
      if (!begin_call(ctx.get())) break;
      auto reader = hooks_.open(*ctx, cursor_);
      const bool last = read_all(*reader, st);
      grpc::Status status = reader->Finish();
      const CallEnd end = end_call();
      if (end.stopping) break;
      if (status.ok() && last) {
        post_end(grpc::Status::OK);
        return;
      }
      if (!wait_to_retry(failure_status(std::move(status), end.silent), st)) return;
    }
    post_end(grpc::Status(grpc::StatusCode::CANCELLED, "stopped"));
  }

  /// Makes `ctx` the call in progress; false when stopping (no call then).
  bool begin_call(grpc::ClientContext* ctx) {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    current_ = ctx;
    last_activity_ = SteadyClock::now();
    silent_ = false;
    return true;
  }

  /// Reads the call to its end, posting each update (after a kReconnected
  /// note for the first one after a reconnect). Whether the stream's last
  /// word arrived.
  bool read_all(grpc::ClientReaderInterface<Update>& reader, RunState& st) {
    Update update;
    bool last = false;
    while (reader.Read(&update)) {
      {
        std::lock_guard lock(mutex_);
        last_activity_ = SteadyClock::now();
      }
      if (st.reconnecting) {
        Item note;
        note.kind = Item::Kind::kReconnected;
        note.cursor = cursor_;
        post(std::move(note));
        st.reconnecting = false;
      }
      st.ever_received = true;
      st.attempt = 0;
      st.failing = false;
      std::int64_t c = hooks_.cursor_of(update);
      cursor_ = cursor_ ? std::max(*cursor_, c) : c;
      last = last || hooks_.is_last(update);
      Item item;
      item.kind = Item::Kind::kUpdate;
      item.received = std::chrono::system_clock::now();
      item.update = update;
      post(std::move(item));
    }
    return last;
  }

  /// No call in progress any more; whether stop() or check_silence() ended it.
  CallEnd end_call() {
    std::lock_guard lock(mutex_);
    current_ = nullptr;
    return {stopping_, silent_};
  }

  /// Why a call that was not the stream's proper end ended.
  grpc::Status failure_status(grpc::Status status, bool silent) const {
    if (silent) {
      return {grpc::StatusCode::DEADLINE_EXCEEDED,
              "no message from the server for " + std::to_string(policy_.silence.count() / 1000) +
                  " s"};
    }
    if (status.ok()) return {grpc::StatusCode::UNAVAILABLE, "the stream ended early"};
    return status;
  }

  /// After a failed call: either posts the end and returns false, or posts
  /// kReconnecting, waits out the backoff delay (or a stop) and returns true.
  bool wait_to_retry(const grpc::Status& status, RunState& st) {
    // A first call that fails is an answer (wrong address, unknown id):
    // report it. Later failures are a lost connection: retry.
    if (!st.ever_received || !is_retryable(status.error_code())) {
      post_end(status);
      return false;
    }
    const auto now = SteadyClock::now();
    if (!st.failing) {
      st.failing = true;
      st.failing_since = now;
    }
    if (now - st.failing_since >= policy_.give_up) {
      post_end(
          grpc::Status(status.error_code(), "gave up reconnecting after " +
                                                std::to_string(policy_.give_up.count() / 1000) +
                                                " s: " + status.error_message()));
      return false;
    }
    Item note;
    note.kind = Item::Kind::kReconnecting;
    note.status = status;
    note.delay = backoff_delay(st.attempt, policy_);
    note.attempt = ++st.attempt;
    note.cursor = cursor_;
    st.reconnecting = true;
    const auto delay = note.delay;
    post(std::move(note));
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, delay, [this] { return stopping_; });
    return true;
  }

  Hooks hooks_;
  std::optional<std::int64_t> cursor_;  ///< reader thread only
  ReconnectPolicy policy_;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> items_;
  bool stopping_ = false;
  grpc::ClientContext* current_ = nullptr;  ///< the call in progress
  SteadyClock::time_point last_activity_;   ///< call start or last message
  bool silent_ = false;                     ///< check_silence cancelled the call
};

/// SIGINT and SIGTERM set a flag instead of killing the process while this
/// lives (the previous handlers come back afterwards).
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// Whether Ctrl-C (or SIGTERM) arrived.
  static bool interrupted();
};

}  // namespace auction::cli
