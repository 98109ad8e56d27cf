#pragma once
/// Money: an int64 count of minor units (cents) of an ISO-4217 currency.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace auction {

using Money = std::int64_t;

/// Every amount on the wire is in (0, kMaxAmount].
inline constexpr Money kMaxAmount = 10'000'000'000'000;

inline constexpr bool valid_amount(Money m) { return m > 0 && m <= kMaxAmount; }

/// Supported currencies all have two minor digits, so that the default
/// increment table (written in currency units) maps onto cents exactly.
bool is_supported_currency(std::string_view code);

/// The supported codes, for messages: "USD, EUR, ...".
std::string supported_currencies();

/// "12.50" -> 1250, "7" -> 700, "0.5" -> 50. Rejects signs, more than two
/// decimals, garbage and anything outside (0, kMaxAmount].
std::optional<Money> parse_money(std::string_view text);

/// 1250 -> "12.50"; with a currency, "12.50 USD". Thousands are not grouped.
std::string format_money(Money minor);
std::string format_money(Money minor, std::string_view currency);

}  // namespace auction
