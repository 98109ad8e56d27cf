#include "tests/support/server_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <system_error>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/process.hpp"

namespace auction::test {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr int kStopTimeoutMs = 10'000;
constexpr const char* kReadyLine = "auctiond listening on ";

std::mutex& registry_mutex() {
  static std::mutex mu;
  return mu;
}
std::set<const ServerProcess*>& registry() {
  static std::set<const ServerProcess*> live;
  return live;
}

int free_port() {
  const CommandResult r =
      run_command({"/bin/bash", source_dir() + "/deploy/pg-cluster.sh", "free-port"});
  if (r.exit_code != 0) throw std::runtime_error("pg-cluster.sh free-port failed: " + r.err);
  return std::stoi(r.out);
}

std::string read_from(const std::string& path, std::streamoff offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(offset);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::streamoff file_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<std::streamoff>(in.tellg()) : 0;
}

std::atomic<int> log_counter{0};

}  // namespace

std::shared_ptr<grpc::Channel> make_channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  // gRPC takes this as the shortest time one connection attempt gets (not a backoff): at
  // 100 ms, attempts under ThreadSanitizer and load timed out waiting for the server's SETTINGS.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10'000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

ServerProcess::ServerProcess(std::string database_url, std::string log_dir, ServerOptions options)
    : database_url_(std::move(database_url)),
      log_path_(log_dir + "/auctiond-" + std::to_string(++log_counter) + ".log"),
      options_(std::move(options)) {
  start(false);
  std::lock_guard lock(registry_mutex());
  registry().insert(this);
}

ServerProcess::~ServerProcess() {
  {
    std::lock_guard lock(registry_mutex());
    registry().erase(this);
  }
  if (running()) stop();
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- tail of " << log_path_ << " ---\n" << log_tail() << "---\n";
  }
}

std::string ServerProcess::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::string ServerProcess::log_tail(std::size_t lines) const { return file_tail(log_path_, lines); }

void ServerProcess::start(bool same_port) {
  std::string why;
  // A port chosen as free may be taken before auctiond binds it: try another.
  for (int attempt = 1; attempt <= 3; ++attempt) {
    if (!same_port) port_ = free_port();
    if (spawn_and_wait(why)) {
      channel_ = make_channel(address());
      if (!channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
        kill9();
        throw std::runtime_error("auctiond listens on " + address() +
                                 " but the channel does not connect");
      }
      return;
    }
    if (same_port) break;
  }
  throw std::runtime_error("auctiond did not start: " + why + "\n--- " + log_path_ + " ---\n" +
                           log_tail());
}

bool ServerProcess::spawn_and_wait(std::string& why) {
  const std::streamoff offset = file_size(log_path_);
  const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot open " + log_path_ + ": " +
                             std::system_category().message(errno));

  std::vector<std::string> argv = {auctiond_path(),        "--listen",         address(),
                                   "--database-url",       database_url_,      "--token-secret",
                                   options_.token_secret,  "--admin-username", kAdminUsername,
                                   "--admin-password",     kAdminPassword,     "--bid-rate-limit",
                                   options_.bid_rate_limit};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  // The server's environment is ours, except that AUCTION_SERVER_TSAN_OPTIONS
  // (when set) becomes its TSAN_OPTIONS: test clients need suppressions for
  // gRPC's client internals that the server must not get (deploy/test.sh).
  std::vector<std::string> env_strings;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing sets the environment while tests run
  const char* server_tsan = std::getenv("AUCTION_SERVER_TSAN_OPTIONS");
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    if (server_tsan != nullptr && entry.rfind("TSAN_OPTIONS=", 0) == 0) continue;
    env_strings.push_back(entry);
  }
  if (server_tsan != nullptr) env_strings.push_back(std::string("TSAN_OPTIONS=") + server_tsan);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    throw std::runtime_error(std::string("fork failed: ") + std::system_category().message(errno));
  }
  if (pid == 0) {
    // Never outlive the test binary, even if it crashes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(fd);
  pid_ = pid;

  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = read_from(log_path_, offset);
    const auto at = out.find(kReadyLine);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) return true;
    int code = 0;
    if (waitpid(pid_, &code, WNOHANG) == pid_) {
      pid_ = -1;
      why = "auctiond exited with status " + std::to_string(code) + " before listening";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill9();
  why = "no 'listening' line within 20 s";
  return false;
}

bool ServerProcess::wait_exit(int timeout_ms, int& code) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      code = WIFEXITED(status) ? WEXITSTATUS(status)
                               : (WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1);
      pid_ = -1;
      return true;
    }
    if (r < 0) {
      code = -1;
      pid_ = -1;
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ServerProcess::stop() {
  if (!running()) return -1;
  channel_.reset();
  ::kill(pid_, SIGTERM);
  int code = 0;
  if (wait_exit(kStopTimeoutMs, code)) return code;
  std::cerr << "auctiond (pid " << pid_ << ") ignored SIGTERM for 10 s; killing it\n";
  ::kill(pid_, SIGKILL);
  wait_exit(kStopTimeoutMs, code);
  return -1;
}

void ServerProcess::kill9() {
  if (!running()) return;
  channel_.reset();
  ::kill(pid_, SIGKILL);
  int code = 0;
  wait_exit(kStopTimeoutMs, code);
}

void ServerProcess::restart() {
  if (running()) throw std::logic_error("restart() while the server is still running");
  start(true);
}

std::string live_server_log_tails(std::size_t lines) {
  std::lock_guard lock(registry_mutex());
  std::string out;
  for (const ServerProcess* s : registry()) {
    out += "--- tail of " + s->log_path() + " ---\n" + s->log_tail(lines);
  }
  return out;
}

}  // namespace auction::test
