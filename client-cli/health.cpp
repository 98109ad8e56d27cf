#include "health.hpp"

#include <vector>

namespace auction::cli {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80U) {
    out += static_cast<char>((v & 0x7FU) | 0x80U);
    v >>= 7U;
  }
  out += static_cast<char>(v);
}

/// Reads a varint at `pos`, advancing it; nothing when truncated or > 64 bits.
std::optional<std::uint64_t> get_varint(std::string_view bytes, std::size_t& pos) {
  std::uint64_t value = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (pos >= bytes.size()) return std::nullopt;
    auto byte = static_cast<unsigned char>(bytes[pos++]);
    value |= static_cast<std::uint64_t>(byte & 0x7FU) << shift;
    if ((byte & 0x80U) == 0) return value;
  }
  return std::nullopt;
}

bool skip(std::string_view bytes, std::size_t& pos, std::size_t n) {
  if (bytes.size() - pos < n) return false;
  pos += n;
  return true;
}

}  // namespace

std::string encode_health_request(std::string_view service) {
  std::string out;
  if (service.empty()) return out;
  out += '\x0A';  // field 1, wire type 2
  put_varint(out, service.size());
  out.append(service);
  return out;
}

std::optional<std::uint64_t> decode_health_status(std::string_view bytes) {
  std::uint64_t status = 0;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    auto tag = get_varint(bytes, pos);
    if (!tag || (*tag >> 3U) == 0) return std::nullopt;
    std::uint64_t field = *tag >> 3U;
    switch (*tag & 7U) {
      case 0: {  // varint
        auto v = get_varint(bytes, pos);
        if (!v) return std::nullopt;
        if (field == 1) status = *v;
        break;
      }
      case 1:  // 64-bit
        if (!skip(bytes, pos, 8)) return std::nullopt;
        break;
      case 2: {  // length-delimited
        auto len = get_varint(bytes, pos);
        if (!len || !skip(bytes, pos, static_cast<std::size_t>(*len))) return std::nullopt;
        break;
      }
      case 5:  // 32-bit
        if (!skip(bytes, pos, 4)) return std::nullopt;
        break;
      default:
        return std::nullopt;
    }
  }
  return status;
}

std::string serving_status_name(std::uint64_t status) {
  switch (status) {
    case 0:
      return "UNKNOWN";
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    default:
      return "STATUS_" + std::to_string(status);
  }
}

grpc::ByteBuffer to_byte_buffer(std::string_view bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return {&slice, 1};
}

std::string to_bytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Valid() || !buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::Status check_health(grpc::GenericStub& stub, grpc::ClientContext& ctx,
                          std::string_view service, std::uint64_t& status_out) {
  grpc::CompletionQueue cq;
  grpc::ByteBuffer reply;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&ctx, kHealthCheckMethod,
                                    to_byte_buffer(encode_health_request(service)), &cq);
  call->StartCall();
  call->Finish(&reply, &status, &reply);
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!status.ok()) return status;
  auto decoded = decode_health_status(to_bytes(reply));
  if (!decoded)
    return {grpc::StatusCode::INTERNAL, "the health reply is not a valid HealthCheckResponse"};
  status_out = *decoded;
  return status;
}

}  // namespace auction::cli
