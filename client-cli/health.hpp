#pragma once
/// grpc.health.v1.Health/Check without its .proto: the request and the reply
/// are one field each, so they are encoded by hand and sent with GenericStub.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

namespace auction::cli {

inline constexpr const char* kHealthCheckMethod = "/grpc.health.v1.Health/Check";

/// HealthCheckResponse.ServingStatus.
inline constexpr std::uint64_t kServing = 1;

/// HealthCheckRequest{service}: field 1, length-delimited; empty = zero bytes.
std::string encode_health_request(std::string_view service);

/// The reply's field 1 (varint); 0 (UNKNOWN) when absent. Other fields are
/// skipped. Nothing when the bytes are not a valid message.
std::optional<std::uint64_t> decode_health_status(std::string_view bytes);

/// "SERVING", "NOT_SERVING", "UNKNOWN", "SERVICE_UNKNOWN" or "STATUS_<n>".
std::string serving_status_name(std::uint64_t status);

grpc::ByteBuffer to_byte_buffer(std::string_view bytes);
std::string to_bytes(const grpc::ByteBuffer& buffer);

/// One blocking Check through `stub`; `status_out` is set on an OK reply.
/// A reply that does not decode is INTERNAL.
grpc::Status check_health(grpc::GenericStub& stub, grpc::ClientContext& ctx,
                          std::string_view service, std::uint64_t& status_out);

}  // namespace auction::cli
