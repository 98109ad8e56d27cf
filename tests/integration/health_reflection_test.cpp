// SPEC section 4, "Also served": grpc.health.v1.Health and server reflection,
// so that standard tools (grpcurl, grpc_cli, health probes) work. Debian ships
// neither health.proto nor reflection.proto, so both are spoken here through
// grpc::GenericStub with hand-encoded protobuf wire format, and answers are
// decoded with google::protobuf::UnknownFieldSet.
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <string>
#include <vector>

#include "tests/support/environment.hpp"

namespace auction::test {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

constexpr auto kDeadline = std::chrono::seconds(5);

grpc::ByteBuffer to_buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string to_string(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

/// A length-delimited field: tag, length (< 128 here), bytes.
std::string field_bytes(int number, const std::string& value) {
  std::string out;
  out.push_back(static_cast<char>((number << 3) | 2));
  out.push_back(static_cast<char>(value.size()));
  return out + value;
}

/// Calls /grpc.health.v1.Health/Check with the given HealthCheckRequest bytes.
grpc::Status health_check(const std::shared_ptr<grpc::Channel>& channel, const std::string& request,
                          std::string& response) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
  const grpc::ByteBuffer req = to_buffer(request);
  grpc::ByteBuffer resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &req, &resp,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  response = to_string(resp);
  return status;
}

/// Varint field `number` of a message, or -1.
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

/// Every length-delimited field `number` of a message.
std::vector<std::string> bytes_fields(const std::string& message, int number) {
  std::vector<std::string> out;
  UnknownFieldSet fields;
  if (!fields.ParseFromString(message)) return out;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() == number && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      out.push_back(f.length_delimited());
    }
  }
  return out;
}

/// One bidi call of grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo:
/// sends each request, half-closes, reads every response.
struct ReflectionResult {
  grpc::Status status;
  std::vector<std::string> responses;
};

ReflectionResult reflect(const std::shared_ptr<grpc::Channel>& channel,
                         const std::vector<std::string>& requests) {
  ReflectionResult result;
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kDeadline);
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  // One operation at a time, each awaited before the next starts, so one tag
  // serves them all.
  char mark = 0;
  void* const tag = &mark;
  auto await = [&cq, tag] {
    void* got = nullptr;
    bool ok = false;
    return cq.Next(&got, &ok) && ok && got == tag;
  };
  call->StartCall(tag);
  if (await()) {
    for (const auto& r : requests) {
      call->Write(to_buffer(r), tag);
      if (!await()) break;
    }
    call->WritesDone(tag);
    await();
    for (;;) {
      grpc::ByteBuffer buffer;
      call->Read(&buffer, tag);
      if (!await()) break;
      result.responses.push_back(to_string(buffer));
    }
  }
  call->Finish(&result.status, tag);
  await();
  cq.Shutdown();
  void* ignored_tag = nullptr;
  bool ignored_ok = false;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  return result;
}

TEST(Health, ServerIsServingAndUnknownServicesAreNotFound) {
  std::string response;
  // HealthCheckRequest{service = ""}: the empty message asks about the server.
  const grpc::Status status = health_check(shared_server().channel(), "", response);
  ASSERT_TRUE(status.ok()) << describe(status);
  // HealthCheckResponse.status is field 1; SERVING = 1.
  EXPECT_EQ(varint_field(response, 1), 1) << "the health service must report SERVING";

  // The health protocol: a service the server does not know is NOT_FOUND, so a
  // probe with a typo fails loudly instead of passing.
  const grpc::Status unknown =
      health_check(shared_server().channel(), field_bytes(1, "no.such.Service"), response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND) << describe(unknown);
}

TEST(Reflection, ListsTheAuctionServicesAndDescribesThem) {
  // ServerReflectionRequest: list_services = 7 (any string), then
  // file_containing_symbol = 4.
  const auto result = reflect(shared_server().channel(),
                              {field_bytes(7, ""), field_bytes(4, "auction.v1.AuctionService")});
  ASSERT_TRUE(result.status.ok()) << describe(result.status);
  ASSERT_EQ(result.responses.size(), 2u);

  // ServerReflectionResponse.list_services_response = 6 -> ListServiceResponse
  // { repeated ServiceResponse service = 1 { string name = 1 } }.
  const auto lists = bytes_fields(result.responses[0], 6);
  ASSERT_EQ(lists.size(), 1u) << "the first answer must be a list_services_response";
  std::vector<std::string> names;
  for (const auto& service : bytes_fields(lists[0], 1)) {
    const auto name = bytes_fields(service, 1);
    if (!name.empty()) names.push_back(name[0]);
  }
  for (const char* expected :
       {"auction.v1.AuctionService", "auction.v1.UserService", "grpc.health.v1.Health"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
        << expected << " is not listed by reflection";
  }

  // file_descriptor_response = 4 -> FileDescriptorResponse
  // { repeated bytes file_descriptor_proto = 1 }: enough for grpcurl to call PlaceBid.
  const auto files = bytes_fields(result.responses[1], 4);
  ASSERT_EQ(files.size(), 1u) << "the second answer must be a file_descriptor_response";
  bool found_place_bid = false;
  for (const auto& bytes : bytes_fields(files[0], 1)) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(bytes));
    for (const auto& service : file.service()) {
      if (service.name() != "AuctionService" || file.package() != "auction.v1") continue;
      for (const auto& method : service.method()) {
        if (method.name() == "PlaceBid") {
          found_place_bid = true;
          EXPECT_EQ(method.input_type(), ".auction.v1.PlaceBidRequest");
          EXPECT_EQ(method.output_type(), ".auction.v1.PlaceBidResponse");
        }
      }
    }
  }
  EXPECT_TRUE(found_place_bid) << "reflection does not describe AuctionService.PlaceBid";
}

}  // namespace
}  // namespace auction::test
