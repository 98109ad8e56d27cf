#include "messages.hpp"

#include <sstream>

#include <gtest/gtest.h>

namespace auction::cli {
namespace {

// What gRPC says when nothing listens at the address.
const grpc::Status kRefused(grpc::StatusCode::UNAVAILABLE,
                            "failed to connect to all addresses; last error: UNKNOWN: "
                            "ipv4:127.0.0.1:1: Failed to connect to remote host: Connection "
                            "refused");

TEST(UnavailableHint, NamesTheServerAndHowToChangeIt) {
  EXPECT_EQ(unavailable_hint(kRefused, "127.0.0.1:1"),
            "is auctiond running at 127.0.0.1:1? Set --server or AUCTION_SERVER.");
  const grpc::Status dns(grpc::StatusCode::UNAVAILABLE,
                         "DNS resolution failed for nosuchhost:50051: C-ares status is not "
                         "ARES_SUCCESS");
  EXPECT_EQ(unavailable_hint(dns, "nosuchhost:50051"),
            "is auctiond running at nosuchhost:50051? Set --server or AUCTION_SERVER.");
}

TEST(UnavailableHint, OnlyWhenTheServerWasNotReached) {
  // The server itself says "unavailable, retry": it is running.
  const grpc::Status busy(grpc::StatusCode::UNAVAILABLE,
                          "this purchase is still being committed; retry shortly");
  EXPECT_EQ(unavailable_hint(busy, "127.0.0.1:50051"), "");
  const grpc::Status missing(grpc::StatusCode::NOT_FOUND, "failed to connect");
  EXPECT_EQ(unavailable_hint(missing, "127.0.0.1:50051"), "");
}

TEST(NearestWord, TyposOfASubcommand) {
  const std::vector<std::string> commands = {"create", "get", "list", "bid", "buy-now", "whoami"};
  EXPECT_EQ(nearest_word("bidd", commands), "bid");
  EXPECT_EQ(nearest_word("lsit", commands), "list");  // neighbours swapped
  EXPECT_EQ(nearest_word("craete", commands), "create");
  EXPECT_EQ(nearest_word("buynow", commands), "buy-now");
  EXPECT_EQ(nearest_word("frobnicate", commands), std::nullopt);
  EXPECT_EQ(nearest_word("x", commands), std::nullopt);
}

TEST(FlagNames, WholeWordsOnly) {
  const FlagNames names = {{"starting_price", "--start-price"},
                           {"reserve_price", "--reserve"},
                           {"end_time", "--ends-at"},
                           {"duration", "--duration"}};
  EXPECT_EQ(with_flag_names("reserve_price must be at least starting_price", names),
            "--reserve must be at least --start-price");
  EXPECT_EQ(with_flag_names("give exactly one of end_time and duration", names),
            "give exactly one of --ends-at and --duration");
  EXPECT_EQ(with_flag_names("soft close durations must not be negative", names),
            "soft close durations must not be negative");
  EXPECT_EQ(with_flag_names("old_reserve_price", names), "old_reserve_price");
}

TEST(ErrorReport, TextForm) {
  std::ostringstream rpc;
  print_error(rpc, {"UNAVAILABLE", "failed to connect", "is auctiond running?", true}, false);
  EXPECT_EQ(rpc.str(), "error: UNAVAILABLE: failed to connect\nhint: is auctiond running?\n");
  std::ostringstream local;
  print_error(local, {"ERROR", "cannot read x", "", /*code_in_text=*/false}, false);
  EXPECT_EQ(local.str(), "error: cannot read x\n");
}

TEST(ErrorReport, JsonFormIsOneObjectOnOneLine) {
  std::ostringstream with_hint;
  print_error(with_hint, {"USAGE", "unknown command 'bidd'", "did you mean 'bid'?", false}, true);
  EXPECT_EQ(
      with_hint.str(),
      R"({"error":{"code":"USAGE","hint":"did you mean 'bid'?","message":"unknown command 'bidd'"}})"
      "\n");
  std::ostringstream without;
  print_error(without, {"NOT_FOUND", "no auction 9", "", true}, true);
  EXPECT_EQ(without.str(), R"({"error":{"code":"NOT_FOUND","message":"no auction 9"}})"
                           "\n");
}

}  // namespace
}  // namespace auction::cli
