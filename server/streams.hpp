#pragma once
/// Server-streaming RPCs: the watch streams of auctions and notifications,
/// the process-wide registry that caps and closes them, and the hub that
/// wakes a user's notification streams after a commit.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "actors/engine_api.hpp"
#include "actors/watch.hpp"
#include "actors/watch_backlog.hpp"
#include "auction/v1/auction.grpc.pb.h"
#include "server/periodic_thread.hpp"
#include "server/status.hpp"

namespace auction::server {

/// An open stream as the registry sees it.
class OpenStream {
 public:
  virtual ~OpenStream() = default;
  /// Ends the stream with `status` (after the write in flight, if any).
  virtual void close(const grpc::Status& status) = 0;
  /// Starts the next write if the stream is idle (see StreamRegistry::kick).
  virtual void kick() {}
};

/// Every open stream, for the cap and for shutdown.
class StreamRegistry {
 public:
  explicit StreamRegistry(std::size_t max_streams);
  ~StreamRegistry();
  StreamRegistry(const StreamRegistry&) = delete;
  StreamRegistry& operator=(const StreamRegistry&) = delete;
  /// Reserves a slot: RESOURCE_EXHAUSTED at the cap, UNAVAILABLE after
  /// shutdown began.
  Result<bool> reserve();
  void add(const std::shared_ptr<OpenStream>& stream);
  /// Frees the slot reserve() took.
  void remove(const OpenStream* stream);
  /// Closes every stream with UNAVAILABLE and refuses new ones.
  void shutdown();
  std::size_t open() const { return count_.load(); }
  /// Starts an idle stream's next write on the registry's own thread, so
  /// that an auction actor fanning out to thousands of watchers only queues
  /// (gRPC's write path never runs on CAF's threads).
  void kick(std::shared_ptr<OpenStream> stream);

 private:
  void kick_loop();

  const std::size_t max_;
  std::atomic<std::size_t> count_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::unordered_map<const OpenStream*, std::weak_ptr<OpenStream>> streams_;
  std::mutex kick_mu_;
  std::condition_variable kick_cv_;
  std::vector<std::shared_ptr<OpenStream>> kicks_;
  bool kick_stop_ = false;
  std::thread kicker_;
};

/// A reactor that only reports an error (cap reached, bad request).
template <class T>
class RejectedStream final : public grpc::ServerWriteReactor<T> {
 public:
  explicit RejectedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

/// How far one watcher may fall behind (see actors::WatchBacklog).
struct WatchLimits {
  std::size_t backlog = 64;
  actors::WatchBacklog::Clock::duration max_lag = std::chrono::milliseconds(50);
};

/// One write in flight at a time, and a stream finishes once: a finish that
/// comes while a write is in flight waits for it (guarded by the stream's lock).
struct WriteGate {
  bool writing = false;
  bool finished = false;
  std::optional<grpc::Status> finish_after_write;

