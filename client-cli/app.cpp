#include "app.hpp"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <optional>
#include <set>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "messages.hpp"

namespace auction::cli {
namespace {

constexpr const char* kDefaultServer = "127.0.0.1:50051";

void add_global_options(CLI::App& app, GlobalOptions& opts) {
  // The flag beats a non-empty AUCTION_SERVER, which beats the default.
  opts.server = kDefaultServer;
  app.add_option("--server", opts.server, "HOST:PORT of auctiond")
      ->envname("AUCTION_SERVER")
      ->capture_default_str();
  app.add_flag("--json", opts.json,
               "Machine-readable output: one JSON document; errors as JSON on stderr");
  app.add_option("--token", opts.token, "Bearer token (overrides the stored login)");
  app.add_option("--timeout", opts.timeout_seconds, "Deadline per call, in seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  app.add_flag("--tls", opts.tls, "Use TLS with the system's root certificates");
  app.add_option("--ca-cert", opts.ca_cert, "Use TLS with this PEM root certificate")
      ->check(CLI::ExistingFile);
}

/// Whether --json was given: also known when parsing failed before the
/// flag's value was stored.
bool json_requested(int argc, char** argv) {
  return std::any_of(argv + 1, argv + argc,
                     [](const char* a) { return std::strcmp(a, "--json") == 0; });
}

/// When no subcommand was recognised, the first word the parser left over
/// (in command-line order): a mistyped subcommand rather than stray values.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  if (!app.get_subcommands().empty()) return std::nullopt;
  const std::vector<std::string> rest = app.remaining();
  const std::set<std::string> left_over(rest.begin(), rest.end());
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (!word.empty() && word[0] != '-' && left_over.contains(word)) return word;
  }
  return std::nullopt;
}

std::vector<std::string> subcommand_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

/// Reports a command line CLI11 could not parse; returns the exit status.
int report_parse_error(CLI::App& app, const CLI::ParseError& e, bool json, int argc, char** argv) {
  if (auto word = unknown_command(app, argc, argv)) {
    ErrorReport report{"USAGE", "unknown command '" + *word + "'", "", false};
    if (auto near = nearest_word(*word, subcommand_names(app))) {
      report.hint = "did you mean '" + *near + "'?";
    }
    print_error(std::cerr, report, json);
    if (!json) std::cerr << "Run with --help for the list of commands.\n";
    return kExitUsage;
  }
  if (json && e.get_exit_code() != 0) {
    print_error(std::cerr, {"USAGE", e.what(), "", true}, true);
    return kExitUsage;
  }
  const int code = app.exit(e);  // --help and friends exit 0
  return code == 0 ? kExitOk : kExitUsage;
}

/// Runs the chosen subcommand; reports its failure. Returns the exit status.
int run_action(const CliContext& ctx, bool json) {
  try {
    return ctx.action();
  } catch (const UsageError& e) {
    print_error(std::cerr, {"USAGE", e.what(), "", false}, json);
    if (!json) std::cerr << "Run with --help for more information.\n";
    return kExitUsage;
  } catch (const RpcError& e) {
    std::string hint = e.hint();
    if (hint.empty()) hint = unavailable_hint(e.status(), ctx.opts.server);
    print_error(std::cerr,
                {status_code_name(e.status().error_code()), e.status().error_message(), hint, true},
                json);
    return kExitError;
  } catch (const CliError& e) {
    print_error(std::cerr, {"ERROR", e.what(), "", false}, json);
    return kExitError;
  } catch (const std::exception& e) {
    print_error(std::cerr,
                {"INTERNAL", json ? e.what() : std::string("internal: ") + e.what(), "", false},
                json);
    return kExitError;
  }
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
      "3 bid rejected, 130 a live view stopped by Ctrl-C.\nWith --json, errors are one JSON "
      "object on stderr: {\"error\": {\"code\", \"message\", \"hint\"}}.\nGlobal options may also "
      "follow the subcommand. Run `auction-cli SUBCOMMAND --help` for a subcommand's options.");

  const bool json = json_requested(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e, json, argc, argv);
  }
  if (!ctx.action) {
    if (json) {
      print_error(std::cerr, {"USAGE", "a subcommand is required", "", true}, true);
    } else {
      std::cerr << app.help() << "\nerror: a subcommand is required\n";
    }
    return kExitUsage;
  }
  return run_action(ctx, json);
}

}  // namespace auction::cli
