// RunDaemon wires aixd together and serves until SIGTERM/SIGINT or a
// Shutdown call. main() only parses flags and calls it.
#ifndef AIX_DAEMON_DAEMON_H_
#define AIX_DAEMON_DAEMON_H_

#include <string>

namespace aix {

struct DaemonOptions {
  // socket_path overrides $AIX_SOCKET / XDG_RUNTIME_DIR / /tmp resolution.
  std::string socket_path;
  // started_by_client is set by `aix` when it starts the daemon on demand.
  bool started_by_client = false;
};

// RunDaemon returns the process exit code: 0 after a clean shutdown, 1 when
// the daemon could not start (already running, socket path unusable, ...),
// with the reason logged.
int RunDaemon(const DaemonOptions& options);

}  // namespace aix

#endif  // AIX_DAEMON_DAEMON_H_
