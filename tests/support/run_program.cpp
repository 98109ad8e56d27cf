#include "tests/support/run_program.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace auction::test {
namespace {

using Clock = std::chrono::steady_clock;

/// After a SIGKILL, how long to wait for the pipes to close.
constexpr auto kDrainAfterKill = std::chrono::seconds(2);

/// The inherited environment with `changes` applied, as NAME=VALUE strings.
std::vector<std::string> child_environment(
    const std::map<std::string, std::optional<std::string>>& changes) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (!changes.contains(name)) env.push_back(entry);
  }
  for (const auto& [name, value] : changes) {
    if (value) env.push_back(name + "=" + *value);
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int millis_until(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 60'000 ? 60'000 : static_cast<int>(left);
}

}  // namespace

ProgramResult run_program(const std::vector<std::string>& argv, const ProgramOptions& options) {
  if (argv.empty()) throw std::invalid_argument("run_program: empty argv");
  ProgramResult result;
  for (const auto& a : argv) result.command += (result.command.empty() ? "" : " ") + a;

  // Everything the child needs is built before fork: it only calls
  // async-signal-safe functions.
  std::vector<std::string> args_storage = argv;
  std::vector<std::string> env_storage = child_environment(options.env);
  std::vector<char*> args = pointers(args_storage);
  std::vector<char*> envp = pointers(env_storage);

  std::array<int, 2> out_pipe{};
  std::array<int, 2> err_pipe{};
  if (pipe2(out_pipe.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  if (pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error("pipe2 failed");
  }

  const auto start = Clock::now();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    throw std::runtime_error(std::string("fork failed: ") + std::system_category().message(errno));
  }
  if (pid == 0) {
    // Never outlive the test binary.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  std::array<pollfd, 2> fds = {{{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}}};
  const std::array<std::string*, 2> sinks = {&result.out, &result.err};
  int open_fds = 2;
  std::array<char, 4096> buf{};
  auto deadline = start + options.timeout;
  bool killed = false;
  while (open_fds > 0) {
    const int ready = poll(fds.data(), fds.size(), millis_until(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0) {
      if (killed) break;  // the pipes stay open (a grandchild?): stop reading
      ::kill(pid, SIGKILL);
      killed = true;
      result.timed_out = true;
      deadline = Clock::now() + kDrainAfterKill;
      continue;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf.data(), buf.size());
      if (n > 0) {
        sinks[i]->append(buf.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  // The pipes are closed; the process may still run (it closed them itself).
  const auto hard_deadline = start + options.timeout;
  int status = 0;
  bool reaped = false;
  for (;;) {
    const pid_t r = waitpid(pid, &status, killed ? 0 : WNOHANG);
    if (r == pid) {
      reaped = true;
      break;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (Clock::now() >= hard_deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
      result.timed_out = true;
    } else {
      usleep(2000);
    }
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  result.exit_code = reaped ? decode_wait_status(status) : -1;
  return result;
}

std::string describe(const ProgramResult& result) {
  std::string s = "`" + result.command + "` ";
  s += result.timed_out ? "was killed at its time limit"
                        : "exited " + std::to_string(result.exit_code);
  s += " after " + std::to_string(result.elapsed.count()) + " ms\n--- stdout ---\n" + result.out +
       "--- stderr ---\n" + result.err + "---";
  return s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace auction::test
