#include "tests/support/pg_cluster.hpp"

#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace auction::test {
namespace {

std::string script() { return source_dir() + "/deploy/pg-cluster.sh"; }

std::string last_line(const std::string& text) {
  std::string::size_type end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return {};
  const auto begin = text.rfind('\n', end);
  return text.substr(begin == std::string::npos ? 0 : begin + 1,
                     end - (begin == std::string::npos ? 0 : begin + 1) + 1);
}

int port_of(const std::string& url) {
  // postgresql://postgres@127.0.0.1:PORT/auction
  const auto at = url.find('@');
  const auto colon = url.find(':', at == std::string::npos ? 0 : at);
  const auto slash = url.find('/', colon == std::string::npos ? 0 : colon);
  if (at == std::string::npos || colon == std::string::npos || slash == std::string::npos) {
    throw std::runtime_error("pg-cluster.sh printed no URL: '" + url + "'");
  }
  return std::stoi(url.substr(colon + 1, slash - colon - 1));
}

}  // namespace

PgCluster::PgCluster() : dir_(make_temp_dir("auction-it")), data_dir_(dir_ + "/pg") {
  try {
    url_ = run_script("start", "auto");
    port_ = port_of(url_);
    running_ = true;
  } catch (...) {
    remove_tree(dir_);
    throw;
  }
}

PgCluster::~PgCluster() {
  try {
    if (running_) stop();
  } catch (const std::exception& e) {
    std::cerr << "PgCluster: " << e.what() << "\n";
    // Leave nothing running behind: a crash-like stop never needs a checkpoint.
    run_command({"/bin/bash", script(), "kill", data_dir_});
  }
  // AUCTION_IT_KEEP=1 keeps the cluster's files and server logs for a post-mortem.
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing sets the environment while tests run
  const char* keep = std::getenv("AUCTION_IT_KEEP");
  if (keep != nullptr && std::string(keep) == "1") {
    std::cerr << "AUCTION_IT_KEEP: leaving " << dir_ << "\n";
    return;
  }
  remove_tree(dir_);
}

std::string PgCluster::run_script(const std::string& command, const std::string& arg) const {
  std::vector<std::string> argv = {"/bin/bash", script(), command, data_dir_};
  if (!arg.empty()) argv.push_back(arg);
  const CommandResult r = run_command(argv);
  if (r.exit_code != 0) {
    throw std::runtime_error("pg-cluster.sh " + command + " " + data_dir_ + " failed (exit " +
                             std::to_string(r.exit_code) + "): " + r.err);
  }
  return last_line(r.out);
}

void PgCluster::kill() {
  run_script("kill", "");
  running_ = false;
}

void PgCluster::start() {
  const std::string url = run_script("start", std::to_string(port_));
  if (url != url_) throw std::runtime_error("the cluster came back as " + url + ", not " + url_);
  running_ = true;
}

void PgCluster::stop() {
  run_script("stop", "");
  running_ = false;
}

}  // namespace auction::test
