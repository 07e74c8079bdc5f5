#include "daemon/server/log.h"

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace aix {

void Log(LogLevel level, absl::string_view message) {
  const char* name = level == LogLevel::kInfo      ? "INFO"
                     : level == LogLevel::kWarning ? "WARNING"
                                                   : "ERROR";
  std::string line = absl::StrCat(
      "aixd[", getpid(), "] ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " ", name, ": ", message, "\n");
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

void LogLimiter::Log(LogLevel level, absl::string_view message) {
  int64_t held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = absl::Now();
    if (now - last_ < every_) {
      ++held_;
      return;
    }
    last_ = now;
    held = held_;
    held_ = 0;
  }
  if (held == 0) return aix::Log(level, message);
  aix::Log(level, absl::StrCat(message, " (and ", held, " more like it since the last such line)"));
}

}  // namespace aix
