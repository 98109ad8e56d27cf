#pragma once
/// Exit codes and the exceptions that carry a failure up to main().
#include <stdexcept>
#include <string>

#include <grpcpp/support/status.h>

namespace auction::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;          ///< an RPC or local failure
inline constexpr int kExitUsage = 2;          ///< bad command line
inline constexpr int kExitRejected = 3;       ///< a bid (or buy-now) the server turned down
inline constexpr int kExitInterrupted = 130;  ///< a live view stopped by Ctrl-C (128 + SIGINT)

/// Bad input noticed after parsing (amounts, durations, times): exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A local failure (files, terminal): "error: <message>", exit 1.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A non-OK gRPC status: "error: <CODE_NAME>: <message>", exit 1.
class RpcError : public std::runtime_error {
 public:
  explicit RpcError(grpc::Status status, std::string hint = {})
      : std::runtime_error(status.error_message()),
        status_(std::move(status)),
        hint_(std::move(hint)) {}
  const grpc::Status& status() const { return status_; }
  /// Advice printed after the error ("hint: ..."), possibly empty.
  const std::string& hint() const { return hint_; }

 private:
  grpc::Status status_;
  std::string hint_;
};

/// "UNAVAILABLE", "NOT_FOUND", ... for a gRPC status code.
std::string status_code_name(grpc::StatusCode code);

/// Throws RpcError unless `status` is OK.
inline void check(const grpc::Status& status) {
  if (!status.ok()) throw RpcError(status);
}

}  // namespace auction::cli
