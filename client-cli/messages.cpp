#include "messages.hpp"

#include <algorithm>
#include <array>
#include <ostream>

#include "parse.hpp"

namespace auction::cli {
namespace {

/// Substrings of gRPC's own UNAVAILABLE messages when no connection could be
/// made (as opposed to a running server answering UNAVAILABLE).
constexpr std::array<std::string_view, 3> kNotReached = {"failed to connect", "connection refused",
                                                         "dns resolution failed"};

/// Edit distance where a swap of two neighbouring letters counts as one
/// edit (optimal string alignment), the commonest typos at a keyboard.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

nlohmann::json error_json(const ErrorReport& report) {
  nlohmann::json error = {{"code", report.code}, {"message", report.message}};
  if (!report.hint.empty()) error["hint"] = report.hint;
  return {{"error", error}};
}

void print_error(std::ostream& err, const ErrorReport& report, bool json) {
  if (json) {
    err << error_json(report).dump() << '\n';
    return;
  }
  err << "error: ";
  if (report.code_in_text && !report.code.empty()) err << report.code << ": ";
  err << report.message << '\n';
  if (!report.hint.empty()) err << "hint: " << report.hint << '\n';
}

std::string unavailable_hint(const grpc::Status& status, std::string_view server) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return {};
  const std::string message = ascii_lower(status.error_message());
  const bool not_reached = std::ranges::any_of(
      kNotReached, [&message](std::string_view m) { return message.find(m) != std::string::npos; });
  if (!not_reached) return {};
  return "is auctiond running at " + std::string(server) + "? Set --server or AUCTION_SERVER.";
}

std::optional<std::string> nearest_word(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  // One edit for short words, two from five letters on: closer than that,
  // a guess is more often wrong than helpful.
  const std::size_t allowed = word.size() >= 5 ? 2 : 1;
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < c.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string with_flag_names(std::string_view message, const FlagNames& names) {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    if (!is_word_char(message[i])) {
      out += message[i++];
      continue;
    }
    std::size_t end = i;
    while (end < message.size() && is_word_char(message[end])) ++end;
    const std::string_view word = message.substr(i, end - i);
    auto it = names.find(word);
    out += it != names.end() ? it->second : std::string(word);
    i = end;
  }
  return out;
}

RpcError in_flag_names(const RpcError& e, const FlagNames& names) {
  const grpc::Status& s = e.status();
  if (s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) return e;
  return RpcError(
      grpc::Status(s.error_code(), with_flag_names(s.error_message(), names), s.error_details()),
      e.hint());
}

}  // namespace auction::cli
