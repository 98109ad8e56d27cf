// health: grpc.health.v1.Health/Check through a generic stub.
#include <iostream>

#include "commands.hpp"
#include "health.hpp"
#include "json_output.hpp"

namespace auction::cli {
namespace {

struct HealthArgs {
  std::string service;
};

int run_health(const GlobalOptions& opts, const HealthArgs& args) {
  grpc::GenericStub stub(make_channel(opts));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + opts.timeout());
  std::uint64_t serving = 0;
  check(check_health(stub, ctx, args.service, serving));
  std::string name = serving_status_name(serving);
  if (opts.json) {
    print_json(std::cout, nlohmann::json{{"status", name}});
  } else {
    std::cout << name << "\n";
  }
  return serving == kServing ? kExitOk : kExitError;
}

}  // namespace

void add_health_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<HealthArgs>();
  auto* sub = app.add_subcommand("health", "Check grpc.health.v1.Health (SERVING / NOT_SERVING)");
  sub->add_option("--service", args->service, "Service name to check (default: the whole server)");
  sub->footer("Exit status: 0 SERVING, 1 anything else or no answer.");
  on_run(sub, ctx, args, run_health);
}

}  // namespace auction::cli
