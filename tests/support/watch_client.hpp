#pragma once
/// Server streams (WatchAuction, WatchNotifications) read with gRPC's callback
/// API: one reactor per stream and no thread per stream, so a test can hold
/// thousands of them. Messages are collected and can be waited for with a
/// deadline; a reader can stop asking for messages (a slow client) and resume.
#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auction/v1/auction.grpc.pb.h"

namespace auction::test {

namespace v1 = ::auction::v1;

/// How much slower a sanitizer build runs. The suites multiply their time
/// budgets by it (short auctions, ENDING_SOON lead times, "within 1 s"),
/// so that ThreadSanitizer or ASan runs do not fail on timing alone.
#if defined(__SANITIZE_THREAD__)
inline constexpr std::int64_t kSlowdown = 5;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr std::int64_t kSlowdown = 2;
#else
inline constexpr std::int64_t kSlowdown = 1;
#endif

template <class Msg>
struct StreamOptions {
  /// Keep every message (messages(), wait_for()); off for huge fan-outs.
  bool keep = true;
  /// Stop asking for messages once this many have arrived (0 = never): the
  /// server then has a client that does not read. resume() reads again.
  std::size_t pause_after = 0;
  /// Called for every message, under the reader's lock, in arrival order.
  std::function<void(const Msg&)> on_message;
  /// Deadline of the whole stream (bounds every test that forgets to cancel).
  std::chrono::milliseconds deadline{std::chrono::minutes(5)};
  /// `authorization: Bearer <token>` when not empty.
  std::string token;
  /// Messages that only keep the stream alive: collected apart (heartbeats()),
  /// neither counted nor kept with the others nor passed to on_message.
  std::function<bool(const Msg&)> is_heartbeat;
};

/// One server-streaming call. Create with watch_auction() or
/// watch_notifications(); destroying it cancels the call and waits for its end.
template <class Msg>
class StreamReader final : public grpc::ClientReadReactor<Msg> {
 public:
  using Messages = std::vector<Msg>;

  explicit StreamReader(StreamOptions<Msg> options) : options_(std::move(options)) {
    context_.set_deadline(std::chrono::system_clock::now() + options_.deadline);
    if (!options_.token.empty()) context_.AddMetadata("authorization", "Bearer " + options_.token);
  }
  ~StreamReader() override {
    if (!locked([this] { return started_; })) return;
    context_.TryCancel();
    std::unique_lock lock(mu_);
    // A cancelled call always completes; the bound only guards against a hang.
    cv_.wait_for(lock, std::chrono::seconds(30), [&] { return status_.has_value(); });
  }
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  grpc::ClientContext* context() { return &context_; }

  /// After the stub has bound this reactor: asks for the first message and
  /// starts the call.
  void start() {
    {
      // Under the lock: gRPC threads read these, and the hand-off through
      // StartCall happens inside gRPC, where ThreadSanitizer cannot see it.
      std::lock_guard lock(mu_);
      started_ = true;
      reading_ = true;
    }
    this->StartRead(&incoming_);
    this->StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is over; OnDone follows
    bool again = false;
    {
      std::lock_guard lock(mu_);
      if (options_.is_heartbeat && options_.is_heartbeat(incoming_)) {
        heartbeats_.push_back(incoming_);
      } else {
        ++count_;
        if (options_.on_message) options_.on_message(incoming_);
        if (options_.keep) messages_.push_back(incoming_);
      }
      again = options_.pause_after == 0 || count_ < options_.pause_after;
      reading_ = again;
      cv_.notify_all();
    }
    if (again) this->StartRead(&incoming_);
  }

  void OnDone(const grpc::Status& status) override {
    // Notified under the lock: once the destructor sees the status, this
    // call no longer touches the reader (which may then be destroyed).
    std::lock_guard lock(mu_);
    status_ = status;
    reading_ = false;
    cv_.notify_all();
  }

  /// Reads again after pause_after stopped it.
  void resume() {
    {
      std::lock_guard lock(mu_);
      options_.pause_after = 0;
      if (reading_ || status_.has_value()) return;
      reading_ = true;
    }
    this->StartRead(&incoming_);
  }

