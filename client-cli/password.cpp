#include "password.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "errors.hpp"

namespace auction::cli {
namespace {

/// Turns terminal echo off for its lifetime.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::string read_line(bool prompt) {
  std::string line;
  bool got = false;
  if (prompt) {
    std::cerr << "Password: " << std::flush;
    EchoOff quiet;
    got = static_cast<bool>(std::getline(std::cin, line));
    std::cerr << '\n';
  } else {
    got = static_cast<bool>(std::getline(std::cin, line));
  }
  if (!got) throw CliError("no password: use --password, AUCTION_PASSWORD or one line on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::string resolve_password(const std::optional<std::string>& option) {
  if (option) return *option;
  return read_line(::isatty(STDIN_FILENO) == 1);
}

}  // namespace auction::cli
