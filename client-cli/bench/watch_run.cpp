// bench watch: W WatchAuction streams (async API) on one auction, bids at
// a fixed rate, and the delay from each bid's send to its delivery.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/util/time_util.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include "auction/v1/auction.grpc.pb.h"
#include "bench/setup.hpp"
#include "bench/watch.hpp"
#include "json_output.hpp"
#include "parse.hpp"

namespace auction::cli::bench {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

struct WatchArgs {
  int watchers = 1000;
  double bid_rate = 10.0;
  std::string duration = "10s";
  std::string auction;
  int bidders = 0;  ///< 0: enough to keep each under the server's per-user rate
  int per_channel = 500;
  long server_pid = 0;
  std::string ready_timeout = "60s";
  std::string drain = "10s";
  std::string call_timeout = "5s";
  int setup_concurrency = 16;
};

constexpr Money kStartingPrice = 100;  // 1.00
/// Bids per second per bidder when --bidders is not given: well below
/// auctiond's default per-user limit (--bid-rate-limit 20).
constexpr double kBidsPerBidder = 10.0;
/// Bids in flight beyond this are not sent (the server is not keeping up).
constexpr int kMaxBidsInFlight = 512;
/// At most this many deliveries are recorded over all watchers (24 B each).
constexpr std::size_t kMaxRecordedDeliveries = 40'000'000;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

double seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

/// CPU seconds (user + system) this process used so far.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

/// What the watchers share: counts the driver waits on.
struct WatchShared {
  std::mutex mutex;
  std::condition_variable cv;
  int ready = 0;         ///< got their SNAPSHOT
  int failed_early = 0;  ///< ended before their SNAPSHOT
  int done = 0;          ///< finished (status known)
  SteadyClock::time_point last_ready;

  void notify() { cv.notify_all(); }
};

/// One stream, on the async API: the callback API puts every stream's
/// pending read on one process-wide completion queue, and Debian's gRPC
/// (built without NDEBUG) scans a queue's outstanding operations on every
/// completion, so 10,000 streams there would make the load generator, not
/// the server, the bottleneck. Streams are spread over several queues. The
/// call is generic (raw bytes) and decodes only each message's type and
/// version, the first two fields: the bench shares the server's cores, and
/// decoding whole SNAPSHOTs would take them from the server it measures.
class Watcher {
 public:
  enum class Op : std::uint8_t { kStarted = 0, kWritten = 1, kRead = 2, kFinished = 3 };

  Watcher(std::shared_ptr<WatchShared> shared, std::size_t max_deliveries)
      : shared_(std::move(shared)), max_deliveries_(max_deliveries) {
    for (std::size_t i = 0; i < tags_.size(); ++i) tags_[i].op = static_cast<Op>(i);
  }

  void start(grpc::GenericStub& stub, grpc::CompletionQueue& cq, const grpc::ByteBuffer& request,
             std::chrono::system_clock::time_point deadline) {
    ctx_.set_deadline(deadline);
    request_ = request;
    call_ = stub.PrepareCall(&ctx_, "/auction.v1.AuctionService/WatchAuction", &cq);
    // Published to the queue's thread, which acquires it from the tag (the
    // hand-off inside the completion queue is invisible to ThreadSanitizer).
    for (auto& t : tags_) t.watcher.store(this, std::memory_order_release);
    call_->StartCall(tag(Op::kStarted));
  }

  /// A completion queue tag: which stream, which operation.
  struct Tag {
    std::atomic<Watcher*> watcher{nullptr};
    Op op = Op::kStarted;
  };
  void* tag(Op op) { return &tags_[static_cast<std::size_t>(op)]; }

  /// A completion from the queue's thread; one operation is pending at a time.
  void on_completion(Op op, bool ok) {
    if (!ok && op != Op::kFinished) {
      call_->Finish(&status_, tag(Op::kFinished));
      return;
    }
    switch (op) {
      case Op::kStarted:
        call_->WriteLast(request_, grpc::WriteOptions(), tag(Op::kWritten));
        break;
      case Op::kRead:
        handle(now_ns());
        [[fallthrough]];
      case Op::kWritten:
        call_->Read(&message_, tag(Op::kRead));
        break;
      case Op::kFinished:
        finished();
        break;
    }
  }