  /// Cancels the call (the client goes away); OnDone follows with CANCELLED.
  void cancel() { context_.TryCancel(); }

  std::size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  Messages messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  Messages heartbeats() const {
    std::lock_guard lock(mu_);
    return heartbeats_;
  }
  std::optional<grpc::Status> status() const {
    std::lock_guard lock(mu_);
    return status_;
  }
  bool done() const { return status().has_value(); }

  /// Waits (at most `timeout`) until pred(kept messages) holds or the stream
  /// has ended. Returns whether pred holds.
  bool wait_for(const std::function<bool(const Messages&)>& pred,
                std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return pred(messages_) || status_.has_value(); });
    return pred(messages_);
  }
  /// Waits until at least n messages arrived (kept or not).
  bool wait_count(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return count_ >= n || status_.has_value(); });
    return count_ >= n;
  }
  /// Waits until at least n heartbeats arrived.
  bool wait_heartbeats(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return heartbeats_.size() >= n || status_.has_value(); });
    return heartbeats_.size() >= n;
  }
  /// Waits until the stream has ended; its status, or nothing on timeout.
  std::optional<grpc::Status> wait_done(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return status_.has_value(); });
    return status_;
  }
  /// Runs fn under the reader's lock (for state that on_message writes).
  template <class Fn>
  auto locked(Fn&& fn) const {
    std::lock_guard lock(mu_);
    return fn();
  }

  /// The request is kept here: the call may serialize it after start().
  std::unique_ptr<google::protobuf::Message> request;

 private:
  StreamOptions<Msg> options_;
  grpc::ClientContext context_;
  Msg incoming_;
  bool started_ = false;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool reading_ = false;
  std::size_t count_ = 0;
  Messages messages_;
  Messages heartbeats_;
  std::optional<grpc::Status> status_;
};

using AuctionWatch = StreamReader<v1::AuctionUpdate>;
using NotificationWatch = StreamReader<v1::Notification>;

/// Starts WatchAuction(auction_id, from_version).
std::unique_ptr<AuctionWatch> watch_auction(v1::AuctionService::Stub& stub,
                                            const std::string& auction_id,
                                            std::optional<std::int64_t> from_version = {},
                                            StreamOptions<v1::AuctionUpdate> options = {});

/// Starts WatchNotifications(after_seq) as the user with `token`
/// (options.token is overwritten). HEARTBEATs are set apart (heartbeats())
/// unless options.is_heartbeat is already set.
std::unique_ptr<NotificationWatch> watch_notifications(
    v1::UserService::Stub& stub, const std::string& token,
    std::optional<std::int64_t> after_seq = {}, StreamOptions<v1::Notification> options = {});

/// A channel like make_channel() whose HTTP/2 receive window stays at its
/// initial 64 KiB (no BDP probing): a stream that is not read backs up on
/// the server after about 64 KiB, not after many megabytes.
std::shared_ptr<grpc::Channel> make_small_window_channel(const std::string& address);

/// VmRSS of a process in KiB (from /proc/PID/status); -1 if unreadable.
std::int64_t rss_kib(pid_t pid);

/// Every notification of the user (ListNotifications, all pages), newest
/// first. Fails the current test (and returns what it has) on an error.
std::vector<v1::Notification> all_notifications(v1::UserService::Stub& stub,
                                                const std::string& token);

/// Polls all_notifications() (every 50 ms, at most `timeout`) until pred holds.
/// Returns the last list.
std::vector<v1::Notification> wait_notifications(
    v1::UserService::Stub& stub, const std::string& token,
    const std::function<bool(const std::vector<v1::Notification>&)>& pred,
    std::chrono::milliseconds timeout);

/// Number of notifications of `type` about `auction_id` in `list`.
std::size_t count_of(const std::vector<v1::Notification>& list, v1::Notification::Type type,
                     const std::string& auction_id);

/// "SNAPSHOT v3", "BID_PLACED v4", ... for assertion output.
std::string describe(const v1::AuctionUpdate& update);
std::string describe(const std::vector<v1::AuctionUpdate>& updates);
std::string describe(const v1::Notification& n);
std::string describe(const std::vector<v1::Notification>& list);

}  // namespace auction::test
