// main() for the fault suites: the shared cluster/server environment, server
// log tails on failure, and `--cycles N` (or `--cycles=N`) for long crash runs:
//
//   build/tests/fault/fault_suites --gtest_filter='Crash.*' --cycles 500
//   AUCTION_FAULT_CYCLES=500 ctest --test-dir build -L fault -R Crash --timeout 7200
//
// AUCTION_FAULT_STRICT=1 makes the checker's findings fail the run (see
// CheckReport::findings).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/fault/fault_options.hpp"
#include "tests/support/environment.hpp"

namespace auction::test {
namespace {

int cycles = 0;  // 0 = not set on the command line

int parse_cycles(const std::string& text) {
  std::size_t used = 0;
  const int n = std::stoi(text, &used);
  if (used != text.size() || n < 1 || n > 1'000'000) {
    throw std::invalid_argument("--cycles wants a number from 1 to 1000000, not '" + text + "'");
  }
  return n;
}

}  // namespace

int fault_cycles() {
  if (cycles > 0) return cycles;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before the suites start any thread
  if (const char* env = std::getenv("AUCTION_FAULT_CYCLES"); env != nullptr && *env != '\0') {
    return parse_cycles(env);
  }
  return 20;
}

void set_fault_cycles(int count) { cycles = count; }

CheckOptions fault_check_options() {
  CheckOptions o;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing sets the environment while tests run
  const char* strict = std::getenv("AUCTION_FAULT_STRICT");
  o.findings_are_violations = strict != nullptr && std::string(strict) == "1";
  return o;
}

std::string commit_failures_in_log(const std::string& log_path) {
  std::ifstream in(log_path);
  std::size_t deadlocks = 0;
  std::size_t duplicates = 0;
  std::size_t elsewhere = 0;
  std::size_t reloads = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("deadlock detected") != std::string::npos) ++deadlocks;
    if (line.find("duplicate key value") != std::string::npos) ++duplicates;
    if (line.find("changed elsewhere") != std::string::npos) ++elsewhere;
    if (line.find("reloading from the database") != std::string::npos) ++reloads;
  }
  return "server log: " + std::to_string(deadlocks) + " commits failed on a deadlock, " +
         std::to_string(duplicates) + " on a duplicate key, " + std::to_string(elsewhere) +
         " as changed elsewhere; " + std::to_string(reloads) +
         " auction reloads after a failed commit";
}

}  // namespace auction::test

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);  // leaves the flags it does not know
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--cycles" && i + 1 < argc) {
        auction::test::set_fault_cycles(auction::test::parse_cycles(argv[++i]));
      } else if (arg.rfind("--cycles=", 0) == 0) {
        auction::test::set_fault_cycles(auction::test::parse_cycles(arg.substr(9)));
      } else {
        std::cerr << "unknown argument: " << arg << " (this binary takes --cycles N)\n";
        return 2;
      }
    }
    (void)auction::test::fault_cycles();  // a bad AUCTION_FAULT_CYCLES fails here, not mid-run
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  ::testing::AddGlobalTestEnvironment(new auction::test::SharedEnvironment);
  ::testing::UnitTest::GetInstance()->listeners().Append(new auction::test::ServerLogOnFailure);
  return RUN_ALL_TESTS();
}
