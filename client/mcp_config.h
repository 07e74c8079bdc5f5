// What `aix mcp config` writes: each MCP client's entry for aix (its
// absolute path, started as `aix mcp`), where that client keeps its
// servers, and merging the entry into such a file. Pure, except for
// reading the environment for default paths.
#ifndef AIX_CLIENT_MCP_CONFIG_H_
#define AIX_CLIENT_MCP_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/paths.h"
#include "nlohmann/json.hpp"

namespace aix {

struct McpClient {
  const char* name;     // as --client takes it
  const char* title;    // for people
  const char* section;  // the key of the servers' object in its file
  const char* where;    // what appears where, once it is set up
};

// The five clients, in the order help lists them.
const std::vector<McpClient>& McpClients();
const McpClient* FindMcpClient(absl::string_view name);

// McpEntry is aix's entry in `client`'s servers object.
nlohmann::json McpEntry(const McpClient& client, const std::string& aix_path);

// McpSnippet is a whole file that holds only aix's entry.
nlohmann::json McpSnippet(const McpClient& client, const std::string& aix_path);

// McpConfigPath is the user-wide file of `client` (from HOME and
// XDG_CONFIG_HOME).
absl::StatusOr<std::string> McpConfigPath(const McpClient& client, const EnvLookup& env);

// MergeMcpEntry adds or replaces aix's entry in a client's file (empty:
// a new file). An unreadable file is refused (FailedPrecondition naming
// the problem), never rewritten; so is one with comments, which a rewrite
// would lose. `replaced` says whether an entry named aix was there.
absl::StatusOr<std::string> MergeMcpEntry(const std::string& existing, const McpClient& client,
                                          const std::string& aix_path, bool* replaced);

}  // namespace aix

#endif  // AIX_CLIENT_MCP_CONFIG_H_
