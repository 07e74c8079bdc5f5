// Running one template command: `/bin/sh -c COMMAND` in the user's working
// directory and environment, stdin from /dev/null, bounded in time and in
// output.
#ifndef AIX_CLIENT_COMMAND_RUNNER_H_
#define AIX_CLIENT_COMMAND_RUNNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace aix {

// kMaxCommandOutput bounds what one command may print (stdout).
inline constexpr size_t kMaxCommandOutput = 4 << 20;

// RunCommand returns the command's stdout, whitespace trimmed at both
// ends (as the Python aix did). Failures name the command and say why:
// a non-zero exit (with its status and the end of its stderr), a signal,
// the timeout (the whole process group is killed) or too much output.
absl::StatusOr<std::string> RunCommand(const std::string& command, absl::Duration timeout);

}  // namespace aix

#endif  // AIX_CLIENT_COMMAND_RUNNER_H_
