// auctiond: the auction server. Flags (or AUCTIOND_* environment variables)
// configure it; SIGTERM/SIGINT shut it down gracefully.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <caf/all.hpp>
#include <csignal>
#include <cstdio>

#include "actors/engine.hpp"
#include "persistence/migrations.hpp"
#include "persistence/repository.hpp"
#include "server/auth.hpp"
#include "server/readiness.hpp"
#include "server/services.hpp"

namespace {

struct Options {
  std::string listen = "127.0.0.1:50051";
  std::string database_url = "postgresql://postgres@127.0.0.1:55432/auction";
  std::string token_secret;
  int token_ttl_hours = 24;
  std::string log_level = "info";
  std::string admin_username;
  std::string admin_password;
  int commit_writers = 2;
  int query_threads = 4;
  std::string scheduler = "sharing";
  int scheduler_threads = 2;
  int shutdown_grace_ms = 4000;
  int ending_soon_lead_ms = 300'000;
  int max_streams = 20'000;
  int watch_heartbeat_ms = 4000;
  int watch_backlog = 64;
  int watch_max_lag_ms = 50;
  double bid_rate_limit = 20;
  double bid_burst = 40;
};

/// Waits up to `ms` for SIGINT/SIGTERM (blocked in every thread).
bool wait_for_signal(const sigset_t& signals, int ms) {
  timespec ts{ms / 1000, static_cast<long>(ms % 1000) * 1'000'000L};
  return sigtimedwait(&signals, nullptr, &ts) > 0;
}

/// Redacts the password in a libpq URL for logs.
std::string redact(const std::string& url) {
  const auto at = url.find('@');
  const auto scheme = url.find("://");
  if (at == std::string::npos || scheme == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

/// Retries `step` once a second until it succeeds or a signal arrives. The
/// database being down at start-up is a wait, not a crash.
template <class Step>
bool until_database_ready(const sigset_t& signals, const char* what, Step step) {
  for (int attempt = 1;; ++attempt) {
    auto result = step();
    if (result) return true;
    if (result.error().code != auction::ErrorCode::kUnavailable) {
      spdlog::critical("{} failed: {}", what, result.error().message);
      return false;
    }
    if (attempt == 1 || attempt % 10 == 0) {
      spdlog::warn("{}: the database is not reachable yet; retrying every second", what);
    }
    if (wait_for_signal(signals, 1000)) return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"auctiond: the real-time auction server"};
  app.add_option("--listen", o.listen, "gRPC listen address (host:port; port 0 = any free)")
      ->envname("AUCTIOND_LISTEN");
  app.add_option("--database-url", o.database_url, "PostgreSQL URL")
      ->envname("AUCTIOND_DATABASE_URL");
  app.add_option("--token-secret", o.token_secret,
                 "secret that signs login tokens (empty: random, tokens die with the process)")
      ->envname("AUCTIOND_TOKEN_SECRET");
  app.add_option("--token-ttl-hours", o.token_ttl_hours, "how long a login token is valid")
      ->envname("AUCTIOND_TOKEN_TTL_HOURS")
      ->check(CLI::Range(1, 24 * 90));
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
      ->envname("AUCTIOND_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--admin-username", o.admin_username,
                 "create (or promote) this admin account at start-up")
      ->envname("AUCTIOND_ADMIN_USERNAME");
  app.add_option("--admin-password", o.admin_password, "password for --admin-username")
      ->envname("AUCTIOND_ADMIN_PASSWORD");
  app.add_option("--commit-writers", o.commit_writers, "group-commit writer connections")
      ->envname("AUCTIOND_COMMIT_WRITERS")
      ->check(CLI::Range(1, 32));
  app.add_option("--query-threads", o.query_threads, "query pool connections")
      ->envname("AUCTIOND_QUERY_THREADS")
      ->check(CLI::Range(1, 64));
  app.add_option("--scheduler", o.scheduler, "CAF scheduler policy: sharing or stealing")
      ->envname("AUCTIOND_SCHEDULER")
      ->check(CLI::IsMember({"sharing", "stealing"}));
  app.add_option("--scheduler-threads", o.scheduler_threads, "CAF scheduler threads")
      ->envname("AUCTIOND_SCHEDULER_THREADS")
      ->check(CLI::Range(1, 64));
  app.add_option("--shutdown-grace-ms", o.shutdown_grace_ms,
                 "how long SIGTERM waits for in-flight calls")
      ->envname("AUCTIOND_SHUTDOWN_GRACE_MS")
      ->check(CLI::Range(0, 60'000));
  app.add_option("--ending-soon-lead-ms", o.ending_soon_lead_ms,
                 "ENDING_SOON goes to bidders and followers this long before the end, "
                 "at most a quarter of the auction's length before it")
      ->envname("AUCTIOND_ENDING_SOON_LEAD_MS")
      ->check(CLI::Range(0, 7 * 24 * 3600 * 1000));
  app.add_option("--max-streams", o.max_streams,
                 "open WatchAuction + WatchNotifications streams, process-wide")
      ->envname("AUCTIOND_MAX_STREAMS")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--watch-heartbeat-ms", o.watch_heartbeat_ms,
                 "a HEARTBEAT at least this often on every WatchAuction stream, and on a "
                 "WatchNotifications stream that has been quiet this long")
      ->envname("AUCTIOND_WATCH_HEARTBEAT_MS")
      ->check(CLI::Range(100, 5000));
  app.add_option("--watch-backlog", o.watch_backlog,
                 "updates a slow watcher may have pending before they become one snapshot")
      ->envname("AUCTIOND_WATCH_BACKLOG")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--watch-max-lag-ms", o.watch_max_lag_ms,
                 "a watcher whose oldest pending update waited this long gets the newest "
                 "snapshot instead of the pending events; 0 = only past --watch-backlog")
      ->envname("AUCTIOND_WATCH_MAX_LAG_MS")
      ->check(CLI::Range(0, 60'000));
  app.add_option("--bid-rate-limit", o.bid_rate_limit,
                 "bids (PlaceBid + BuyNow) per second per user, sustained; 0 = no limit")
      ->envname("AUCTIOND_BID_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--bid-burst", o.bid_burst,
                 "bids a user may place at once before the rate applies")
      ->envname("AUCTIOND_BID_BURST")
      ->check(CLI::Range(1.0, 1e6));
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::from_str(o.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  // Every thread created from here on inherits the blocked mask, so the
  // signals reach only the sigtimedwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (!o.admin_username.empty()) {
    if (auto e = auction::check_username(o.admin_username)) {
      spdlog::critical("--admin-username: {}", e->message);
      return 2;
    }
    if (auto e = auction::check_password(o.admin_password)) {
      spdlog::critical("--admin-password: {}", e->message);
      return 2;
    }
  }
  if (o.token_secret.empty()) {
    spdlog::warn("no --token-secret given: using a random one; logins end when the server stops");
  }

  auction::persistence::Database db(o.database_url);
  spdlog::info("database {}", redact(o.database_url));
  if (!until_database_ready(signals, "applying migrations",
                            [&] { return auction::persistence::apply_migrations(db); })) {
    return 1;
  }
  if (!o.admin_username.empty()) {
    auction::persistence::Repository repo(db);
    const std::string hash = auction::server::hash_password(o.admin_password);
    if (!until_database_ready(signals, "admin bootstrap",
                              [&] { return repo.upsert_admin(o.admin_username, hash); })) {
      return 1;
    }
    spdlog::info("admin account '{}' is ready", o.admin_username);
  }

  // Declared before the actor system and the engine, so they outlive both:
  // actors push to streams until the actor system is gone.
  auction::server::StreamRegistry streams(static_cast<std::size_t>(o.max_streams));
  auction::server::NotificationHub hub{std::chrono::milliseconds(o.watch_heartbeat_ms)};
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy",
          o.scheduler == "sharing" ? caf::atom("sharing") : caf::atom("stealing"));
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(o.scheduler_threads));
  caf::actor_system system{cfg};
  auction::actors::EngineConfig engine_config;
  engine_config.commit_writers = o.commit_writers;
  engine_config.query_threads = o.query_threads;
  engine_config.ending_soon_lead = std::chrono::milliseconds(o.ending_soon_lead_ms);
  engine_config.heartbeat = std::chrono::milliseconds(o.watch_heartbeat_ms);
  auction::actors::ActorEngine engine(system, db, engine_config);
  engine.on_notified([&hub](const std::vector<auction::UserId>& users) { hub.wake(users); });
  // A killed predecessor's last commit may still be running: let it finish
  // before the actors are rebuilt from what the database holds.
  if (!until_database_ready(
          signals, "waiting for earlier instances", [&]() -> auction::Result<int> {
            auto waited =
                auction::persistence::wait_for_other_instances(db, std::chrono::seconds(3));
            if (waited && *waited > 0) {
              spdlog::info("waited for statements of an earlier instance to finish");
            }
            return waited;
          })) {
    return 1;
  }
  std::size_t live = 0;
  if (!until_database_ready(signals, "recovering live auctions", [&] {
        auto r = engine.recover();
        if (r) live = *r;
        return r;
      })) {
    return 1;
  }
  spdlog::info("recovered {} live auctions", live);

  auction::server::TokenSigner signer(o.token_secret, std::chrono::hours(o.token_ttl_hours));
  auction::server::Authenticator auth(signer, engine);
  const auction::server::StreamSettings stream_settings{
      streams, hub,
      auction::server::WatchLimits{static_cast<std::size_t>(o.watch_backlog),
                                   std::chrono::milliseconds(o.watch_max_lag_ms)}};
  auction::server::BidRateLimiter bid_limits(o.bid_rate_limit, o.bid_burst);
  auction::server::AuctionServiceImpl auctions(engine, auth, stream_settings, bid_limits);
  auction::server::UserServiceImpl users(engine, auth, signer, stream_settings);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(o.listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&auctions);
  builder.RegisterService(&users);
  builder.SetMaxReceiveMessageSize(1 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    spdlog::critical("cannot listen on {}", o.listen);
    return 1;
  }
  // Health: "" is the process; each service follows the database.
  auction::persistence::Session probe_session(db);
  const auction::server::Readiness readiness(
      *server->GetHealthCheckService(),
      {auction::v1::AuctionService::service_full_name(),
       auction::v1::UserService::service_full_name()},
      [&probe_session] { return auction::persistence::database_answers(probe_session); },
      std::chrono::seconds(1));
  const std::string host = o.listen.substr(0, o.listen.rfind(':'));
  // One stable line on stdout for scripts and tests to find the port.
  std::printf("auctiond listening on %s:%d\n", host.c_str(), port);
  std::fflush(stdout);
  spdlog::info("serving gRPC on {}:{} (scheduler {}, {} writers)", host, port, o.scheduler,
               o.commit_writers);

  // Every 10 s with traffic: one line on the group commit, for operators.
  auction::persistence::CommitStats last = engine.commit_stats();
  while (!wait_for_signal(signals, 10'000)) {
    const auto now = engine.commit_stats();
    const auto tx = now.transactions - last.transactions;
    if (tx > 0) {
      spdlog::info(
          "group commit: {} transactions, {:.1f} bids and {:.1f} auctions each, {:.2f} ms each, {} "
          "failed; {} live auctions",
          tx, static_cast<double>(now.bids - last.bids) / static_cast<double>(tx),
          static_cast<double>(now.auctions - last.auctions) / static_cast<double>(tx),
          static_cast<double>(now.commit_micros - last.commit_micros) / 1000.0 /
              static_cast<double>(tx),
          now.failures - last.failures, engine.live_auctions());
    }
    last = now;
  }
  spdlog::info("shutting down: finishing in-flight calls, closing {} streams", streams.open());
  streams.shutdown();
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(o.shutdown_grace_ms));
  engine.shutdown();
  spdlog::info("stopped");
  return 0;
}
