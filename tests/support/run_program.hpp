#pragma once
/// Running a program under test (e.g. auction-cli) the way a user would from
/// a terminal: no shell, arguments passed as they are, a changed environment,
/// stdin from /dev/null, stdout and stderr captured, and a hard time limit.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace auction::test {

struct ProgramOptions {
  /// Changes to the inherited environment: a value sets (or replaces) the
  /// variable, std::nullopt removes it.
  std::map<std::string, std::optional<std::string>> env;
  /// The program is SIGKILLed when it runs longer than this.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

struct ProgramResult {
  std::string command;  ///< argv joined by spaces, for messages
  int exit_code = -1;   ///< exit status, or 128 + signal number
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

/// Runs `argv` (argv[0] is a path) to completion or to the time limit.
ProgramResult run_program(const std::vector<std::string>& argv, const ProgramOptions& options = {});

/// The command, its exit status, time, stdout and stderr: for assertion output.
std::string describe(const ProgramResult& result);

/// A program's output, line by line (without the newlines).
std::vector<std::string> lines_of(const std::string& text);
bool contains(const std::string& text, const std::string& part);

}  // namespace auction::test
