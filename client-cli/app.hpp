#pragma once
/// The auction-cli program: parses the command line and runs one subcommand.

namespace auction::cli {

/// Returns the process exit status (0 ok, 1 error, 2 usage, 3 rejected bid).
int run(int argc, char** argv);

}  // namespace auction::cli
