#pragma once
/// Subcommand registration. Each add_* function declares its subcommands on
/// `app`; the one the user picks stores its work in `ctx.action`, which
/// main runs after parsing (so that parse errors and run errors stay apart).
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "client.hpp"

namespace auction::cli {

struct CliContext {
  GlobalOptions opts;
  std::function<int()> action;  ///< returns the exit code
};

/// Makes `run(ctx.opts, *args)` the action when `sub` is chosen.
template <class Args>
void on_run(CLI::App* sub, CliContext& ctx, std::shared_ptr<Args> args,
            int (*run)(const GlobalOptions&, const Args&)) {
  sub->callback(
      [&ctx, args, run] { ctx.action = [&ctx, args, run] { return run(ctx.opts, *args); }; });
}

/// --page-size, --page-token, --all.
struct Paging {
  int page_size = 0;
  std::string page_token;
  bool all = false;
};
void add_paging_options(CLI::App* sub, Paging& paging);

/// Accepted values of --status (case-insensitive).
inline CLI::Validator status_names() {
  return CLI::IsMember({"scheduled", "active", "ended", "cancelled"}, CLI::ignore_case);
}

/// register, login, logout, whoami, my-bids, my-auctions.
void add_user_commands(CLI::App& app, CliContext& ctx);
/// create, get, list, bid, buy-now, cancel, history.
void add_auction_commands(CLI::App& app, CliContext& ctx);
/// watch.
void add_watch_command(CLI::App& app, CliContext& ctx);
/// notifications, mark-read, follow, unfollow, following.
void add_notification_commands(CLI::App& app, CliContext& ctx);
/// health.
void add_health_command(CLI::App& app, CliContext& ctx);
/// bench (and bench watch).
void add_bench_command(CLI::App& app, CliContext& ctx);

}  // namespace auction::cli
