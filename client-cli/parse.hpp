#pragma once
/// Parsing of command-line values: amounts, durations, times, enum names.
/// Every function throws UsageError with a message that names the option.
#include <chrono>
#include <string>
#include <string_view>

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "auction/v1/auction.pb.h"
#include "domain/money.hpp"

namespace auction::cli {

/// `s` with ASCII letters in lower case (codes, units and messages are ASCII).
std::string ascii_lower(std::string_view s);

/// "12.50" -> 1250 minor units; rejects anything parse_money rejects.
Money parse_amount(std::string_view option, std::string_view text);

/// "90s", "10m", "2h", "3d", "1h30m", "250ms", "0s": a sum of
/// <integer><unit> parts, unit one of ms, s, m, h, d. A unit is required.
std::chrono::milliseconds parse_duration(std::string_view option, std::string_view text);

/// RFC 3339, e.g. "2030-01-02T03:04:05Z" or "2030-01-02T05:04:05.5+02:00".
google::protobuf::Timestamp parse_timestamp(std::string_view option, std::string_view text);

google::protobuf::Duration to_proto_duration(std::chrono::milliseconds d);

/// "scheduled", "active", "ended", "cancelled" (case-insensitive).
v1::AuctionStatus parse_status(std::string_view text);
/// "ending-soon", "newest", "most-bids".
v1::ListOrder parse_order(std::string_view text);

/// "usd" -> "USD"; three ASCII letters.
std::string parse_currency(std::string_view text);

}  // namespace auction::cli
