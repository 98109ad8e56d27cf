#pragma once
/// How the CLI words a failure: the error line (or its --json object), the
/// hints after it, the CLI's flag names in place of proto field names, and
/// the nearest subcommand to a mistyped one.
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/support/status.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"

namespace auction::cli {

/// One failure as reported on stderr.
struct ErrorReport {
  std::string code;          ///< "NOT_FOUND", "USAGE", "ERROR", ...; shown in the text form if set
  std::string message;       ///< what went wrong
  std::string hint;          ///< advice, possibly empty
  bool code_in_text = true;  ///< the text form says "error: CODE: message"
};

/// Text: "error: [CODE: ]message\n[hint: hint\n]". JSON (--json): one line,
/// {"error": {"code": ..., "message": ..., "hint": ...}}, hint only if set.
void print_error(std::ostream& err, const ErrorReport& report, bool json);
nlohmann::json error_json(const ErrorReport& report);

/// For a status saying the server could not be reached at all: where the
/// CLI looked and how to change it. "" for any other status.
std::string unavailable_hint(const grpc::Status& status, std::string_view server);

/// The candidate closest to `word` (edit distance, a swap of neighbours
/// counting once), when close enough to be a typo of it.
std::optional<std::string> nearest_word(std::string_view word,
                                        const std::vector<std::string>& candidates);

/// Proto field name -> the CLI's flag, e.g. reserve_price -> --reserve.
using FlagNames = std::map<std::string, std::string, std::less<>>;

/// `message` with each whole word that is a key of `names` replaced.
std::string with_flag_names(std::string_view message, const FlagNames& names);

/// `e` with an INVALID_ARGUMENT message in flag names; other errors as they are.
RpcError in_flag_names(const RpcError& e, const FlagNames& names);

}  // namespace auction::cli
