#include "client/proto_json.h"

#include <google/protobuf/util/json_util.h>

namespace aix {

std::string ProtoJson(const google::protobuf::Message& message, JsonFields fields) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = fields == JsonFields::kAll;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, opts).ok()) return "{}\n";
  return out;
}

}  // namespace aix