  void finished() {
    std::lock_guard lock(shared_->mutex);
    if (!got_snapshot_) ++shared_->failed_early;
    ++shared_->done;
    done_ = true;
    shared_->notify();
  }

  void cancel() { ctx_.TryCancel(); }

  std::int64_t last_version() const { return last_version_.load(std::memory_order_acquire); }

  // Read only after finished() (under WatchShared::mutex, which it took).
  bool done() const { return done_; }
  const grpc::Status& status() const { return status_; }
  bool got_snapshot() const { return got_snapshot_; }
  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  std::int64_t coalesced() const { return coalesced_; }
  std::int64_t gaps() const { return gaps_; }
  std::int64_t malformed() const { return malformed_; }
  std::int64_t updates() const { return updates_; }
  std::int64_t heartbeats() const { return heartbeats_; }
  std::int64_t dropped() const { return dropped_; }

 private:
  void record(const Delivery& d) {
    if (deliveries_.size() < max_deliveries_) {
      deliveries_.push_back(d);
    } else {
      ++dropped_;
    }
  }

  /// AuctionUpdate's `type` (1) and `version` (2); false if malformed.
  bool decode_head(int* type, std::int64_t* version) {
    grpc::ProtoBufferReader reader(&message_);
    google::protobuf::io::CodedInputStream in(&reader);
    bool have_type = false;
    bool have_version = false;
    *type = 0;  // absent = the default (proto3 omits zeros)
    *version = 0;
    while (!(have_type && have_version)) {
      const std::uint32_t t = in.ReadTag();
      if (t == 0) return true;
      if (t == ((1U << 3) | 0U)) {
        std::uint32_t raw = 0;
        if (!in.ReadVarint32(&raw)) return false;
        *type = static_cast<int>(raw);
        have_type = true;
      } else if (t == ((2U << 3) | 0U)) {
        std::uint64_t raw = 0;
        if (!in.ReadVarint64(&raw)) return false;
        *version = static_cast<std::int64_t>(raw);
        have_version = true;
      } else if (!google::protobuf::internal::WireFormatLite::SkipField(&in, t)) {
        return false;
      }
    }
    return true;
  }

  void handle(std::int64_t at) {
    ++updates_;
    int type = 0;
    std::int64_t v = 0;
    if (!decode_head(&type, &v)) {
      ++malformed_;
      return;
    }
    const std::int64_t last = last_version_.load(std::memory_order_relaxed);
    switch (type) {
      case v1::AuctionUpdate::SNAPSHOT:
        if (!got_snapshot_) {
          last_version_.store(v, std::memory_order_release);
          std::lock_guard lock(shared_->mutex);
          got_snapshot_ = true;
          ++shared_->ready;
          shared_->last_ready = SteadyClock::now();
          shared_->notify();
        } else if (v > last) {
          if (v > last + 1) ++coalesced_;
          record({last + 1, v, at, false});
          last_version_.store(v, std::memory_order_release);
        }
        break;
      case v1::AuctionUpdate::BID_PLACED:
        if (v <= last) break;  // seen
        if (v > last + 1) ++gaps_;
        record({v, v, at, true});
        last_version_.store(v, std::memory_order_release);
        break;
      case v1::AuctionUpdate::HEARTBEAT:
        ++heartbeats_;
        break;
      default:
        if (v > last) last_version_.store(v, std::memory_order_release);
        break;
    }
  }

