#include "bench/counts.hpp"

#include <grpcpp/support/status.h>

#include "auction/v1/auction.pb.h"
#include "errors.hpp"

namespace auction::cli::bench {

std::string reject_name(int code) {
  return v1::RejectReason_IsValid(code) ? v1::RejectReason_Name(static_cast<v1::RejectReason>(code))
                                        : "REASON_" + std::to_string(code);
}

std::string error_name(int code) { return status_code_name(static_cast<grpc::StatusCode>(code)); }

std::int64_t total(const CountsByCode& counts) {
  std::int64_t sum = 0;
  for (const auto& [code, n] : counts) sum += n;
  return sum;
}

}  // namespace auction::cli::bench
