// Where aix keeps things: the daemon's socket, the storage directory
// (config.json, prompts) and the daemon's log. Client and daemon resolve
// them with the same code, so they always agree.
#ifndef AIX_COMMON_PATHS_H_
#define AIX_COMMON_PATHS_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aix {

// IsApiKeyVariable: an environment variable named *_API_KEY holds a
// provider key. Such variables are sent per request by the client and never
// kept by the daemon (neither passed to one it starts nor left in its own
// environment).
bool IsApiKeyVariable(absl::string_view name);

// EnvLookup returns an environment variable, or nullopt when it is unset or
// empty. A seam so tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// ProcessEnv reads the real environment.
EnvLookup ProcessEnv();

// kMaxSocketPathLength is the longest path a Unix socket address holds
// (sizeof(sockaddr_un::sun_path) - 1).
inline constexpr size_t kMaxSocketPathLength = 107;

// SocketPath returns $AIX_SOCKET, else $XDG_RUNTIME_DIR/aix/aixd.sock, else
// the same place in /run/user/$UID when that is the user's own private
// directory (what a login session's XDG_RUNTIME_DIR would have been: MCP
// clients and other GUI programs start aix without the variable, and must
// reach the daemon the user's terminal reaches), else
// /tmp/aix-$UID/aixd.sock. InvalidArgument when the result is longer than
// kMaxSocketPathLength, with a message saying how to choose a shorter one.
// `runtime_root` stands for /run/user in tests.
absl::StatusOr<std::string> SocketPath(const EnvLookup& env,
                                       const std::string& runtime_root = "/run/user");

// CheckSocketPath validates an explicit socket path the same way.
absl::Status CheckSocketPath(const std::string& path);

// StorageDir returns $AIX_STORAGE_PATH, else $HOME/.prompts.
// FailedPrecondition when neither AIX_STORAGE_PATH nor HOME is set.
absl::StatusOr<std::string> StorageDir(const EnvLookup& env);

// StateDir returns $XDG_STATE_HOME/aix, else $HOME/.local/state/aix: where
// an auto-started daemon writes its log.
absl::StatusOr<std::string> StateDir(const EnvLookup& env);

// Dirname returns everything before the last '/' ("." when there is none).
std::string Dirname(const std::string& path);

}  // namespace aix

#endif  // AIX_COMMON_PATHS_H_
