// JSON output of API messages for --json, with the field names of the
// .proto files (the documented contract).
#ifndef AIX_CLIENT_PROTO_JSON_H_
#define AIX_CLIENT_PROTO_JSON_H_

#include <string>

#include <google/protobuf/message.h>

namespace aix {

// ProtoJson renders `message` as indented JSON, printing fields that hold
// their default value too, so scripts see every key.
enum class JsonFields {
  kAll,      // every field, defaults included: a stable shape for scripts
  kSetOnly,  // only fields that carry a value
};

// ProtoJson prints `message` as indented JSON with the .proto field names.
std::string ProtoJson(const google::protobuf::Message& message,
                      JsonFields fields = JsonFields::kAll);

}  // namespace aix

#endif  // AIX_CLIENT_PROTO_JSON_H_
