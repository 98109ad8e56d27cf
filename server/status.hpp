#pragma once
/// The one place where domain errors become gRPC statuses: the server
/// builds every status it sends through these.
#include <grpcpp/support/status.h>

#include <string>

#include "domain/result.hpp"

namespace auction::server {

inline grpc::StatusCode status_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorCode::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case ErrorCode::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case ErrorCode::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorCode::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorCode::kFailedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorCode::kResourceExhausted:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorCode::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case ErrorCode::kDeadlineExceeded:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case ErrorCode::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

inline grpc::Status to_status(const Error& e) { return {status_code(e.code), e.message}; }

/// OK for a value, else the error's status.
template <class T>
grpc::Status to_status(const Result<T>& r) {
  return r ? grpc::Status::OK : to_status(r.error());
}

// The errors the domain has no constructor for.
inline Error unauthenticated(std::string msg) {
  return {ErrorCode::kUnauthenticated, std::move(msg)};
}
inline Error resource_exhausted(std::string msg) {
  return {ErrorCode::kResourceExhausted, std::move(msg)};
}
inline Error deadline_exceeded(std::string msg) {
  return {ErrorCode::kDeadlineExceeded, std::move(msg)};
}
inline Error internal_error(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }

/// CANCELLED is no domain outcome: only a client or a broken stream ends a
/// call that way.
inline grpc::Status cancelled(const std::string& msg) { return {grpc::StatusCode::CANCELLED, msg}; }

}  // namespace auction::server
