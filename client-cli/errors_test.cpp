#include "errors.hpp"

#include <gtest/gtest.h>

namespace auction::cli {
namespace {

TEST(Errors, StatusCodeNames) {
  EXPECT_EQ(status_code_name(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(status_code_name(grpc::StatusCode::INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_EQ(status_code_name(grpc::StatusCode::UNAVAILABLE), "UNAVAILABLE");
  EXPECT_EQ(status_code_name(grpc::StatusCode::DATA_LOSS), "DATA_LOSS");
  EXPECT_EQ(status_code_name(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
}

TEST(Errors, UnknownStatusCodeByNumber) {
  EXPECT_EQ(status_code_name(static_cast<grpc::StatusCode>(17)), "CODE_17");
  EXPECT_EQ(status_code_name(static_cast<grpc::StatusCode>(-1)), "CODE_-1");
}

}  // namespace
}  // namespace auction::cli
