#pragma once
/// --json output: exactly one JSON document per command, on one line.
#include <iosfwd>
#include <string>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

namespace auction::cli {

/// The proto3 JSON mapping with proto field names (`current_price`), every
/// field present (defaults included), enums by name, int64 as strings.
std::string to_json(const google::protobuf::Message& message);

void print_json(std::ostream& out, const google::protobuf::Message& message);
void print_json(std::ostream& out, const nlohmann::json& value);

}  // namespace auction::cli