  std::shared_ptr<WatchShared> shared_;
  std::size_t max_deliveries_;
  grpc::ClientContext ctx_;
  grpc::ByteBuffer request_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  std::array<Tag, 4> tags_;  ///< one per Op; the watcher is stored by start()
  grpc::ByteBuffer message_;
  std::int64_t malformed_ = 0;
  grpc::Status status_;
  std::atomic<std::int64_t> last_version_{0};
  bool got_snapshot_ = false;
  bool done_ = false;
  std::vector<Delivery> deliveries_;
  std::int64_t coalesced_ = 0;
  std::int64_t gaps_ = 0;
  std::int64_t updates_ = 0;
  std::int64_t heartbeats_ = 0;
  std::int64_t dropped_ = 0;
};

/// What the bid callbacks share; kept alive by them.
struct BidShared {
  BidShared(Money minimum, Money fixed_increment) : amounts(minimum, fixed_increment) {}
  BidAmounts amounts;
  SentBids sent;
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;
  std::int64_t accepted = 0;
  std::map<int, std::int64_t> rejected;
  std::map<int, std::int64_t> errors;
};

struct BidCall {
  grpc::ClientContext ctx;
  v1::PlaceBidRequest request;
  v1::PlaceBidResponse reply;
  std::int64_t sent_ns = 0;
};

void send_bid(v1::AuctionService::Stub& stub, const std::shared_ptr<BidShared>& shared,
              const std::string& auction_id, const std::string& authorization,
              std::chrono::milliseconds timeout) {
  auto* call = new BidCall;
  call->ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  call->ctx.AddMetadata("authorization", authorization);
  call->request.set_auction_id(auction_id);
  call->request.set_max_amount(shared->amounts.next());
  call->sent_ns = now_ns();
  stub.async()->PlaceBid(&call->ctx, &call->request, &call->reply,
                         [call, shared](const grpc::Status& status) {
                           std::unique_ptr<BidCall> owned(call);
                           if (status.ok() && owned->reply.minimum_next_bid() > 0) {
                             shared->amounts.observe_minimum(owned->reply.minimum_next_bid());
                           }
                           if (status.ok() && owned->reply.accepted()) {
                             shared->sent.add(owned->reply.version(), owned->sent_ns);
                           }
                           std::lock_guard lock(shared->mutex);
                           if (!status.ok()) {
                             ++shared->errors[static_cast<int>(status.error_code())];
                           } else if (owned->reply.accepted()) {
                             ++shared->accepted;
                           } else {
                             ++shared->rejected[static_cast<int>(owned->reply.reject_reason())];
                           }
                           --shared->in_flight;
                           shared->cv.notify_all();
                         });
}

/// GetAuction; throws unless the auction takes bids.
v1::GetAuctionResponse get_open_auction(const GlobalOptions& opts, v1::AuctionService::Stub& stub,
                                        const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + opts.timeout());
  v1::GetAuctionRequest req;
  req.set_auction_id(id);
  v1::GetAuctionResponse reply;
  auto status = stub.GetAuction(&ctx, req, &reply);
  if (!status.ok()) {
    throw RpcError(grpc::Status(status.error_code(),
                                "bench watch: auction " + id + ": " + status.error_message()));
  }
  if (reply.auction().status() != v1::AUCTION_STATUS_ACTIVE) {
    throw CliError("bench watch: auction " + id + " is not active");
  }
  return reply;
}

/// The run's durations, parsed and checked.
struct WatchTimes {
  std::chrono::milliseconds duration;
  std::chrono::milliseconds ready_timeout;
  std::chrono::milliseconds call_timeout;
  std::chrono::milliseconds drain;
};

WatchTimes parse_times(const WatchArgs& args) {
  const WatchTimes t{parse_duration("--duration", args.duration),
                     parse_duration("--ready-timeout", args.ready_timeout),
                     parse_duration("--call-timeout", args.call_timeout),
                     parse_duration("--drain", args.drain)};
  if (t.duration <= 0s) throw UsageError("--duration must be positive");
  if (t.duration > 24h) throw UsageError("--duration must be at most 24h");
  if (t.call_timeout <= 0s) throw UsageError("--call-timeout must be positive");
  return t;
}