  /// The status to finish with now; none when already finished, or when a
  /// write is in flight (the first such status then finishes after it).
  std::optional<grpc::Status> finish(const grpc::Status& status) {
    if (finished) return std::nullopt;
    if (writing) {
      if (!finish_after_write) finish_after_write = status;
      return std::nullopt;
    }
    finished = true;
    return status;
  }
  /// A write completed; a failed one means the client is gone.
  void write_done(bool ok) {
    writing = false;
    if (!ok && !finish_after_write) finish_after_write = cancelled("the stream broke");
  }
};

/// WatchAuction: the auction's actor pushes shared updates into a bounded
/// backlog; one write is in flight at a time.
class AuctionWatchStream final : public grpc::ServerWriteReactor<v1::AuctionUpdate>,
                                 public actors::WatchSink,
                                 public OpenStream,
                                 public std::enable_shared_from_this<AuctionWatchStream> {
 public:
  /// Call after StreamRegistry::reserve() succeeded.
  static std::shared_ptr<AuctionWatchStream> open(StreamRegistry& registry,
                                                  const WatchLimits& limits);

  void push(const std::vector<actors::WatchUpdatePtr>& updates,
            const actors::Coalescer& newest) override;
  void catch_up(const std::vector<actors::WatchUpdatePtr>& missed) override;
  void hold_for_replay(actors::WatchUpdatePtr fallback) override;
  void replay(std::optional<std::vector<actors::WatchUpdatePtr>> missed) override;
  void fail(const Error& error) override;
  bool closed() const override { return closed_.load(std::memory_order_relaxed); }
  void close(const grpc::Status& status) override;
  void kick() override;

  void OnWriteDone(bool ok) override;
  void OnCancel() override { close(cancelled("cancelled by the client")); }
  void OnDone() override;

  AuctionWatchStream(StreamRegistry& registry, const WatchLimits& limits)
      : registry_(registry), backlog_(limits.backlog, limits.max_lag) {}

 private:
  /// Has the registry's thread start a write unless one is in flight or
  /// already asked for; releases the lock.
  void kick_if_idle(std::unique_lock<std::mutex>& lock);
  /// Starts the next write if none is in flight; releases the lock.
  void write_next(std::unique_lock<std::mutex>& lock);

  StreamRegistry& registry_;
  std::mutex mu_;
  actors::WatchBacklog backlog_;
  v1::AuctionUpdate out_;
  WriteGate gate_;
  bool kick_pending_ = false;
  bool final_written_ = false;
  std::atomic<bool> closed_{false};
  std::shared_ptr<AuctionWatchStream> self_;  ///< alive until OnDone
};

class NotificationHub;

/// WatchNotifications: reads the user's notifications after a cursor from
/// the database whenever the hub says new ones were committed.
class NotificationStream final : public grpc::ServerWriteReactor<v1::Notification>,
                                 public OpenStream,
                                 public std::enable_shared_from_this<NotificationStream> {
 public:
  static std::shared_ptr<NotificationStream> open(StreamRegistry& registry, NotificationHub& hub,
                                                  actors::Engine& engine, UserId user,
                                                  std::optional<std::int64_t> after_seq);
  /// New notifications may exist.
  void wake();
  /// Sends a HEARTBEAT (the cursor, the server's time) when the stream is
  /// idle and has sent nothing since `quiet_since`.
  void heartbeat_if_quiet(std::chrono::steady_clock::time_point quiet_since);
  void close(const grpc::Status& status) override;

  void OnWriteDone(bool ok) override;
  void OnCancel() override { close(cancelled("cancelled by the client")); }
  void OnDone() override;

  NotificationStream(StreamRegistry& registry, NotificationHub& hub, actors::Engine& engine,
                     UserId user)
      : registry_(registry), hub_(hub), engine_(engine), user_(user) {}

 private:
  static constexpr int kFetch = 100;
  void start(std::optional<std::int64_t> after_seq);
  void fetch_locked();
  void on_fetched(Result<std::vector<persistence::NotificationRecord>> rows);
  void write_next(std::unique_lock<std::mutex>& lock);
  void finish_locked(std::unique_lock<std::mutex>& lock, const grpc::Status& status);

  StreamRegistry& registry_;
  NotificationHub& hub_;
  actors::Engine& engine_;
  const UserId user_;
  std::mutex mu_;
  std::deque<persistence::NotificationRecord> queue_;
  std::int64_t cursor_ = -1;  ///< newest seq fetched; -1 until known
  bool fetching_ = false;
  bool dirty_ = false;  ///< woken while fetching or writing
  std::chrono::steady_clock::time_point last_sent_ = std::chrono::steady_clock::now();
  WriteGate gate_;
  v1::Notification out_;
  std::shared_ptr<NotificationStream> self_;
};

/// Which users have notification streams open; gives each a HEARTBEAT when
/// it has been quiet for `heartbeat` (a thread of its own wakes every half
/// interval, so a heartbeat is at most 1.5 intervals apart).
class NotificationHub {
 public:
  explicit NotificationHub(std::chrono::milliseconds heartbeat = std::chrono::seconds(4));
  NotificationHub(const NotificationHub&) = delete;
  NotificationHub& operator=(const NotificationHub&) = delete;
  NotificationHub(NotificationHub&&) = delete;
  NotificationHub& operator=(NotificationHub&&) = delete;

  void add(UserId user, const std::shared_ptr<NotificationStream>& stream);
  void remove(UserId user, const NotificationStream* stream);
  void wake(const std::vector<UserId>& users);

 private:
  void send_heartbeats();
  std::vector<std::shared_ptr<NotificationStream>> all_open();

  const std::chrono::milliseconds heartbeat_;
  std::mutex mu_;
  std::unordered_multimap<UserId, std::weak_ptr<NotificationStream>> streams_;
  PeriodicThread heartbeats_;  ///< last: runs once the rest is set
};

}  // namespace auction::server
