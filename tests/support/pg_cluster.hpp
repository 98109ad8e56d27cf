#pragma once
/// A private PostgreSQL 15 cluster for one test binary, managed through
/// deploy/pg-cluster.sh in a fresh temporary directory.
#include <string>

namespace auction::test {

class PgCluster {
 public:
  /// Creates a temp dir under /tmp, initialises a cluster there and starts it
  /// on a free port. Throws std::runtime_error when the cluster cannot start.
  PgCluster();
  /// Stops the cluster (fast shutdown) and removes the temp dir (kept when the
  /// environment has AUCTION_IT_KEEP=1).
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  /// postgresql://postgres@127.0.0.1:PORT/auction; stable across kill()/start().
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  /// The temp dir; fixtures put their logs here as well.
  const std::string& dir() const { return dir_; }
  bool running() const { return running_; }

  /// Immediate shutdown, like a crash (`pg_ctl -m immediate`).
  void kill();
  /// Starts the cluster again on the same port.
  void start();
  /// Fast shutdown.
  void stop();

 private:
  std::string run_script(const std::string& command, const std::string& arg) const;

  std::string dir_;
  std::string data_dir_;
  std::string url_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace auction::test
