// aix as MCP tools, for clients that show tools and not prompts, and for
// agents: run a saved prompt, ask any routed model, and read the library
// and the history. A run that fails is a tool result with isError (the
// message aix would print), not a protocol error.
#ifndef AIX_DAEMON_MCP_TOOLS_H_
#define AIX_DAEMON_MCP_TOOLS_H_

#include "absl/status/statusor.h"
#include "daemon/mcp/call.h"

namespace aix::mcp {

absl::StatusOr<Json> ListTools(const Call& call);  // tools/list
absl::StatusOr<Json> CallTool(const Call& call);   // tools/call

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_TOOLS_H_
