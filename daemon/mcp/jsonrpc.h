// JSON-RPC 2.0 as MCP uses it: one message at a time (batches were
// removed in 2025-06-18), ids that are strings or numbers and are echoed
// exactly, errors with the standard codes.
//
// Pure and bounded: whatever bytes arrive, Parse returns a Message or the
// error to send back (and whether it may name the id); it never throws.
#ifndef AIX_DAEMON_MCP_JSONRPC_H_
#define AIX_DAEMON_MCP_JSONRPC_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace aix::mcp {

using Json = nlohmann::json;

// The largest message either transport takes, in bytes.
inline constexpr size_t kMaxMessageBytes = 4 << 20;

// Error codes (JSON-RPC 2.0).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

struct RpcError {
  int code = kInternalError;
  std::string message;
  Json data;  // null: none
};

struct Message {
  enum Kind { kRequest, kNotification, kResponse };
  Kind kind = kRequest;
  Json id;          // string or number (requests, responses)
  std::string method;
  Json params;      // object, or null when absent
};

// ParseResult: a message, or the error to answer (with `id` when the
// message had a usable one, else null).
struct ParseResult {
  bool ok = false;
  Message message;
  RpcError error;
  Json id;
};

ParseResult Parse(absl::string_view text);

// The messages aixd sends, each one line of JSON (no newline inside).
std::string Result(const Json& id, Json result);
std::string Error(const Json& id, const RpcError& error);
std::string Notification(absl::string_view method, Json params);

// IdKey is a request id as a map key ("s:abc", "n:1"): 1 and "1" differ.
std::string IdKey(const Json& id);

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_JSONRPC_H_
