// Protobuf's JSON mapping for API messages, with the field names of the
// .proto files (the documented contract): `aix --json`, the web page's API
// and MCP's resources all print and read messages through these.
#ifndef AIX_COMMON_PROTO_JSON_H_
#define AIX_COMMON_PROTO_JSON_H_

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace aix {

enum class JsonFields {
  kAll,      // every field, defaults included: a stable shape for scripts
  kSetOnly,  // only fields that carry a value
};

enum class JsonLayout {
  kIndented,  // for people and diffs
  kCompact,   // one line, for programs
};

// ProtoJson prints `message` as JSON with the .proto field names.
std::string ProtoJson(const google::protobuf::Message& message,
                      JsonFields fields = JsonFields::kAll,
                      JsonLayout layout = JsonLayout::kIndented);

// ParseProtoJson reads `json` into `message`: unknown fields are refused,
// and so is nesting deeper than kMaxJsonDepth (the parser recurses).
// InvalidArgument names the problem and the message type.
absl::Status ParseProtoJson(absl::string_view json, google::protobuf::Message* message);

}  // namespace aix

#endif  // AIX_COMMON_PROTO_JSON_H_
