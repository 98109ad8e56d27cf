#pragma once
/// grpc.health.v1.Health/Check through grpc::GenericStub with hand-encoded
/// protobuf wire format: Debian ships no health.proto.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace auction::test {

grpc::ByteBuffer to_buffer(const std::string& bytes);
std::string to_string(const grpc::ByteBuffer& buffer);
/// A length-delimited field: tag, length (< 128 here), bytes.
std::string field_bytes(int number, const std::string& value);
/// Varint field `number` of a message, or -1.
std::int64_t varint_field(const std::string& message, int number);

/// HealthCheckResponse.ServingStatus.
inline constexpr std::int64_t kServing = 1;
inline constexpr std::int64_t kNotServing = 2;

struct HealthAnswer {
  grpc::Status status;
  std::int64_t serving = -1;  ///< -1 when the call failed
};

/// Check(service); the empty name asks about the server as a whole.
HealthAnswer health_check(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& service);

/// Asks every 100 ms until `service` reports `want` or `limit` has passed;
/// returns the last answer.
HealthAnswer wait_for_health(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& service, std::int64_t want,
                             std::chrono::milliseconds limit);

}  // namespace auction::test
