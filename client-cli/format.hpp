#pragma once
/// Human-readable values: money, times, durations, enum names.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "auction/v1/auction.pb.h"

namespace auction::cli {

/// Proto3 leaves unset timestamps and durations at zero.
inline bool is_set(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}
inline bool is_set(const google::protobuf::Duration& d) {
  return d.seconds() != 0 || d.nanos() != 0;
}

/// 1250, "USD" -> "12.50 USD"; without a currency just "12.50".
std::string money(std::int64_t minor, std::string_view currency);

/// "2030-01-02T03:04:05Z" (UTC, whole seconds); "-" when unset (zero).
std::string timestamp(const google::protobuf::Timestamp& ts);

/// Compact, the two leading units: "3d 04h", "2h 05m", "9m 58s", "2m", "45s",
/// "0s" (a zero second unit is left out). Negative values by magnitude.
std::string compact_duration(std::chrono::seconds d);
std::string compact_duration(const google::protobuf::Duration& d);

/// "in 9m 58s" or "3h 02m ago", relative to `now`.
std::string relative(const google::protobuf::Timestamp& ts,
                     std::chrono::system_clock::time_point now);

/// "active", "scheduled", ... ("-" for UNSPECIFIED).
std::string status_name(v1::AuctionStatus s);
/// "BID_TOO_LOW", ...
std::string reject_reason_name(v1::RejectReason r);
std::string outcome_name(v1::Outcome o);
std::string role_name(v1::Role r);

/// Latency for reports: "87 µs", "1.23 ms", "2.5 s".
std::string latency(std::chrono::nanoseconds d);

/// `v` with exactly `decimals` digits after the point: fixed(2.345, 1) == "2.3".
std::string fixed(double v, int decimals);

/// "yes" / "no".
inline const char* yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace auction::cli
