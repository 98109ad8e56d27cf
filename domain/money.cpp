#include "money.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace auction {

namespace {

constexpr std::array<std::string_view, 20> kCurrencies = {
    "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK",
    "PLN", "CZK", "HUF", "MXN", "BRL", "INR", "SGD", "HKD", "ZAR", "CNY"};

}  // namespace

bool is_supported_currency(std::string_view code) {
  return std::ranges::find(kCurrencies, code) != kCurrencies.end();
}

std::string supported_currencies() {
  std::string out;
  for (std::string_view code : kCurrencies) {
    if (!out.empty()) out += ", ";
    out += code;
  }
  return out;
}

std::optional<Money> parse_money(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 2)) return std::nullopt;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  Money units = 0;
  if (!whole.empty()) {
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), units);
    if (ec != std::errc{} || p != whole.data() + whole.size()) return std::nullopt;
  }
  if (units > kMaxAmount / 100) return std::nullopt;
  Money cents = 0;
  if (!frac.empty()) {
    cents = Money{frac[0] - '0'} * 10;
    if (frac.size() == 2) cents += frac[1] - '0';
  }
  Money total = units * 100 + cents;
  if (!valid_amount(total)) return std::nullopt;
  return total;
}

std::string format_money(Money minor) {
  std::string sign = minor < 0 ? "-" : "";
  // Avoid overflow on INT64_MIN by working in unsigned.
  auto magnitude =
      minor < 0 ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  auto cents = magnitude % 100;
  return sign + std::to_string(magnitude / 100) + (cents < 10 ? ".0" : ".") + std::to_string(cents);
}

std::string format_money(Money minor, std::string_view currency) {
  return format_money(minor) + " " + std::string(currency);
}

}  // namespace auction
