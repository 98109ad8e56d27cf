#include "parse.hpp"

#include <gtest/gtest.h>

#include "errors.hpp"

namespace auction::cli {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(parse_duration("--d", "90s"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("--d", "10m"), milliseconds(600'000));
  EXPECT_EQ(parse_duration("--d", "2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("--d", "3d"), milliseconds(259'200'000));
  EXPECT_EQ(parse_duration("--d", "250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("--d", "0s"), milliseconds(0));
}

TEST(ParseDuration, Compound) {
  EXPECT_EQ(parse_duration("--d", "1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("--d", "1d2h3m4s"), milliseconds(93'784'000));
}

TEST(ParseDuration, RejectsGarbage) {
  for (const char* bad :
       {"", "10", "m", "1x", "1h30", "-5s", "1.5h", "s10", "10 s", "99999999999999d"}) {
    EXPECT_THROW(parse_duration("--d", bad), UsageError) << bad;
  }
}

TEST(ParseDuration, ErrorNamesTheOption) {
  try {
    parse_duration("--duration", "soon");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--duration"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("soon"), std::string::npos);
  }
}

TEST(ParseAmount, Valid) {
  EXPECT_EQ(parse_amount("--x", "12.50"), 1250);
  EXPECT_EQ(parse_amount("--x", "7"), 700);
  EXPECT_EQ(parse_amount("--x", "0.5"), 50);
  EXPECT_EQ(parse_amount("--x", "100000000000"), 10'000'000'000'000);
}

TEST(ParseAmount, Invalid) {
  for (const char* bad :
       {"", "0", "0.00", "-1", "12.345", "1,5", "abc", "12.", "100000000000.01"}) {
    EXPECT_THROW(parse_amount("--x", bad), UsageError) << bad;
  }
}

TEST(ParseTimestamp, Rfc3339) {
  EXPECT_EQ(parse_timestamp("--t", "1970-01-01T00:01:00Z").seconds(), 60);
  EXPECT_EQ(parse_timestamp("--t", "1970-01-01T02:00:00+02:00").seconds(), 0);
  EXPECT_EQ(parse_timestamp("--t", "2030-01-02T03:04:05.5Z").nanos(), 500'000'000);
  EXPECT_THROW(parse_timestamp("--t", "tomorrow"), UsageError);
  EXPECT_THROW(parse_timestamp("--t", "2030-01-02"), UsageError);
}

TEST(ParseEnums, StatusAndOrder) {
  EXPECT_EQ(parse_status("active"), v1::AUCTION_STATUS_ACTIVE);
  EXPECT_EQ(parse_status("Cancelled"), v1::AUCTION_STATUS_CANCELLED);
  EXPECT_THROW(parse_status("open"), UsageError);
  EXPECT_EQ(parse_order("ending-soon"), v1::LIST_ORDER_ENDING_SOON);
  EXPECT_EQ(parse_order("most-bids"), v1::LIST_ORDER_MOST_BIDS);
  EXPECT_THROW(parse_order("cheapest"), UsageError);
}

TEST(ParseCurrency, UpperCasesThreeLetters) {
  EXPECT_EQ(parse_currency("usd"), "USD");
  EXPECT_EQ(parse_currency("EUR"), "EUR");
  EXPECT_THROW(parse_currency("US"), UsageError);
  EXPECT_THROW(parse_currency("U5D"), UsageError);
}

TEST(ParseCurrency, AnUnsupportedCodeIsAnsweredWithTheSupportedOnes) {
  try {
    parse_currency("xyz");
    ADD_FAILURE() << "XYZ was accepted";
  } catch (const UsageError& e) {
    const std::string message = e.what();
    for (const char* code : {"USD", "EUR", "GBP", "CHF", "CNY"}) {
      EXPECT_NE(message.find(code), std::string::npos) << code << " not listed: " << message;
    }
  }
}

}  // namespace
}  // namespace auction::cli
