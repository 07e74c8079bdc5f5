// aixd logs one line per event to stderr (journald under systemd, a file in
// the state directory when started by aix). Never pass a secret to Log.
#ifndef AIX_DAEMON_SERVER_LOG_H_
#define AIX_DAEMON_SERVER_LOG_H_

#include <cstdint>
#include <mutex>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aix {

enum class LogLevel { kInfo, kWarning, kError };

// Log writes "aixd[PID] TIME LEVEL: message" to stderr in one write(2), so
// lines from concurrent threads do not interleave.
void Log(LogLevel level, absl::string_view message);

// LogLimiter writes at most one line per `every` for a source that a peer
// can make talk (malformed requests, a flood of connections): the lines it
// holds back are counted, and the next line written says how many.
class LogLimiter {
 public:
  explicit LogLimiter(absl::Duration every) : every_(every) {}
  void Log(LogLevel level, absl::string_view message);

 private:
  const absl::Duration every_;
  std::mutex mu_;
  absl::Time last_ = absl::InfinitePast();  // guarded by mu_
  int64_t held_ = 0;                        // guarded by mu_
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVER_LOG_H_
