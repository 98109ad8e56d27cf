#pragma once
/// Running helper programs (deploy/pg-cluster.sh) from the fixtures: no shell,
/// arguments passed as they are, stdout and stderr captured.
#include <cstddef>
#include <string>
#include <vector>

namespace auction::test {

struct CommandResult {
  int exit_code = -1;  ///< exit status, or 128 + signal number
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] is a path) to completion and captures its output.
CommandResult run_command(const std::vector<std::string>& argv);

/// The repository root (compile definition AUCTION_SOURCE_DIR).
std::string source_dir();
/// The auctiond binary under test (compile definition AUCTIOND_PATH).
std::string auctiond_path();

/// A fresh directory under /tmp that the `postgres` user can enter (0755).
std::string make_temp_dir(const std::string& prefix);
/// Removes a directory tree; errors are ignored.
void remove_tree(const std::string& path);

/// The last `lines` lines of a text file (empty if it cannot be read).
std::string file_tail(const std::string& path, std::size_t lines);

}  // namespace auction::test
