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
#include <string>
#include <vector>

#include "tests/support/environment.hpp"
#include "tests/support/health_probe.hpp"

namespace auction::test {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

constexpr auto kDeadline = std::chrono::seconds(5);

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

TEST(Health, TheServerAndEachServiceAreServingAndUnknownServicesAreNotFound) {
  // "" is the server as a whole; probes may also name the service they use.
  for (const std::string service : {"", "auction.v1.AuctionService", "auction.v1.UserService"}) {
    const HealthAnswer answer = health_check(shared_server().channel(), service);
    ASSERT_TRUE(answer.status.ok()) << "'" << service << "': " << describe(answer.status);
    EXPECT_EQ(answer.serving, kServing) << "'" << service << "' must report SERVING";
  }

  // The health protocol: a service the server does not know is NOT_FOUND, so a
  // probe with a typo fails loudly instead of passing.
  const HealthAnswer unknown = health_check(shared_server().channel(), "no.such.Service");
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::NOT_FOUND) << describe(unknown.status);
}

TEST(Reflection, ListsTheAuctionServicesAndDescribesThem) {
  // ServerReflectionRequest: list_services = 7 (any string), then
  // file_containing_symbol = 4.
  const auto result = reflect(shared_server().channel(),
                              {field_bytes(7, ""), field_bytes(4, "auction.v1.AuctionService")});
  ASSERT_TRUE(result.status.ok()) << describe(result.status);
  ASSERT_EQ(result.responses.size(), 2U);

  // ServerReflectionResponse.list_services_response = 6 -> ListServiceResponse
  // { repeated ServiceResponse service = 1 { string name = 1 } }.
  const auto lists = bytes_fields(result.responses[0], 6);
  ASSERT_EQ(lists.size(), 1U) << "the first answer must be a list_services_response";
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
  ASSERT_EQ(files.size(), 1U) << "the second answer must be a file_descriptor_response";
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
