// aix's prompts and runs as MCP resources: aix://prompts/{name} is the
// prompt's YAML file, aix://runs/{id} a run from the history as JSON.
#ifndef AIX_DAEMON_MCP_RESOURCES_H_
#define AIX_DAEMON_MCP_RESOURCES_H_

#include "absl/status/statusor.h"
#include "daemon/mcp/call.h"

namespace aix::mcp {

absl::StatusOr<Json> ListResources(const Call& call);      // resources/list
absl::StatusOr<Json> ReadResource(const Call& call);       // resources/read
absl::StatusOr<Json> ListResourceTemplates(const Call& call);  // resources/templates/list

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_RESOURCES_H_
