#pragma once
/// The stored login: $XDG_CONFIG_HOME/auction-cli/login.json (default
/// ~/.config/auction-cli/login.json), directory 0700, file 0600.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace auction::cli {

struct StoredLogin {
  std::string server;
  std::string username;
  std::string user_id;
  std::string token;
  std::string expires_at;            ///< RFC 3339, as the server sent it
  std::int64_t expires_at_unix = 0;  ///< seconds; 0 = unknown
};

/// Where the login lives; throws CliError when neither XDG_CONFIG_HOME nor
/// HOME is set.
std::filesystem::path login_path();

/// The stored login, or nothing when there is none. Throws CliError when the
/// file exists but cannot be read or parsed.
std::optional<StoredLogin> load_login(const std::filesystem::path& path);

/// Writes atomically (temporary file + rename) with mode 0600.
void save_login(const std::filesystem::path& path, const StoredLogin& login);

/// Deletes the file; false when there was none.
bool remove_login(const std::filesystem::path& path);

}  // namespace auction::cli
