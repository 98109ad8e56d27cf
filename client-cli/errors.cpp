#include "errors.hpp"

#include <absl/status/status.h>

namespace auction::cli {

std::string status_code_name(grpc::StatusCode code) {
  // gRPC's codes are the canonical ones, with abseil's numbering.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "CODE_" + std::to_string(static_cast<int>(code)) : name;
}

}  // namespace auction::cli
