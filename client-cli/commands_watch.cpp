// watch: the live view of one auction (WatchAuction).
#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "commands.hpp"
#include "format.hpp"
#include "json_output.hpp"
#include "stream_follow.hpp"
#include "watch_view.hpp"

namespace auction::cli {
namespace {

using Clock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct WatchArgs {
  std::string id;
  std::optional<std::int64_t> from_version;
};

/// Clear the screen, hide the cursor; show it again on the way out.
constexpr const char* kEnterScreen = "\x1b[?25l\x1b[H\x1b[2J";
constexpr const char* kLeaveScreen = "\x1b[?25h";
/// Home, then each line clears its rest; the rest of the screen is cleared
/// at the end: no flicker.
constexpr const char* kHome = "\x1b[H";
constexpr const char* kClearLine = "\x1b[K";
constexpr const char* kClearBelow = "\x1b[J";

/// Redraws at most this often on events; once a second without them.
constexpr auto kMinRedraw = 50ms;
/// How often the loop looks at Ctrl-C and the connection's silence.
constexpr auto kPoll = 100ms;

bool is_last_update(const v1::AuctionUpdate& u) {
  switch (u.type()) {
    case v1::AuctionUpdate::AUCTION_ENDED:
    case v1::AuctionUpdate::AUCTION_CANCELLED:
      return true;
    case v1::AuctionUpdate::SNAPSHOT:
      return u.auction().status() == v1::AUCTION_STATUS_ENDED ||
             u.auction().status() == v1::AUCTION_STATUS_CANCELLED;
    default:
      return false;
  }
}

/// The terminal's width (the view fits it), 100 when unknown.
std::size_t terminal_width() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 100;
}

/// Output of the view: a redrawn screen on a terminal, else one line per event.
class WatchOutput {
 public:
  WatchOutput(bool json, bool screen) : json_(json), screen_(screen) {
    if (screen_) std::cout << kEnterScreen << std::flush;
  }
  ~WatchOutput() {
    if (screen_) std::cout << kLeaveScreen << std::flush;
  }
  WatchOutput(const WatchOutput&) = delete;
  WatchOutput& operator=(const WatchOutput&) = delete;

  bool json() const { return json_; }

  void draw(const WatchState& state) {
    if (json_) return;
    if (!screen_) {
      print_new_events(state);
      return;
    }
    std::string text = render_watch(state, Clock::now(), terminal_width() - 1);
    std::string frame = kHome;
    std::size_t begin = 0;
    while (begin < text.size()) {
      std::size_t end = text.find('\n', begin);
      if (end == std::string::npos) end = text.size();
      frame.append(text, begin, end - begin);
      frame += kClearLine;
      frame += "\r\n";
      begin = end + 1;
    }
    frame += kClearBelow;
    std::cout << frame << std::flush;
  }

 private:
  /// Without a terminal: the heading once, then every new event as a line.
  void print_new_events(const WatchState& state) {
    if (!heading_done_ && state.have_state) {
      std::cout << "auction " << state.auction_id << ": " << state.title << '\n';
      heading_done_ = true;
    }
    const auto total = static_cast<std::int64_t>(state.event_count);
    const auto kept = static_cast<std::int64_t>(state.events.size());
    for (std::int64_t n = std::max(printed_, total - kept); n < total; ++n) {
      const auto& e = state.events[static_cast<std::size_t>(n - (total - kept))];
      std::cout << e.when << "  " << e.text << '\n';
    }
    printed_ = total;
    std::cout << std::flush;
  }

  bool json_;
  bool screen_;
  bool heading_done_ = false;
  std::int64_t printed_ = 0;
};

/// With --from-version the stream starts without a SNAPSHOT: the view takes
/// what events do not carry (title, currency, ...) from GetAuction, and every
/// event after --from-version still shows (seed_from_version). Best effort.
/// Returns whether the server answered.
bool seed_state(Client& client, const std::string& id, std::int64_t from_version,
                WatchState& state) {
  v1::GetAuctionRequest req;
  req.set_auction_id(id);
  v1::GetAuctionResponse reply;
  auto ctx = client.context();
  if (!client.auctions().GetAuction(ctx.get(), req, &reply).ok()) return false;
  v1::AuctionUpdate snapshot;
  snapshot.set_type(v1::AuctionUpdate::SNAPSHOT);
  snapshot.set_version(reply.version());
  snapshot.set_auction_id(reply.auction().id());
  *snapshot.mutable_auction() = reply.auction();
  *snapshot.mutable_top_bidders() = reply.top_bidders();
  *snapshot.mutable_ends_at() = reply.auction().end_time();
  seed_from_version(state, snapshot, from_version, Clock::now());
  return true;
}

std::string describe_status(const grpc::Status& s) {
  return status_code_name(s.error_code()) +
         (s.error_message().empty() ? "" : ": " + s.error_message());
}

using WatchFollower = StreamFollower<v1::AuctionUpdate>;
using WatchItem = StreamItem<v1::AuctionUpdate>;

WatchFollower::Hooks watch_hooks(Client& client, const WatchArgs& args) {
  WatchFollower::Hooks hooks;
  hooks.make_context = [&client] { return client.stream_context(); };
  hooks.open = [&client, &args](grpc::ClientContext& ctx, std::optional<std::int64_t> cursor) {
    v1::WatchAuctionRequest req;
    req.set_auction_id(args.id);
    if (cursor) req.set_from_version(*cursor);
    return client.auctions().WatchAuction(&ctx, req);
  };
  hooks.cursor_of = [](const v1::AuctionUpdate& u) { return u.version(); };
  hooks.is_last = is_last_update;
  return hooks;
}

/// When the view is redrawn: after changes, at most every kMinRedraw, and
/// at each tick of the countdown.
class RedrawPacer {
 public:
  RedrawPacer() : next_tick_(SteadyClock::now()), last_draw_(SteadyClock::now() - 1s) {}