/// Users (and the auction, unless given): the ordinary bench fixture.
Fixture build_watch_fixture(const GlobalOptions& opts, const WatchArgs& args,
                            const WatchTimes& times, v1::UserService::Stub& users,
                            v1::AuctionService::Stub& auctions) {
  if (args.bidders == 1) throw UsageError("--bidders must be at least 2 (they alternate)");
  const int bidders =
      args.bidders > 0 ? args.bidders
                       : std::max(2, static_cast<int>(std::ceil(args.bid_rate / kBidsPerBidder)));
  FixtureConfig fc;
  fc.bidders = static_cast<std::size_t>(bidders);
  fc.auctions = args.auction.empty() ? 1 : 0;
  fc.starting_price = kStartingPrice;
  fc.concurrency = args.setup_concurrency;
  const auto needed =
      std::chrono::duration_cast<std::chrono::seconds>(times.duration + times.ready_timeout);
  fc.auction_seconds = std::max<std::int64_t>(3600, needed.count() + 600);
  return build_fixture(opts, users, auctions, fc, std::cerr);
}

/// The result's configuration part, and the server's RSS before the streams.
WatchBenchResult configured_result(const GlobalOptions& opts, const WatchArgs& args,
                                   const Fixture& fixture, const std::string& auction_id,
                                   int channel_count, const WatchTimes& times) {
  WatchBenchResult r;
  r.server = opts.server;
  r.prefix = fixture.prefix;
  r.auction_id = auction_id;
  r.watchers = args.watchers;
  r.channels = channel_count;
  r.bidders = fixture.bidders.size();
  r.bid_rate = args.bid_rate;
  r.duration_s = seconds(times.duration);
  if (args.server_pid > 0) {
    r.rss_before_kib = read_rss_kib(args.server_pid);
    if (!r.rss_before_kib) {
      std::cerr << "warning: cannot read /proc/" << args.server_pid << "/status" << std::endl;
    }
  }
  return r;
}

/// The run's streams, and a thread per completion queue that hands the
/// queue's completions to them.
struct WatchStreams {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;  ///< one per channel
  std::shared_ptr<WatchShared> shared = std::make_shared<WatchShared>();
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues;
  std::vector<std::thread> queue_threads;
};

std::vector<std::unique_ptr<grpc::GenericStub>> make_generic_stubs(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels, int channel_count) {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  stubs.reserve(static_cast<std::size_t>(channel_count));
  for (int c = 0; c < channel_count; ++c)
    stubs.push_back(std::make_unique<grpc::GenericStub>(channels[static_cast<std::size_t>(c)]));
  return stubs;
}

/// The WatchAuction request, encoded once for every stream.
grpc::ByteBuffer watch_request_bytes(const std::string& auction_id) {
  v1::WatchAuctionRequest watch_request;
  watch_request.set_auction_id(auction_id);
  grpc::ByteBuffer request_bytes;
  bool own_buffer = false;
  if (!grpc::GenericSerialize<grpc::ProtoBufferWriter, v1::WatchAuctionRequest>(
           watch_request, &request_bytes, &own_buffer)
           .ok()) {
    throw CliError("bench watch: cannot encode the WatchAuction request");
  }
  return request_bytes;
}

/// One completion queue, and a thread reading it, per 1,000 streams (at most 16).
void start_queues(WatchStreams& streams, int watchers) {
  const int queue_count = std::clamp((watchers + 999) / 1000, 1, 16);
  for (int q = 0; q < queue_count; ++q) {
    streams.queues.push_back(std::make_unique<grpc::CompletionQueue>());
    streams.queue_threads.emplace_back([cq = streams.queues.back().get()] {
      void* tag = nullptr;
      bool ok = false;
      while (cq->Next(&tag, &ok)) {
        const auto* t = static_cast<const Watcher::Tag*>(tag);
        Watcher* watcher = t->watcher.load(std::memory_order_acquire);
        watcher->on_completion(t->op, ok);
      }
    });
  }
}

