#pragma once
/// Options of the fault suites that come from the command line or the
/// environment (see fault_main.cpp).
#include <string>

#include "tests/support/history_checker.hpp"

namespace auction::test {

/// Kill cycles of the crash suite: `--cycles N` on the test binary's command
/// line, else the environment's AUCTION_FAULT_CYCLES, else 20.
int fault_cycles();
void set_fault_cycles(int count);

/// The checker's options for the suites: AUCTION_FAULT_STRICT=1 makes its
/// findings (errors that claimed nothing was applied although the bid was
/// committed) fail the run as violations.
CheckOptions fault_check_options();

/// One line on what the server's log says about commit failures: deadlocks
/// between the group-commit writers, duplicate keys, "changed elsewhere" and
/// reloads. For the run's report; it fails nothing.
std::string commit_failures_in_log(const std::string& log_path);

}  // namespace auction::test
