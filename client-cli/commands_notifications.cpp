// notifications, mark-read, follow, unfollow, following.
#include <iostream>
#include <limits>
#include <optional>
#include <vector>

#include "commands.hpp"
#include "format.hpp"
#include "json_output.hpp"
#include "paging.hpp"
#include "stream_follow.hpp"
#include "views.hpp"

namespace auction::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct NotificationsArgs {
  bool unread = false;
  Paging paging;
  bool follow = false;
  std::optional<std::int64_t> after_seq;
};

struct MarkReadArgs {
  std::vector<std::int64_t> seqs;
  std::int64_t up_to = 0;
};

struct AuctionIdArgs {
  std::string id;
};

int list_notifications(const GlobalOptions& opts, const NotificationsArgs& args) {
  Client client(opts);
  auto reply =
      fetch_pages<v1::ListNotificationsResponse>(args.paging, [&](const std::string& token) {
        v1::ListNotificationsRequest req;
        req.set_unread_only(args.unread);
        req.set_page_size(effective_page_size(args.paging));
        req.set_page_token(token);
        return client.call(client.users(), &v1::UserService::Stub::ListNotifications, req);
      });
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    print_notification_table(std::cout, reply.notifications());
    std::cout << "\n" << reply.unread_count() << " unread\n";
    print_next_page(std::cout, reply.next_page_token());
  }
  return kExitOk;
}

/// The newest seq the caller has (0 = none): where following starts, so
/// that a reconnect can resume without a gap.
std::int64_t newest_seq(Client& client) {
  v1::ListNotificationsRequest req;
  req.set_page_size(1);
  auto reply = client.call(client.users(), &v1::UserService::Stub::ListNotifications, req);
  return reply.notifications().empty() ? 0 : reply.notifications(0).seq();
}

using NotificationFollower = StreamFollower<v1::Notification>;
using NotificationItem = StreamItem<v1::Notification>;

NotificationFollower::Hooks notification_hooks(Client& client) {
  NotificationFollower::Hooks hooks;
  hooks.make_context = [&client] { return client.stream_context(); };
  hooks.open = [&client](grpc::ClientContext& ctx, std::optional<std::int64_t> cursor) {
    v1::WatchNotificationsRequest req;
    if (cursor) req.set_after_seq(*cursor);
    return client.users().WatchNotifications(&ctx, req);
  };
  hooks.cursor_of = [](const v1::Notification& n) { return n.seq(); };
  hooks.is_last = [](const v1::Notification&) { return false; };
  // ListNotifications answered: a stream that fails before its first
  // notification is a lost connection, retried like any other.
  hooks.server_reached = true;
  return hooks;
}

/// Prints a notification not printed yet; `printed` is the newest seq
/// printed (at-least-once delivery: what is not newer was printed already).
void print_new_notification(const v1::Notification& n, bool json, std::int64_t& printed) {
  // A heartbeat only says the stream is alive (the follower has seen it).
  if (n.type() == v1::Notification::HEARTBEAT) return;
  if (n.seq() <= printed) return;
  printed = n.seq();
  if (json) {
    print_json(std::cout, n);
  } else {
    std::cout << notification_line(n) << '\n';
  }
  std::cout << std::flush;
}

/// The stream ended: OK is the exit status, anything else an RpcError.
int end_of_notifications(const grpc::Status& status, const Client& client) {
  if (status.ok()) return kExitOk;
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED && !client.auth_hint().empty()) {
    throw RpcError(status, client.auth_hint());
  }
  throw RpcError(status);
}

/// Shows one item of the stream; the exit status when it is the end.
std::optional<int> show_notification_item(const NotificationItem& item, bool json,
                                          const Client& client, std::int64_t& printed) {
  using Kind = NotificationItem::Kind;
  switch (item.kind) {
    case Kind::kUpdate:
      print_new_notification(item.update, json, printed);
      break;
    case Kind::kReconnecting:
      // Once per outage; the attempts follow quietly.
      if (item.attempt == 1) {
        std::cerr << "notifications: connection lost ("
                  << status_code_name(item.status.error_code()) << ": "
                  << item.status.error_message() << "); reconnecting, resuming after #" << printed
                  << std::endl;
      }
      break;
    case Kind::kReconnected:
      std::cerr << "notifications: reconnected" << std::endl;
      break;
    case Kind::kEnd:
      return end_of_notifications(item.status, client);
  }
  return std::nullopt;
}

int follow_notifications(const GlobalOptions& opts, const NotificationsArgs& args) {
  if (args.after_seq && *args.after_seq < 0) throw UsageError("--after-seq must not be negative");
  InterruptGuard interrupt;
  Client client(opts, Auth::kCaller, stream_channel_args());
  // Also checks the login and that the server answers before following.
  const std::int64_t newest = newest_seq(client);
  const std::int64_t start = args.after_seq ? *args.after_seq : newest;

  NotificationFollower follower(notification_hooks(client), start);
  if (!opts.json) {
    std::cerr << "following notifications after #" << start << "; Ctrl-C stops" << std::endl;
  }
  follower.start();

  std::int64_t printed = start;  // at-least-once: skip what was printed already
  for (;;) {
    if (InterruptGuard::interrupted()) {
      follower.stop();
      return kExitInterrupted;
    }
    const auto now = SteadyClock::now();
    follower.check_silence(now);
    auto item = follower.next(now + 100ms);
    if (!item) continue;
    if (auto exit = show_notification_item(*item, opts.json, client, printed)) return *exit;
  }
}

