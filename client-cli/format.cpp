#include "format.hpp"

#include <cctype>

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "domain/money.hpp"

namespace auction::cli {
namespace {

using google::protobuf::util::TimeUtil;

std::string two_digits(std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }

/// Strips `prefix` from an enum value name and lower-cases the rest.
std::string enum_word(const std::string& name, std::string_view prefix) {
  std::string out = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string money(std::int64_t minor, std::string_view currency) {
  return currency.empty() ? format_money(minor) : format_money(minor, currency);
}

std::string timestamp(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  google::protobuf::Timestamp whole;
  whole.set_seconds(ts.seconds());
  return TimeUtil::ToString(whole);
}

std::string compact_duration(std::chrono::seconds d) {
  std::int64_t s = d.count() < 0 ? -d.count() : d.count();
  std::int64_t days = s / 86400;
  std::int64_t hours = s % 86400 / 3600;
  std::int64_t minutes = s % 3600 / 60;
  std::int64_t seconds = s % 60;
  // The two leading units; a zero second unit is left out.
  auto two = [](std::int64_t big, const char* big_unit, std::int64_t small,
                const char* small_unit) {
    std::string out = std::to_string(big) + big_unit;
    if (small != 0) out += " " + two_digits(small) + small_unit;
    return out;
  };
  if (days > 0) return two(days, "d", hours, "h");
  if (hours > 0) return two(hours, "h", minutes, "m");
  if (minutes > 0) return two(minutes, "m", seconds, "s");
  return std::to_string(seconds) + "s";
}

std::string compact_duration(const google::protobuf::Duration& d) {
  return compact_duration(std::chrono::seconds(d.seconds()));
}

std::string relative(const google::protobuf::Timestamp& ts,
                     std::chrono::system_clock::time_point now) {
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto delta = std::chrono::seconds(ts.seconds() - now_s);
  if (delta.count() >= 0) return "in " + compact_duration(delta);
  return compact_duration(delta) + " ago";
}

std::string status_name(v1::AuctionStatus s) {
  if (s == v1::AUCTION_STATUS_UNSPECIFIED) return "-";
  return enum_word(v1::AuctionStatus_Name(s), "AUCTION_STATUS_");
}

std::string reject_reason_name(v1::RejectReason r) { return v1::RejectReason_Name(r); }

std::string outcome_name(v1::Outcome o) {
  if (o == v1::OUTCOME_UNSPECIFIED) return "-";
  return enum_word(v1::Outcome_Name(o), "OUTCOME_");
}

std::string role_name(v1::Role r) {
  if (r == v1::ROLE_UNSPECIFIED) return "-";
  return enum_word(v1::Role_Name(r), "ROLE_");
}

std::string latency(std::chrono::nanoseconds d) {
  auto ns = static_cast<double>(d.count());
  if (ns < 1e3) return fmt::format("{:.0f} ns", ns);
  if (ns < 1e6) return fmt::format("{:.0f} µs", ns / 1e3);
  if (ns < 1e9) return fmt::format("{:.2f} ms", ns / 1e6);
  return fmt::format("{:.2f} s", ns / 1e9);
}

std::string fixed(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

}  // namespace auction::cli
