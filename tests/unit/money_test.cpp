// Money (SPEC section 2): int64 minor units, every amount in (0, 10^13].
#include "domain/money.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace auction {
namespace {

TEST(ParseMoney, AcceptsWholeAndFractionalAmounts) {
  EXPECT_EQ(parse_money("12.50"), std::optional<Money>(1250));
  EXPECT_EQ(parse_money("12.5"), std::optional<Money>(1250));
  EXPECT_EQ(parse_money("7"), std::optional<Money>(700));
  EXPECT_EQ(parse_money("0.5"), std::optional<Money>(50));
  EXPECT_EQ(parse_money(".5"), std::optional<Money>(50));
  EXPECT_EQ(parse_money("0.05"), std::optional<Money>(5));
  EXPECT_EQ(parse_money("0.01"), std::optional<Money>(1));
  EXPECT_EQ(parse_money("1234.07"), std::optional<Money>(123407));
}

TEST(ParseMoney, AcceptsTheLargestAmount) {
  // 10^13 minor units = 10^11 currency units.
  EXPECT_EQ(parse_money("100000000000"), std::optional<Money>(kMaxAmount));
  EXPECT_EQ(parse_money("100000000000.00"), std::optional<Money>(kMaxAmount));
  EXPECT_EQ(parse_money("99999999999.99"), std::optional<Money>(kMaxAmount - 1));
}

TEST(ParseMoney, RejectsMalformedText) {
  for (std::string_view bad : {"", "-1", "-0.50", "+1", "1.234", "1.", ".", "abc", "1e3", "12a",
                               "0x10", " 1", "1 ", "1,00", "1.2.3", "1..2", "1.-5", "$1"}) {
    EXPECT_EQ(parse_money(bad), std::nullopt) << "input: '" << bad << "'";
  }
}

TEST(ParseMoney, RejectsZero) {
  for (std::string_view zero : {"0", "0.0", "0.00", "00", ".0"}) {
    EXPECT_EQ(parse_money(zero), std::nullopt) << "input: '" << zero << "'";
  }
}

TEST(ParseMoney, RejectsAmountsAboveTheMaximum) {
  for (std::string_view big :
       {"100000000000.01", "100000000001", "99999999999999999999", "9223372036854775807",
        "92233720368547758.07", "184467440737095516160"}) {
    EXPECT_EQ(parse_money(big), std::nullopt) << "input: '" << big << "'";
  }
}

TEST(FormatMoney, UsesTwoDecimals) {
  EXPECT_EQ(format_money(1250), "12.50");
  EXPECT_EQ(format_money(700), "7.00");
  EXPECT_EQ(format_money(50), "0.50");
  EXPECT_EQ(format_money(5), "0.05");
  EXPECT_EQ(format_money(10), "0.10");
  EXPECT_EQ(format_money(100), "1.00");
  EXPECT_EQ(format_money(123407), "1234.07");
  EXPECT_EQ(format_money(kMaxAmount), "100000000000.00");  // thousands are not grouped
}

TEST(FormatMoney, AppendsTheCurrency) {
  EXPECT_EQ(format_money(1250, "USD"), "12.50 USD");
  EXPECT_EQ(format_money(5, "EUR"), "0.05 EUR");
}

TEST(FormatMoney, RoundTripsThroughParse) {
  for (Money m : {Money{1}, Money{9}, Money{10}, Money{99}, Money{100}, Money{101}, Money{1250},
                  Money{999'999}, kMaxAmount - 1, kMaxAmount}) {
    EXPECT_EQ(parse_money(format_money(m)), std::optional<Money>(m)) << m;
  }
}

TEST(Currency, SupportsCommonTwoDigitCurrencies) {
  for (std::string_view code : {"USD", "EUR", "GBP", "CHF", "CAD"}) {
    EXPECT_TRUE(is_supported_currency(code)) << code;
  }
}

TEST(Currency, RejectsUnknownAndMalformedCodes) {
  for (std::string_view code : {"", "US", "USDX", "XYZ", "U$D", " USD", "USD "}) {
    EXPECT_FALSE(is_supported_currency(code)) << "'" << code << "'";
  }
}

TEST(Currency, RejectsCurrenciesWithoutTwoMinorDigits) {
  // The increment table is written in cents, so only two-digit currencies work.
  for (std::string_view code : {"JPY", "KRW", "KWD", "BHD"}) {
    EXPECT_FALSE(is_supported_currency(code)) << code;
  }
}

}  // namespace
}  // namespace auction
