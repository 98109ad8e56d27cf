#include "server/streams.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/mapping.hpp"
#include "server/status.hpp"

namespace auction::server {
// ------------------------------------------------------------- registry

StreamRegistry::StreamRegistry(std::size_t max_streams)
    : max_(max_streams), kicker_([this] { kick_loop(); }) {}

StreamRegistry::~StreamRegistry() {
  {
    std::lock_guard lock(kick_mu_);
    kick_stop_ = true;
  }
  kick_cv_.notify_all();
  kicker_.join();
}

void StreamRegistry::kick(std::shared_ptr<OpenStream> stream) {
  {
    std::lock_guard lock(kick_mu_);
    kicks_.push_back(std::move(stream));
  }
  kick_cv_.notify_one();
}

void StreamRegistry::kick_loop() {
  std::vector<std::shared_ptr<OpenStream>> batch;
  for (;;) {
    {
      std::unique_lock lock(kick_mu_);
      kick_cv_.wait(lock, [this] { return kick_stop_ || !kicks_.empty(); });
      if (kicks_.empty()) return;
      batch.swap(kicks_);
    }
    for (auto& s : batch) s->kick();
    batch.clear();
  }
}

Result<bool> StreamRegistry::reserve() {
  if (stopping_.load()) return unavailable("the server is shutting down");
  std::size_t n = count_.load();
  do {
    if (n >= max_) {
      return resource_exhausted("too many open streams on this server; retry later");
    }
  } while (!count_.compare_exchange_weak(n, n + 1));
  return true;
}

void StreamRegistry::add(const std::shared_ptr<OpenStream>& stream) {
  bool late = false;
  {
    std::lock_guard lock(mu_);
    streams_.emplace(stream.get(), stream);
    late = stopping_.load();
  }
  // Shutdown began between reserve() and here: it did not see this one.
  if (late) stream->close(to_status(unavailable("the server is shutting down")));
}

void StreamRegistry::remove(const OpenStream* stream) {
  std::lock_guard lock(mu_);
  if (streams_.erase(stream) > 0) count_.fetch_sub(1);
}

void StreamRegistry::shutdown() {
  std::vector<std::shared_ptr<OpenStream>> open;
  {
    std::lock_guard lock(mu_);
    stopping_.store(true);
    for (auto& [ptr, weak] : streams_) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (auto& s : open) {
    s->close(to_status(unavailable("the server is shutting down; reconnect")));
  }
}

// --------------------------------------------------------- auction watch

std::shared_ptr<AuctionWatchStream> AuctionWatchStream::open(StreamRegistry& registry,
                                                             const WatchLimits& limits) {
  auto stream = std::make_shared<AuctionWatchStream>(registry, limits);
  {
    // Under the lock every later callback takes: gRPC may call OnCancel on
    // another thread, and hands the reactor over inside libgrpc++, so this
    // unlock is what orders the construction before it (for TSan too).
    std::lock_guard lock(stream->mu_);
    stream->self_ = stream;
  }
  registry.add(stream);
  return stream;
}

void AuctionWatchStream::push(const std::vector<actors::WatchUpdatePtr>& updates,
                              const actors::Coalescer& newest) {
  std::unique_lock lock(mu_);
  if (gate_.finished || final_written_) return;
  backlog_.push(updates, newest);
  kick_if_idle(lock);
}

void AuctionWatchStream::catch_up(const std::vector<actors::WatchUpdatePtr>& missed) {
  std::unique_lock lock(mu_);
  if (gate_.finished || final_written_) return;
  backlog_.push_catch_up(missed);
  kick_if_idle(lock);
}

void AuctionWatchStream::kick_if_idle(std::unique_lock<std::mutex>& lock) {
  // Called on the actor's thread: only queue; a write in flight picks the
  // update up when it completes, else the registry's thread starts one.
  if (gate_.writing || kick_pending_) return;
  kick_pending_ = true;
  lock.unlock();
  registry_.kick(shared_from_this());
}

void AuctionWatchStream::kick() {
  std::unique_lock lock(mu_);
  kick_pending_ = false;
  write_next(lock);
}

void AuctionWatchStream::hold_for_replay(actors::WatchUpdatePtr fallback) {
  std::lock_guard lock(mu_);
  backlog_.hold(std::move(fallback));
}

void AuctionWatchStream::replay(std::optional<std::vector<actors::WatchUpdatePtr>> missed) {
  std::unique_lock lock(mu_);
  backlog_.replay(std::move(missed));
  write_next(lock);
}

void AuctionWatchStream::fail(const Error& error) { close(to_status(error)); }

void AuctionWatchStream::close(const grpc::Status& status) {
  std::unique_lock lock(mu_);
  closed_.store(true, std::memory_order_relaxed);
  const auto now = gate_.finish(status);
  if (!now) return;
  lock.unlock();
  Finish(*now);
}

void AuctionWatchStream::write_next(std::unique_lock<std::mutex>& lock) {
  if (gate_.writing || gate_.finished) return;
  if (final_written_ || gate_.finish_after_write) {
    const grpc::Status status = gate_.finish_after_write.value_or(grpc::Status::OK);
    gate_.finished = true;
    closed_.store(true, std::memory_order_relaxed);
    lock.unlock();
    Finish(status);
    return;
  }
  actors::WatchUpdatePtr next = backlog_.pop();
  if (!next) return;
  to_proto(*next, &out_);
  final_written_ = next->final;
  gate_.writing = true;
  lock.unlock();
  StartWrite(&out_);
}

void AuctionWatchStream::OnWriteDone(bool ok) {
  std::unique_lock lock(mu_);
  gate_.write_done(ok);
  write_next(lock);
}

void AuctionWatchStream::OnDone() {
  closed_.store(true, std::memory_order_relaxed);
  registry_.remove(this);
  std::shared_ptr<AuctionWatchStream> self;
  {
    // gRPC runs OnDone after OnCancel returned, but orders the two inside
    // libgrpc++; taking the lock that close() held makes that order visible
    // (to ThreadSanitizer too) before our reference goes and an actor may
    // free the stream.
    std::lock_guard lock(mu_);
    self = std::move(self_);
  }
  // May destroy this object: nothing after it.
}

// ---------------------------------------------------- notification stream

std::shared_ptr<NotificationStream> NotificationStream::open(
    StreamRegistry& registry, NotificationHub& hub, actors::Engine& engine, UserId user,
    std::optional<std::int64_t> after_seq) {
  auto stream = std::make_shared<NotificationStream>(registry, hub, engine, user);
  {
    std::lock_guard lock(stream->mu_);  // as in AuctionWatchStream::open
    stream->self_ = stream;
  }
  registry.add(stream);
  // Subscribed before the first read, so nothing committed in between is missed.
  hub.add(user, stream);
  stream->start(after_seq);
  return stream;
}

void NotificationStream::start(std::optional<std::int64_t> after_seq) {
  std::unique_lock lock(mu_);
  if (after_seq) {
    cursor_ = *after_seq;
    fetch_locked();
    return;
  }
  // Only what is committed from now on: start after the newest one.
  fetching_ = true;
  auto self = shared_from_this();
  const bool queued = engine_.query([self](persistence::Repository& repo) {
    auto latest = repo.latest_notification_seq(self->user_);
    std::unique_lock inner(self->mu_);
    self->fetching_ = false;
    if (!latest) {
      self->finish_locked(inner, to_status(latest.error()));
      return;
    }
    self->cursor_ = *latest;
    if (self->dirty_) {
      self->dirty_ = false;
      self->fetch_locked();
    }
  });
  if (!queued) {
    fetching_ = false;
    finish_locked(lock, to_status(unavailable("the server is overloaded")));
  }
}

void NotificationStream::wake() {
  std::unique_lock lock(mu_);
  if (gate_.finished) return;
  if (fetching_ || gate_.writing || !queue_.empty() || cursor_ < 0) {
    dirty_ = true;
    return;
  }
  fetch_locked();
}

void NotificationStream::heartbeat_if_quiet(std::chrono::steady_clock::time_point quiet_since) {
  std::unique_lock lock(mu_);
  // Only an idle stream whose cursor is known: anything queued or in flight
  // is sent soon anyway, and the cursor is what the client resumes from.
  if (gate_.finished || gate_.writing || gate_.finish_after_write || !queue_.empty() ||
      cursor_ < 0 || last_sent_ > quiet_since) {
    return;
  }
  out_.Clear();
  out_.set_type(v1::Notification::HEARTBEAT);
  out_.set_seq(cursor_);
  to_proto(engine_.now(), out_.mutable_created_at());
  gate_.writing = true;
  last_sent_ = std::chrono::steady_clock::now();
  lock.unlock();
  StartWrite(&out_);
}

void NotificationStream::fetch_locked() {
  if (gate_.finished || fetching_) return;
  fetching_ = true;
  auto self = shared_from_this();
  const bool queued =
      engine_.query([self, user = user_, after = cursor_](persistence::Repository& repo) {
        self->on_fetched(repo.notifications_after(user, after, kFetch));
      });
  if (!queued) {
    // Try again on the next wake; the cursor has not moved.
    fetching_ = false;
    dirty_ = true;
  }
}

void NotificationStream::on_fetched(Result<std::vector<persistence::NotificationRecord>> rows) {
  std::unique_lock lock(mu_);
  fetching_ = false;
  if (!rows) {
    // The client resumes from its last seq: at-least-once, nothing lost.
    finish_locked(lock, to_status(rows.error()));
    return;
  }
  if (static_cast<int>(rows->size()) == kFetch) dirty_ = true;  // more to read
  for (auto& n : *rows) {
    cursor_ = std::max(cursor_, n.seq);
    queue_.push_back(std::move(n));
  }
  write_next(lock);
}

void NotificationStream::write_next(std::unique_lock<std::mutex>& lock) {
  if (gate_.writing || gate_.finished) return;
  if (gate_.finish_after_write) {
    const grpc::Status status = *gate_.finish_after_write;
    gate_.finished = true;
    lock.unlock();
    Finish(status);
    return;
  }
  if (queue_.empty()) {
    if (dirty_ && !fetching_) {
      dirty_ = false;
      fetch_locked();
    }
    return;
  }
  to_proto(queue_.front(), &out_);
  queue_.pop_front();
  gate_.writing = true;
  last_sent_ = std::chrono::steady_clock::now();
  lock.unlock();
  StartWrite(&out_);
}

void NotificationStream::finish_locked(std::unique_lock<std::mutex>& lock,
                                       const grpc::Status& status) {
  const auto now = gate_.finish(status);
  if (!now) return;
  lock.unlock();
  Finish(*now);
}

void NotificationStream::close(const grpc::Status& status) {
  std::unique_lock lock(mu_);
  finish_locked(lock, status);
}

void NotificationStream::OnWriteDone(bool ok) {
  std::unique_lock lock(mu_);
  gate_.write_done(ok);
  write_next(lock);
}

void NotificationStream::OnDone() {
  hub_.remove(user_, this);
  registry_.remove(this);
  std::shared_ptr<NotificationStream> self;
  {
    // As AuctionWatchStream::OnDone: after whatever close() held the lock.
    std::lock_guard lock(mu_);
    self = std::move(self_);
  }
  // May destroy this object: nothing after it.
}

// ------------------------------------------------------------------- hub

NotificationHub::NotificationHub(std::chrono::milliseconds heartbeat)
    : heartbeat_(heartbeat),
      heartbeats_(std::max(heartbeat / 2, std::chrono::milliseconds(1)),
                  [this] { send_heartbeats(); }) {}

void NotificationHub::send_heartbeats() {
  const auto quiet_since = std::chrono::steady_clock::now() - heartbeat_;
  for (auto& s : all_open()) s->heartbeat_if_quiet(quiet_since);
}

std::vector<std::shared_ptr<NotificationStream>> NotificationHub::all_open() {
  std::vector<std::shared_ptr<NotificationStream>> open;
  const std::lock_guard lock(mu_);
  open.reserve(streams_.size());
  for (const auto& [user, weak] : streams_) {
    if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  return open;
}

void NotificationHub::add(UserId user, const std::shared_ptr<NotificationStream>& stream) {
  std::lock_guard lock(mu_);
  streams_.emplace(user, stream);
}

void NotificationHub::remove(UserId user, const NotificationStream* stream) {
  std::lock_guard lock(mu_);
  auto [it, last] = streams_.equal_range(user);
  while (it != last) {
    auto s = it->second.lock();
    it = !s || s.get() == stream ? streams_.erase(it) : std::next(it);
  }
}

void NotificationHub::wake(const std::vector<UserId>& users) {
  std::vector<std::shared_ptr<NotificationStream>> woken;
  {
    std::lock_guard lock(mu_);
    for (UserId user : users) {
      auto [first, last] = streams_.equal_range(user);
      for (auto it = first; it != last; ++it) {
        if (auto s = it->second.lock()) woken.push_back(std::move(s));
      }
    }
  }
  for (auto& s : woken) s->wake();
}

}  // namespace auction::server