int run_notifications(const GlobalOptions& opts, const NotificationsArgs& args) {
  return args.follow ? follow_notifications(opts, args) : list_notifications(opts, args);
}

int run_mark_read(const GlobalOptions& opts, const MarkReadArgs& args) {
  if (args.seqs.empty() && args.up_to == 0) {
    throw UsageError("give the SEQ numbers to mark read, or --up-to SEQ (or both)");
  }
  for (auto seq : args.seqs) {
    if (seq <= 0) throw UsageError("invalid SEQ " + std::to_string(seq) + ": expected >= 1");
  }
  v1::MarkNotificationsReadRequest req;
  for (auto seq : args.seqs) req.add_seqs(seq);
  req.set_up_to_seq(args.up_to);
  Client client(opts);
  auto reply = client.call(client.users(), &v1::UserService::Stub::MarkNotificationsRead, req);
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    std::cout << "marked " << reply.marked() << " read; " << reply.unread_count()
              << " unread left\n";
  }
  return kExitOk;
}

int run_follow(const GlobalOptions& opts, const AuctionIdArgs& args) {
  v1::FollowAuctionRequest req;
  req.set_auction_id(args.id);
  Client client(opts);
  auto reply = client.call(client.users(), &v1::UserService::Stub::FollowAuction, req);
  if (opts.json) {
    print_json(std::cout, reply);
  } else if (reply.newly_followed()) {
    std::cout << "following auction " << args.id << "\n";
  } else {
    std::cout << "already following auction " << args.id << "\n";
  }
  return kExitOk;
}

int run_unfollow(const GlobalOptions& opts, const AuctionIdArgs& args) {
  v1::UnfollowAuctionRequest req;
  req.set_auction_id(args.id);
  Client client(opts);
  auto reply = client.call(client.users(), &v1::UserService::Stub::UnfollowAuction, req);
  if (opts.json) {
    print_json(std::cout, reply);
  } else if (reply.was_following()) {
    std::cout << "stopped following auction " << args.id << "\n";
  } else {
    std::cout << "was not following auction " << args.id << "\n";
  }
  return kExitOk;
}

int run_following(const GlobalOptions& opts, const Paging& paging) {
  Client client(opts);
  auto reply = fetch_pages<v1::ListFollowedAuctionsResponse>(paging, [&](const std::string& token) {
    v1::ListFollowedAuctionsRequest req;
    req.set_page_size(effective_page_size(paging));
    req.set_page_token(token);
    return client.call(client.users(), &v1::UserService::Stub::ListFollowedAuctions, req);
  });
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    print_auction_table(std::cout, reply.auctions(), Clock::now());
    print_next_page(std::cout, reply.next_page_token());
  }
  return kExitOk;
}

}  // namespace

void add_notification_commands(CLI::App& app, CliContext& ctx) {
  {
    auto a = std::make_shared<NotificationsArgs>();
    auto* sub = app.add_subcommand("notifications",
                                   "Your notifications, newest first; --follow streams new ones");
    auto* unread = sub->add_flag("--unread", a->unread, "Only unread ones");
    add_paging_options(sub, a->paging);
    auto* follow = sub->add_flag("--follow", a->follow,
                                 "Stay and print each new notification as it arrives (one line, "
                                 "or one JSON object with --json)");
    sub->add_option("--after-seq", a->after_seq,
                    "With --follow: start after this seq (0 = every one); default: only new ones")
        ->needs(follow);
    follow->excludes(unread);
    for (const char* name : {"--page-size", "--page-token", "--all"}) {
      follow->excludes(sub->get_option(name));
    }
    sub->footer(
        "With --follow a lost connection is retried from the last seq printed; each notification "
        "is printed once. Exit status with --follow: 130 on Ctrl-C, 1 error.");
    on_run(sub, ctx, a, run_notifications);
  }
  {
    auto a = std::make_shared<MarkReadArgs>();
    auto* sub = app.add_subcommand("mark-read", "Mark notifications read");
    sub->add_option("SEQ", a->seqs, "Notification seq numbers");
    sub->add_option("--up-to", a->up_to, "Also every notification with seq <= this")
        ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
    on_run(sub, ctx, a, run_mark_read);
  }
  {
    auto a = std::make_shared<AuctionIdArgs>();
    auto* sub = app.add_subcommand(
        "follow", "Add an auction to your watch list (you get ENDING_SOON for it)");
    sub->add_option("ID", a->id, "Auction id")->required();
    on_run(sub, ctx, a, run_follow);
  }
  {
    auto a = std::make_shared<AuctionIdArgs>();
    auto* sub = app.add_subcommand("unfollow", "Remove an auction from your watch list");
    sub->add_option("ID", a->id, "Auction id")->required();
    on_run(sub, ctx, a, run_unfollow);
  }
  {
    auto a = std::make_shared<Paging>();
    auto* sub = app.add_subcommand("following",
                                   "Auctions on your watch list, most recently followed first");
    add_paging_options(sub, *a);
    on_run(sub, ctx, a, run_following);
  }
}

}  // namespace auction::cli
