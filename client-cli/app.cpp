#include "app.hpp"

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace auction::cli {
namespace {

constexpr const char* kDefaultServer = "127.0.0.1:50051";

std::string default_server() {
  const char* env = std::getenv("AUCTION_SERVER");
  return env != nullptr && *env != '\0' ? env : kDefaultServer;
}

void add_global_options(CLI::App& app, GlobalOptions& opts) {
  opts.server = default_server();
  app.add_option("--server", opts.server, "HOST:PORT of auctiond (env AUCTION_SERVER)")
      ->capture_default_str();
  app.add_flag("--json", opts.json, "Machine-readable output: one JSON document");
  app.add_option("--token", opts.token, "Bearer token (overrides the stored login)");
  app.add_option("--timeout", opts.timeout_seconds, "Deadline per call, in seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  app.add_flag("--tls", opts.tls, "Use TLS with the system's root certificates");
  app.add_option("--ca-cert", opts.ca_cert, "Use TLS with this PEM root certificate")
      ->check(CLI::ExistingFile);
}

int report_error(const char* kind, const std::string& message) {
  std::cerr << "error: " << kind << message << "\n";
  return kExitError;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"auction-cli: command-line client for the auction service (auctiond)"};
  app.name("auction-cli");
  // At most one; "none" is reported below, so that an unknown word is
  // reported as such rather than as a missing subcommand.
  app.require_subcommand(0, 1);
  app.fallthrough();  // global options may also follow the subcommand

  CliContext ctx;
  add_global_options(app, ctx.opts);
  add_user_commands(app, ctx);
  add_auction_commands(app, ctx);
  add_watch_command(app, ctx);
  add_notification_commands(app, ctx);
  add_health_command(app, ctx);
  add_bench_command(app, ctx);
  // After the subcommands, so that they do not inherit it.
  app.footer(
      "Exit status: 0 ok, 1 error (\"error: CODE: message\" on stderr), 2 usage, "
      "3 bid rejected, 130 a live view stopped by Ctrl-C.\nGlobal options may also follow the "
      "subcommand. Run `auction-cli "
      "SUBCOMMAND --help` for a subcommand's options.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (!ctx.action) {
    std::cerr << app.help() << "\nerror: a subcommand is required\n";
    return kExitUsage;
  }
  try {
    return ctx.action();
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\nRun with --help for more information.\n";
    return kExitUsage;
  } catch (const RpcError& e) {
    std::cerr << "error: " << status_code_name(e.status().error_code()) << ": "
              << e.status().error_message() << "\n";
    if (!e.hint().empty()) std::cerr << "hint: " << e.hint() << "\n";
    return kExitError;
  } catch (const CliError& e) {
    return report_error("", e.what());
  } catch (const std::exception& e) {
    return report_error("internal: ", e.what());
  }
}

}  // namespace auction::cli
