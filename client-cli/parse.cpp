#include "parse.hpp"

#include <cctype>
#include <cstdint>
#include <string>

#include <google/protobuf/util/time_util.h>

#include "domain/money.hpp"
#include "errors.hpp"

namespace auction::cli {
std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

[[noreturn]] void bad(std::string_view option, std::string_view text, std::string_view expected) {
  throw UsageError("invalid value '" + std::string(text) + "' for " + std::string(option) +
                   ": expected " + std::string(expected));
}

/// Milliseconds per unit, or 0 when the unit is unknown.
std::int64_t unit_ms(std::string_view unit) {
  using namespace std::chrono;
  if (unit == "ms") return 1;
  if (unit == "s") return milliseconds(seconds(1)).count();
  if (unit == "m") return milliseconds(minutes(1)).count();
  if (unit == "h") return milliseconds(hours(1)).count();
  if (unit == "d") return milliseconds(hours(24)).count();
  return 0;
}

}  // namespace

Money parse_amount(std::string_view option, std::string_view text) {
  auto money = parse_money(text);
  if (!money) bad(option, text, "an amount such as 12.50 (at most two decimals, > 0)");
  return *money;
}

std::chrono::milliseconds parse_duration(std::string_view option, std::string_view text) {
  constexpr std::string_view kExpected = "a duration such as 90s, 10m, 2h, 3d or 1h30m";
  constexpr std::int64_t kMaxMs = std::int64_t{100} * 365 * 24 * 60 * 60 * 1000;  // 100 years
  if (text.empty()) bad(option, text, kExpected);
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t digits_begin = i;
    std::int64_t value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
      value = value * 10 + (text[i] - '0');
      if (value > kMaxMs) bad(option, text, kExpected);
      ++i;
    }
    if (i == digits_begin) bad(option, text, kExpected);
    std::size_t unit_begin = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) != 0) ++i;
    std::int64_t per = unit_ms(text.substr(unit_begin, i - unit_begin));
    if (per == 0) bad(option, text, kExpected);
    if (value > kMaxMs / per) bad(option, text, kExpected);
    total += value * per;
    if (total > kMaxMs) bad(option, text, kExpected);
  }
  return std::chrono::milliseconds(total);
}

google::protobuf::Timestamp parse_timestamp(std::string_view option, std::string_view text) {
  google::protobuf::Timestamp ts;
  if (!google::protobuf::util::TimeUtil::FromString(std::string(text), &ts)) {
    bad(option, text, "an RFC 3339 time such as 2030-01-02T03:04:05Z");
  }
  return ts;
}

google::protobuf::Duration to_proto_duration(std::chrono::milliseconds d) {
  return google::protobuf::util::TimeUtil::MillisecondsToDuration(d.count());
}

v1::AuctionStatus parse_status(std::string_view text) {
  auto s = ascii_lower(text);
  if (s == "scheduled") return v1::AUCTION_STATUS_SCHEDULED;
  if (s == "active") return v1::AUCTION_STATUS_ACTIVE;
  if (s == "ended") return v1::AUCTION_STATUS_ENDED;
  if (s == "cancelled" || s == "canceled") return v1::AUCTION_STATUS_CANCELLED;
  bad("--status", text, "scheduled, active, ended or cancelled");
}

v1::ListOrder parse_order(std::string_view text) {
  auto s = ascii_lower(text);
  if (s == "ending-soon") return v1::LIST_ORDER_ENDING_SOON;
  if (s == "newest") return v1::LIST_ORDER_NEWEST;
  if (s == "most-bids") return v1::LIST_ORDER_MOST_BIDS;
  bad("--order", text, "ending-soon, newest or most-bids");
}

std::string parse_currency(std::string_view text) {
  constexpr std::string_view kExpected = "a three-letter ISO 4217 code such as USD";
  if (text.size() != 3) bad("--currency", text, kExpected);
  std::string out;
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) == 0) bad("--currency", text, kExpected);
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  // The server's list, so that the answer comes before a round trip.
  if (!is_supported_currency(out)) bad("--currency", text, "one of " + supported_currencies());
  return out;
}

}  // namespace auction::cli
