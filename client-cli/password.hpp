#pragma once
#include <optional>
#include <string>

namespace auction::cli {

/// The password for register/login: `option` when given (by --password or
/// AUCTION_PASSWORD, see commands_user.cpp), else one line from stdin
/// (prompted without echo when stdin is a terminal). Throws CliError on end of
/// input.
std::string resolve_password(const std::optional<std::string>& option);

}  // namespace auction::cli
