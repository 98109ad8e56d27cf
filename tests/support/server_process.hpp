#pragma once
/// The auctiond binary under test as a child process, with a gRPC channel to it.
#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace auction::test {

inline constexpr const char* kTokenSecret = "integration-test-token-secret";
inline constexpr const char* kAdminUsername = "admin";
inline constexpr const char* kAdminPassword = "adminpassword1";

struct ServerOptions {
  std::string token_secret = kTokenSecret;
  /// Bids per second per user. Off by default: the suites drive a few
  /// accounts far harder than a person could; the limit has its own tests.
  std::string bid_rate_limit = "0";
  std::vector<std::string> extra_args;  ///< appended to the command line
};

class ServerProcess {
 public:
  /// Starts auctiond on 127.0.0.1:<free port> against `database_url`, with its
  /// stdout/stderr in a log file under `log_dir`, and waits (at most 20 s) for
  /// its "auctiond listening on" line. Throws std::runtime_error on failure.
  ServerProcess(std::string database_url, std::string log_dir, ServerOptions options = {});
  /// Stops the server (SIGTERM); prints the log tail if the current test failed.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// SIGTERM, then waits up to 10 s. Returns the exit code (128 + signal when
  /// killed by one; -1 if it had to be SIGKILLed after the wait).
  int stop();
  /// SIGKILL: a crash at an arbitrary instant.
  void kill9();
  /// Starts the server again on the same port (after stop() or kill9()).
  void restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  /// "127.0.0.1:PORT"
  std::string address() const;
  /// A channel to the current process, connected; a new one after restart().
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  const std::string& log_path() const { return log_path_; }
  std::string log_tail(std::size_t lines = 40) const;

 private:
  void start(bool same_port);
  bool spawn_and_wait(std::string& why);
  bool wait_exit(int timeout_ms, int& code);

  std::string database_url_;
  std::string log_path_;
  ServerOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

/// Log tails of every ServerProcess alive in this process, for failure reports.
std::string live_server_log_tails(std::size_t lines);

/// A channel to `address` that reconnects quickly and shares no subchannels
/// with other channels (so a restarted server is reached at once).
std::shared_ptr<grpc::Channel> make_channel(const std::string& address);

}  // namespace auction::test
