// Process exit codes of the aix client: the one place they are defined.
// README.md documents the same table; scripts rely on it.
#ifndef AIX_COMMON_EXIT_CODES_H_
#define AIX_COMMON_EXIT_CODES_H_

#include "absl/status/status.h"

namespace aix {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,           // anything not listed below
  kExitUsage = 2,             // bad flag, unknown key, bad value
  kExitUnavailable = 3,       // aixd not running and could not be started
  kExitNotFound = 4,          // no such setting, key, prompt, provider
  kExitPermissionDenied = 5,  // socket or daemon belongs to another user
  kExitConfigInvalid = 6,     // a stored file (config.json, a prompt) is malformed
  kExitProviderAuth = 7,      // no API key, or the provider rejected it
  kExitRateLimited = 8,       // the provider rate-limited the request
  kExitProviderFailed = 9,    // the provider is down, failing or unreachable
  kExitInterrupted = 130,     // Ctrl-C (128 + SIGINT), as shells report it
};

// ExitCodeHelp is the table above in one line per code, for --help (the
// README's table says the same at length; exit_codes_test keeps them
// together).
const char* ExitCodeHelp();

// ExitCodeFor maps a status from the daemon (or the client's own checks)
// to the exit code above. OK maps to kExitOk.
ExitCode ExitCodeFor(const absl::Status& status);

}  // namespace aix

#endif  // AIX_COMMON_EXIT_CODES_H_
