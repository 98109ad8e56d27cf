#include "format.hpp"

#include <gtest/gtest.h>

namespace auction::cli {
namespace {

using std::chrono::seconds;

TEST(Format, Money) {
  EXPECT_EQ(money(1250, "USD"), "12.50 USD");
  EXPECT_EQ(money(5, "EUR"), "0.05 EUR");
  EXPECT_EQ(money(700, ""), "7.00");
}

TEST(Format, Timestamp) {
  google::protobuf::Timestamp ts;
  EXPECT_EQ(timestamp(ts), "-");
  ts.set_seconds(1'893'553'445);  // 2030-01-02T03:04:05Z
  ts.set_nanos(123);
  EXPECT_EQ(timestamp(ts), "2030-01-02T03:04:05Z");
}

TEST(Format, CompactDuration) {
  EXPECT_EQ(compact_duration(seconds(0)), "0s");
  EXPECT_EQ(compact_duration(seconds(45)), "45s");
  EXPECT_EQ(compact_duration(seconds(598)), "9m 58s");
  EXPECT_EQ(compact_duration(seconds(7500)), "2h 05m");
  EXPECT_EQ(compact_duration(seconds(3 * 86400 + 4 * 3600 + 59)), "3d 04h");
  EXPECT_EQ(compact_duration(seconds(-61)), "1m 01s");
  EXPECT_EQ(compact_duration(seconds(120)), "2m");
  EXPECT_EQ(compact_duration(seconds(7200)), "2h");
  EXPECT_EQ(compact_duration(seconds(3 * 86400 + 59)), "3d");
}

TEST(Format, Relative) {
  std::chrono::system_clock::time_point now{seconds(1000)};
  google::protobuf::Timestamp ts;
  ts.set_seconds(1090);
  EXPECT_EQ(relative(ts, now), "in 1m 30s");
  ts.set_seconds(900);
  EXPECT_EQ(relative(ts, now), "1m 40s ago");
}

TEST(Format, EnumNames) {
  EXPECT_EQ(status_name(v1::AUCTION_STATUS_ACTIVE), "active");
  EXPECT_EQ(status_name(v1::AUCTION_STATUS_UNSPECIFIED), "-");
  EXPECT_EQ(reject_reason_name(v1::BID_TOO_LOW), "BID_TOO_LOW");
  EXPECT_EQ(outcome_name(v1::OUTCOME_SOLD), "sold");
  EXPECT_EQ(role_name(v1::ROLE_ADMIN), "admin");
}

TEST(Format, Latency) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(latency(nanoseconds(870)), "870 ns");
  EXPECT_EQ(latency(nanoseconds(87'000)), "87 µs");
  EXPECT_EQ(latency(nanoseconds(1'234'000)), "1.23 ms");
  EXPECT_EQ(latency(nanoseconds(2'500'000'000)), "2.50 s");
}

TEST(Format, Fixed) {
  EXPECT_EQ(fixed(2.345, 1), "2.3");
  EXPECT_EQ(fixed(0.5, 0), "0");  // ties to even, as printf
  EXPECT_EQ(fixed(1.5, 0), "2");
  EXPECT_EQ(fixed(13100.0, 1), "13100.0");
  EXPECT_EQ(fixed(0.1234, 3), "0.123");
}

}  // namespace
}  // namespace auction::cli
