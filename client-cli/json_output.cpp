#include "json_output.hpp"

#include <ostream>

#include <google/protobuf/util/json_util.h>

#include "errors.hpp"

namespace auction::cli {

std::string to_json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok())
    throw CliError("cannot render the reply as JSON: " + std::string(status.message()));
  return out;
}

void print_json(std::ostream& out, const google::protobuf::Message& message) {
  out << to_json(message) << '\n';
}

void print_json(std::ostream& out, const nlohmann::json& value) { out << value.dump() << '\n'; }

}  // namespace auction::cli
