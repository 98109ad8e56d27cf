#pragma once
/// Outcomes counted by code (a reject reason or a gRPC status code), and how
/// the bench reports name and print them.
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace auction::cli::bench {

using CountsByCode = std::map<int, std::int64_t>;

/// "BID_TOO_LOW"; "REASON_99" for a code this client does not know.
std::string reject_name(int code);
/// "UNAVAILABLE".
std::string error_name(int code);

std::int64_t total(const CountsByCode& counts);

/// "BID_TOO_LOW 12, SELF_BID 1" or "none".
template <class Namer>
std::string breakdown(const CountsByCode& counts, Namer name) {
  std::string s;
  for (const auto& [code, n] : counts) {
    if (!s.empty()) s += ", ";
    s += name(code) + " " + std::to_string(n);
  }
  return s.empty() ? "none" : s;
}

/// {"BID_TOO_LOW": 12, "SELF_BID": 1}.
template <class Namer>
nlohmann::json breakdown_json(const CountsByCode& counts, Namer name) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [code, n] : counts) j[name(code)] = n;
  return j;
}

}  // namespace auction::cli::bench
