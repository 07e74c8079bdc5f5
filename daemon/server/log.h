// aixd logs one line per event to stderr (journald under systemd, a file in
// the state directory when started by aix). Never pass a secret to Log.
#ifndef AIX_DAEMON_SERVER_LOG_H_
#define AIX_DAEMON_SERVER_LOG_H_

#include "absl/strings/string_view.h"

namespace aix {

enum class LogLevel { kInfo, kWarning, kError };

// Log writes "aixd[PID] TIME LEVEL: message" to stderr in one write(2), so
// lines from concurrent threads do not interleave.
void Log(LogLevel level, absl::string_view message);

}  // namespace aix

#endif  // AIX_DAEMON_SERVER_LOG_H_
