#include "tests/support/process.hpp"

#include "tests/support/run_program.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace auction::test {

CommandResult run_command(const std::vector<std::string>& argv) {
  // Helper scripts bound their own waits (pg-cluster.sh: 60 s to start); the
  // limit here only keeps a hung helper from hanging the suite.
  ProgramOptions options;
  options.timeout = std::chrono::minutes(3);
  ProgramResult r = run_program(argv, options);
  return CommandResult{r.exit_code, std::move(r.out), std::move(r.err)};
}

std::string source_dir() { return AUCTION_SOURCE_DIR; }

std::string auctiond_path() { return AUCTIOND_PATH; }

std::string make_temp_dir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + ".XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp failed: ") +
                             std::system_category().message(errno));
  }
  // The cluster runs as `postgres` (when we are root) and must reach its data dir.
  if (chmod(templ.c_str(), 0755) != 0) {
    throw std::runtime_error(std::string("chmod failed: ") + std::system_category().message(errno));
  }
  return templ;
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string file_tail(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  if (!in) return {};
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

}  // namespace auction::test
