#include "tests/support/health_probe.hpp"

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>

#include <future>
#include <thread>
#include <vector>

namespace auction::test {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

grpc::ByteBuffer to_buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return {&slice, 1};
}

std::string to_string(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

std::string field_bytes(int number, const std::string& value) {
  std::string out;
  out.push_back(static_cast<char>((number << 3) | 2));
  out.push_back(static_cast<char>(value.size()));
  return out + value;
}

std::int64_t varint_field(const std::string& message, int number) {
  UnknownFieldSet fields;
  if (!fields.ParseFromString(message)) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() == number && f.type() == UnknownField::TYPE_VARINT) {
      return static_cast<std::int64_t>(f.varint());
    }
  }
  return -1;
}

HealthAnswer health_check(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& service) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  // HealthCheckRequest.service is field 1; the empty message asks about "".
  const grpc::ByteBuffer req = to_buffer(service.empty() ? "" : field_bytes(1, service));
  grpc::ByteBuffer resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &req, &resp,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  HealthAnswer answer;
  answer.status = done.get_future().get();
  // HealthCheckResponse.status is field 1.
  if (answer.status.ok()) answer.serving = varint_field(to_string(resp), 1);
  return answer;
}

HealthAnswer wait_for_health(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& service, std::int64_t want,
                             std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  for (;;) {
    HealthAnswer answer = health_check(channel, service);
    if (answer.serving == want || std::chrono::steady_clock::now() >= give_up) return answer;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace auction::test
