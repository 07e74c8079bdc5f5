#include "common/proto_json.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "common/json_depth.h"

namespace aix {

std::string ProtoJson(const google::protobuf::Message& message, JsonFields fields,
                      JsonLayout layout) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = layout == JsonLayout::kIndented;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = fields == JsonFields::kAll;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, opts).ok()) return "{}\n";
  return out;
}

absl::Status ParseProtoJson(absl::string_view json, google::protobuf::Message* message) {
  const std::string type = message->GetDescriptor()->full_name();
  if (!NestingWithin(json)) {
    return absl::InvalidArgumentError(absl::StrCat("the JSON nests more than ", kMaxJsonDepth,
                                                   " levels deep; send a ", type));
  }
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto s = google::protobuf::util::JsonStringToMessage(std::string(json), message, opts);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the JSON does not fit ", type, ": ", std::string(s.message())));
  }
  return absl::OkStatus();
}

}  // namespace aix
