#include "health.hpp"

#include <gtest/gtest.h>

namespace auction::cli {
namespace {

using namespace std::string_literals;

TEST(Health, EmptyRequestIsZeroBytes) { EXPECT_EQ(encode_health_request(""), ""); }

TEST(Health, RequestWithService) {
  EXPECT_EQ(encode_health_request("auction.v1.AuctionService"),
            "\x0A\x19"s + "auction.v1.AuctionService");
}

TEST(Health, DecodesStatus) {
  EXPECT_EQ(decode_health_status(""), 0U);  // UNKNOWN is the default
  EXPECT_EQ(decode_health_status("\x08\x01"), 1U);
  EXPECT_EQ(decode_health_status("\x08\x02"), 2U);
  EXPECT_EQ(decode_health_status("\x08\x96\x01"), 150U);  // multi-byte varint
}

TEST(Health, SkipsUnknownFields) {
  // field 2 (string "ab"), field 3 (fixed64), field 4 (fixed32), then field 1.
  std::string bytes =
      "\x12\x02"
      "ab"
      "\x19"
      "12345678"
      "\x25"
      "1234"
      "\x08\x01"s;
  EXPECT_EQ(decode_health_status(bytes), 1U);
}

TEST(Health, RejectsMalformed) {
  EXPECT_FALSE(decode_health_status("\x08"s).has_value());      // truncated varint
  EXPECT_FALSE(decode_health_status("\x08\x80"s).has_value());  // unterminated varint
  EXPECT_FALSE(decode_health_status("\x12\x05"
                                    "ab"s)
                   .has_value());                               // short string
  EXPECT_FALSE(decode_health_status("\x0B"s).has_value());      // group wire type
  EXPECT_FALSE(decode_health_status("\x00\x01"s).has_value());  // field 0
}

TEST(Health, Names) {
  EXPECT_EQ(serving_status_name(1), "SERVING");
  EXPECT_EQ(serving_status_name(2), "NOT_SERVING");
  EXPECT_EQ(serving_status_name(9), "STATUS_9");
}

TEST(Health, ByteBufferRoundTrip) {
  EXPECT_EQ(to_bytes(to_byte_buffer("\x08\x01")), "\x08\x01");
  EXPECT_EQ(to_bytes(to_byte_buffer("")), "");
  EXPECT_EQ(to_bytes(grpc::ByteBuffer()), "");
}

}  // namespace
}  // namespace auction::cli