/// Opens the streams (watcher i on channel i / per_channel) and waits for
/// their SNAPSHOTs; fills in the result's stream and RSS-with-streams parts.
void open_streams(WatchStreams& streams, const WatchArgs& args, const grpc::ByteBuffer& request,
                  const WatchTimes& times, WatchBenchResult& r) {
  const auto expected_per_watcher =
      static_cast<std::size_t>(std::ceil(args.bid_rate * seconds(times.duration)) * 1.2 + 16);
  const std::size_t cap = std::min(
      expected_per_watcher, kMaxRecordedDeliveries / static_cast<std::size_t>(args.watchers));
  // Every stream ends by this deadline at the latest.
  const auto stream_deadline = std::chrono::system_clock::now() + times.ready_timeout +
                               times.duration + times.call_timeout + times.drain + 30s;
  streams.watchers.reserve(static_cast<std::size_t>(args.watchers));
  start_queues(streams, args.watchers);
  const auto queue_count = streams.queues.size();
  std::cerr << "bench watch: opening " << args.watchers << " streams on auction " << r.auction_id
            << " over " << r.channels << " channel(s)" << std::endl;
  const auto open_start = SteadyClock::now();
  for (int i = 0; i < args.watchers; ++i) {
    streams.watchers.push_back(std::make_unique<Watcher>(streams.shared, cap));
    streams.watchers.back()->start(*streams.stubs[static_cast<std::size_t>(i / args.per_channel)],
                                   *streams.queues[static_cast<std::size_t>(i) % queue_count],
                                   request, stream_deadline);
  }
  auto& shared = *streams.shared;
  {
    std::unique_lock lock(shared.mutex);
    shared.cv.wait_until(lock, open_start + times.ready_timeout,
                         [&] { return shared.ready + shared.failed_early >= args.watchers; });
    r.ready = shared.ready;
    r.ready_s = shared.ready > 0 ? seconds(shared.last_ready - open_start) : 0.0;
  }
  std::cerr << "bench watch: " << r.ready << " of " << args.watchers
            << " streams got their snapshot in " << r.ready_s << " s" << std::endl;
  if (args.server_pid > 0) r.rss_open_kib = read_rss_kib(args.server_pid);
}

/// Bids at a fixed rate for the run's duration, the bidders (`auth`) in
/// turn, then waits (bounded) for the replies.
void bid_at_rate(v1::AuctionService::Stub& stub, const std::shared_ptr<BidShared>& bids,
                 const std::vector<std::string>& auth, const WatchArgs& args,
                 const WatchTimes& times, WatchBenchResult& r) {
  std::cerr << "bench watch: bidding at " << args.bid_rate << "/s for " << args.duration
            << std::endl;
  const auto period = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double>(1.0 / args.bid_rate));
  const auto t0 = SteadyClock::now();
  const auto t_end = t0 + times.duration;
  for (std::int64_t i = 0;; ++i) {
    const auto due = t0 + period * i;
    if (due >= t_end) break;
    std::this_thread::sleep_until(due);
    {
      std::lock_guard lock(bids->mutex);
      if (bids->in_flight >= kMaxBidsInFlight) {
        ++r.skipped;
        continue;
      }
      ++bids->in_flight;
    }
    ++r.sent;
    send_bid(stub, bids, r.auction_id, auth[static_cast<std::size_t>(i) % auth.size()],
             times.call_timeout);
  }
  r.window_s = seconds(SteadyClock::now() - t0);
  std::unique_lock lock(bids->mutex);
  bids->cv.wait_for(lock, times.call_timeout + 2s, [&] { return bids->in_flight == 0; });
}

/// Lets the last deliveries arrive: until every watcher has `final_version`
/// or every stream ended, for at most `drain`.
void await_deliveries(const WatchStreams& streams, std::int64_t final_version, int watchers,
                      std::chrono::milliseconds drain) {
  const auto drain_end = SteadyClock::now() + drain;
  while (SteadyClock::now() < drain_end) {
    bool all = std::all_of(streams.watchers.begin(), streams.watchers.end(),
                           [&](const auto& w) { return w->last_version() >= final_version; });
    if (all) break;
    {
      std::lock_guard lock(streams.shared->mutex);
      if (streams.shared->done >= watchers) break;
    }
    std::this_thread::sleep_for(10ms);
  }
}

