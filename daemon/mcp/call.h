// Call: one MCP request as a feature handler (prompts.h, tools.h,
// resources.h) sees it. Handlers run on a session's worker thread and may
// block on the backend; they answer a result, or a status the session
// turns into a JSON-RPC error once (InvalidArgument and NotFound: -32602,
// the client's mistake; anything else: -32603).
#ifndef AIX_DAEMON_MCP_CALL_H_
#define AIX_DAEMON_MCP_CALL_H_

#include <functional>
#include <map>
#include <string>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/proto_json.h"
#include "daemon/mcp/backend.h"
#include "daemon/mcp/jsonrpc.h"

namespace aix::mcp {

struct Call {
  Backend* backend = nullptr;
  CallControl* control = nullptr;
  Json params;          // an object (empty when the request had none)
  std::string version;  // the session's protocol revision
  // Progress reports how far a long request is (only when the client
  // asked, with _meta.progressToken; else a no-op).
  std::function<void(double progress, const std::string& message)> progress;
  // Log sends a notifications/message at `level` when the session's
  // logging level lets it through.
  std::function<void(absl::string_view level, const std::string& text)> log;
};

using Handler = std::function<absl::StatusOr<Json>(const Call&)>;

// Argument readers for a request's params: a missing optional one is
// `fallback`; one of the wrong type is InvalidArgument naming it.
absl::StatusOr<std::string> StringParam(const Json& params, const char* name, bool required,
                                        std::string fallback = "");
absl::StatusOr<std::map<std::string, std::string>> StringMapParam(const Json& params,
                                                                  const char* name);

// At least this revision carries titles, outputSchema and structuredContent.
bool HasStructuredContent(absl::string_view version);

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_CALL_H_
