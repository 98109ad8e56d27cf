#pragma once
#include <optional>
#include <string>

namespace auction::cli {

/// The password for register/login: `option` when given, else the
/// AUCTION_PASSWORD environment variable, else one line from stdin (prompted
/// without echo when stdin is a terminal). Throws CliError on end of input.
std::string resolve_password(const std::optional<std::string>& option);

}  // namespace auction::cli