/// Cancels every stream; whether all of them finished within 15 s.
bool close_streams(WatchStreams& streams, int watchers) {
  for (const auto& w : streams.watchers) w->cancel();
  auto& shared = *streams.shared;
  std::unique_lock lock(shared.mutex);
  return shared.cv.wait_for(lock, 15s, [&] { return shared.done >= watchers; });
}

void collect_bids(BidShared& bids, WatchBenchResult& r) {
  std::lock_guard lock(bids.mutex);
  r.accepted = bids.accepted;
  r.rejected = bids.rejected;
  r.errors = bids.errors;
}

/// The finished streams' counts, and each delivery matched to its bid's
/// send time: the latencies.
void collect_deliveries(const WatchStreams& streams, const SentBids& sent, WatchBenchResult& r) {
  std::vector<std::int64_t> latencies;
  latencies.reserve(static_cast<std::size_t>(sent.size()) *
                    static_cast<std::size_t>(std::max(r.ready, 0)));
  {
    std::lock_guard lock(streams.shared->mutex);  // finished() wrote under it
    for (const auto& w : streams.watchers) {
      if (!w->done()) continue;
      const auto code = w->status().error_code();
      if (code != grpc::StatusCode::CANCELLED && code != grpc::StatusCode::OK) {
        ++r.watcher_errors[static_cast<int>(code)];
      }
      if (w->coalesced() > 0) ++r.coalesced_watchers;
      r.updates += w->updates();
      r.heartbeats += w->heartbeats();
      r.gaps += w->gaps();
      r.malformed += w->malformed();
      r.dropped += w->dropped();
      for (const auto& d : w->deliveries()) {
        const std::size_t n = sent.match(d, latencies);
        if (n == 0 && d.bid_event) ++r.unmatched;
      }
    }
  }
  r.deliveries = static_cast<std::int64_t>(latencies.size());
  r.expected_deliveries = r.accepted * r.ready;
  r.latency = summarize(latencies);
}

/// Stops the queue threads; when some stream did not finish, leaves it, its
/// channel and its queue alive instead (the process ends right after the report).
void release_streams(WatchStreams& streams, std::vector<std::shared_ptr<grpc::Channel>>& channels,
                     bool all_done) {
  if (!all_done) {
    // A stream that did not finish still references its reactor and channel:
    // leave them alive (the process ends right after the report).
    std::cerr << "warning: bench watch: some streams did not close within 15 s" << std::endl;
    for (auto& w : streams.watchers) static_cast<void>(w.release());
    static_cast<void>(new auto(std::move(streams.stubs)));
    static_cast<void>(new auto(std::move(channels)));
    for (auto& q : streams.queues) static_cast<void>(q.release());
    for (auto& t : streams.queue_threads) t.detach();
  } else {
    for (auto& q : streams.queues) q->Shutdown();
    for (auto& t : streams.queue_threads) t.join();
  }
}

/// Prints the report; the exit status.
int report(const GlobalOptions& opts, const WatchBenchResult& r) {
  if (opts.json) {
    print_json(std::cout, watch_to_json(r));
  } else {
    print_watch_text(std::cout, r);
  }
  if (r.ready == 0) {
    std::cerr << "error: bench watch: no stream got its snapshot\n";
    return kExitError;
  }
  if (r.accepted == 0) {
    std::cerr << "error: bench watch: no bid was accepted\n";
    return kExitError;
  }
  return kExitOk;
}

