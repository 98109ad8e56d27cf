#include "login_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "errors.hpp"

namespace auction::cli {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::system_category().message(errno); }

/// Creates `dir` (and parents) and makes `dir` itself 0700.
void make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw CliError("cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) throw CliError("cannot set permissions on " + dir.string() + ": " + ec.message());
}

void write_all(int fd, const std::string& data, const fs::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw CliError("cannot write " + path.string() + ": " + errno_text());
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

fs::path login_path() {
  // Nothing in auction-cli changes the environment (no setenv, putenv or
  // unsetenv), so reading it races with no writer even once gRPC's threads run.
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read-only use, see above.
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "auction-cli" / "login.json";
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read-only use, see above.
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    throw CliError("neither XDG_CONFIG_HOME nor HOME is set; cannot locate the stored login");
  }
  return fs::path(home) / ".config" / "auction-cli" / "login.json";
}

std::optional<StoredLogin> load_login(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (ec) throw CliError("cannot access " + path.string() + ": " + ec.message());
    return std::nullopt;
  }
  std::ifstream in(path);
  if (!in) throw CliError("cannot read " + path.string() + ": " + errno_text());
  std::stringstream buf;
  buf << in.rdbuf();
  auto j = nlohmann::json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    throw CliError(path.string() + " is not valid JSON; run `auction-cli logout`");
  StoredLogin login;
  login.server = j.value("server", "");
  login.username = j.value("username", "");
  login.user_id = j.value("user_id", "");
  login.token = j.value("token", "");
  login.expires_at = j.value("expires_at", "");
  login.expires_at_unix = j.value("expires_at_unix", std::int64_t{0});
  return login;
}

void save_login(const fs::path& path, const StoredLogin& login) {
  make_private_dir(path.parent_path());
  nlohmann::json j = {{"server", login.server},         {"username", login.username},
                      {"user_id", login.user_id},       {"token", login.token},
                      {"expires_at", login.expires_at}, {"expires_at_unix", login.expires_at_unix}};
  std::string data = j.dump(2) + "\n";
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw CliError("cannot create " + tmp.string() + ": " + errno_text());
  try {
    // The umask cannot widen 0600, but an old file of the same name could.
    if (::fchmod(fd, 0600) != 0)
      throw CliError("cannot chmod " + tmp.string() + ": " + errno_text());
    write_all(fd, data, tmp);
    if (::fsync(fd) != 0) throw CliError("cannot sync " + tmp.string() + ": " + errno_text());
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw CliError("cannot write " + path.string() + ": " + why);
  }
}

bool remove_login(const fs::path& path) {
  std::error_code ec;
  bool removed = fs::remove(path, ec);
  if (ec) throw CliError("cannot remove " + path.string() + ": " + ec.message());
  return removed;
}

}  // namespace auction::cli