  SteadyClock::time_point next_tick() const { return next_tick_; }
  void changed() { dirty_ = true; }

  /// Draws `state` when a tick came or a change waits and the last draw is old enough.
  void draw_when_due(const WatchState& state, WatchOutput& out) {
    const auto now = SteadyClock::now();
    if (now >= next_tick_) {
      dirty_ = true;
      next_tick_ = now + until_next_tick(state, Clock::now());
    }
    if (dirty_ && now - last_draw_ >= kMinRedraw) {
      out.draw(state);
      last_draw_ = now;
      dirty_ = false;
    }
  }

 private:
  SteadyClock::time_point next_tick_;
  SteadyClock::time_point last_draw_;
  bool dirty_ = true;
};

void take_update(const WatchItem& item, WatchState& state, const WatchOutput& out,
                 RedrawPacer& pacer) {
  if (out.json()) {
    print_json(std::cout, item.update);
    std::cout << std::flush;
  } else {
    apply_update(state, item.update, item.received);
    state.connection.clear();
    pacer.changed();
  }
}

void note_reconnecting(const WatchItem& item, WatchState& state, const WatchOutput& out,
                       RedrawPacer& pacer) {
  std::string resume =
      item.cursor ? "after version " + std::to_string(*item.cursor) : "from a snapshot";
  // The gist first: the line is cut at the terminal's width.
  state.connection =
      fmt::format("reconnecting in {:.1f} s (attempt {}), resuming {}; connection lost: {}",
                  static_cast<double>(item.delay.count()) / 1000.0, item.attempt, resume,
                  describe_status(item.status));
  if (item.attempt == 1) {
    add_event(state, time_of_day(Clock::now()),
              "connection lost: " + status_code_name(item.status.error_code()) + "; reconnecting");
  }
  if (out.json()) std::cerr << "watch: " << state.connection << std::endl;
  pacer.changed();
}

void note_reconnected(const WatchItem& item, WatchState& state, const WatchOutput& out,
                      RedrawPacer& pacer) {
  state.connection.clear();
  add_event(
      state, time_of_day(Clock::now()),
      "reconnected" + (item.cursor ? ", resuming after version " + std::to_string(*item.cursor)
                                   : std::string()));
  if (out.json()) std::cerr << "watch: reconnected" << std::endl;
  pacer.changed();
}

/// Takes one item of the stream into the view; the stream's final status
/// when the item is its end.
std::optional<grpc::Status> take_item(const WatchItem& item, WatchState& state,
                                      const WatchOutput& out, RedrawPacer& pacer) {
  using Kind = WatchItem::Kind;
  switch (item.kind) {
    case Kind::kUpdate:
      take_update(item, state, out, pacer);
      break;
    case Kind::kReconnecting:
      note_reconnecting(item, state, out, pacer);
      break;
    case Kind::kReconnected:
      note_reconnected(item, state, out, pacer);
      break;
    case Kind::kEnd:
      return item.status;
  }
  return std::nullopt;
}

int run_watch(const GlobalOptions& opts, const WatchArgs& args) {
  if (args.from_version && *args.from_version < 0) {
    throw UsageError("--from-version must not be negative");
  }
  InterruptGuard interrupt;
  Client client(opts, Auth::kCaller, stream_channel_args());
  WatchFollower::Hooks hooks = watch_hooks(client, args);
  WatchState state;
  state.auction_id = args.id;
  if (args.from_version && !opts.json)
    hooks.server_reached = seed_state(client, args.id, *args.from_version, state);
  WatchFollower follower(std::move(hooks), args.from_version);

  WatchOutput out(opts.json, !opts.json && isatty(STDOUT_FILENO) != 0);
  follower.start();

  RedrawPacer pacer;
  std::optional<grpc::Status> end;
  while (!end) {
    if (InterruptGuard::interrupted()) {
      follower.stop();
      out.draw(state);
      return kExitInterrupted;
    }
    const auto now = SteadyClock::now();
    follower.check_silence(now);
    auto item = follower.next(std::min(pacer.next_tick(), now + kPoll));
    if (item) end = take_item(*item, state, out, pacer);
    pacer.draw_when_due(state, out);
  }

  out.draw(state);
  if (!end->ok()) throw RpcError(*end);
  if (!opts.json) {
    std::string outcome = outcome_text(state);
    std::cout << "auction " << state.auction_id << " " << (outcome.empty() ? "closed" : outcome)
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_watch_command(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<WatchArgs>();
  auto* sub = app.add_subcommand(
      "watch", "Live view of an auction: price, leader, countdown and recent events");
  sub->add_option("ID", a->id, "Auction id")->required();
  sub->add_option("--from-version", a->from_version,
                  "Start after this version: only the changes after it (or a snapshot)");
  sub->footer(
      "On a terminal the view is redrawn every second and on every update; otherwise each event "
      "is one line. With --json: one JSON object (an AuctionUpdate) per line, heartbeats "
      "included.\nA lost connection is retried (200 ms .. 2 s apart, for at most 60 s) from the "
      "last version seen.\nExit status: 0 when the auction has ended or was cancelled, 130 on "
      "Ctrl-C, 1 error.");
  on_run(sub, ctx, a, run_watch);
}

}  // namespace auction::cli