int run_watch_bench(const GlobalOptions& opts, const WatchArgs& args) {
  const WatchTimes times = parse_times(args);

  const int channel_count = (args.watchers + args.per_channel - 1) / args.per_channel;
  auto channels = make_channels(opts, channel_count + 1);  // the last one carries the bids
  auto setup_users = v1::UserService::NewStub(channels.back());
  auto bid_stub = v1::AuctionService::NewStub(channels.back());
  auto fixture = build_watch_fixture(opts, args, times, *setup_users, *bid_stub);
  const std::string auction_id = args.auction.empty() ? fixture.auction_ids.at(0) : args.auction;
  const auto initial = get_open_auction(opts, *bid_stub, auction_id);
  WatchBenchResult r = configured_result(opts, args, fixture, auction_id, channel_count, times);

  WatchStreams streams;
  streams.stubs = make_generic_stubs(channels, channel_count);
  const grpc::ByteBuffer request_bytes = watch_request_bytes(auction_id);
  open_streams(streams, args, request_bytes, times, r);

  // Bids at a fixed rate, the bidders in turn.
  auto bids = std::make_shared<BidShared>(initial.auction().minimum_next_bid(),
                                          initial.auction().min_increment());
  std::vector<std::string> auth;
  for (const auto& b : fixture.bidders) auth.push_back("Bearer " + b.token);
  const double client_cpu0 = process_cpu_seconds();
  std::optional<double> server_cpu0;
  if (args.server_pid > 0) server_cpu0 = read_cpu_seconds(args.server_pid);
  if (r.ready > 0) bid_at_rate(*bid_stub, bids, auth, args, times, r);

  // Let the last deliveries arrive (bounded), then close every stream.
  bids->sent.freeze();
  await_deliveries(streams, bids->sent.max_version(), args.watchers, times.drain);
  r.drain_s = seconds(times.drain);
  r.client_cpu_s = process_cpu_seconds() - client_cpu0;
  if (server_cpu0) {
    if (auto now = read_cpu_seconds(args.server_pid)) r.server_cpu_s = *now - *server_cpu0;
  }
  const bool all_done = close_streams(streams, args.watchers);

  collect_bids(*bids, r);
  collect_deliveries(streams, bids->sent, r);
  release_streams(streams, channels, all_done);
  return report(opts, r);
}

}  // namespace

CLI::App* add_bench_watch_command(CLI::App* bench, CliContext& ctx) {
  auto a = std::make_shared<WatchArgs>();
  auto* sub = bench->add_subcommand(
      "watch",
      "Live-update delivery: W WatchAuction streams on one auction, bids at a fixed rate, the "
      "latency from each bid's send to its delivery");
  sub->add_option("--watchers", a->watchers, "Streams to open")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  sub->add_option("--bid-rate", a->bid_rate, "Bids per second")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 10000.0));
  sub->add_option("--duration", a->duration, "How long to bid, e.g. 10s")->capture_default_str();
  sub->add_option("--auction", a->auction,
                  "Watch and bid on this active auction (default: create one)");
  sub->add_option("--bidders", a->bidders,
                  "Bidder accounts, in turn (default: one per 10 bids/s, at least 2; auctiond "
                  "limits each user's bid rate)")
      ->check(CLI::Range(0, 1000));
  sub->add_option("--watchers-per-channel", a->per_channel, "Streams per gRPC channel (connection)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  sub->add_option("--server-pid", a->server_pid,
                  "auctiond's pid: report its RSS (from /proc) before and with the streams open")
      ->check(CLI::Range(1L, 4194304L));
  sub->add_option("--ready-timeout", a->ready_timeout,
                  "Wait at most this long for every stream's SNAPSHOT")
      ->capture_default_str();
  sub->add_option("--call-timeout", a->call_timeout, "Deadline per bid")->capture_default_str();
  sub->add_option("--drain", a->drain,
                  "After the last bid, wait at most this long for every watcher to have it")
      ->capture_default_str();
  sub->add_option("--setup-concurrency", a->setup_concurrency,
                  "Register/login calls in flight during setup")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  sub->footer(
      "Setup registers the bidders (random run prefix) and, without --auction, creates one "
      "auction (starting price 1.00, no soft close, longer than the run). Each bid is the "
      "minimum next bid; the bidders alternate. A delivery is a BID_PLACED, or a SNAPSHOT "
      "whose version jump covers the bid. --json prints one JSON object.");
  sub->callback([&ctx, a] { ctx.action = [&ctx, a] { return run_watch_bench(ctx.opts, *a); }; });
  return sub;
}

}  // namespace auction::cli::bench
