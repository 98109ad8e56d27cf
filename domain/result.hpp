#pragma once
/// Errors as values: domain and service outcomes never throw.
#include <string>
#include <utility>
#include <variant>

namespace auction {

/// What went wrong, in terms a caller can act on. Mapped to gRPC codes in
/// exactly one place (server/status_mapping).
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kDeadlineExceeded,
  kInternal,
};

struct Error {
  ErrorCode code;
  std::string message;  // human-readable, never internals
};

/// A value or an Error (C++20 has no std::expected yet).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

inline Error invalid_argument(std::string msg) {
  return {ErrorCode::kInvalidArgument, std::move(msg)};
}
inline Error not_found(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
inline Error permission_denied(std::string msg) {
  return {ErrorCode::kPermissionDenied, std::move(msg)};
}
inline Error failed_precondition(std::string msg) {
  return {ErrorCode::kFailedPrecondition, std::move(msg)};
}
inline Error unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }

}  // namespace auction
