#include "common/exit_codes.h"

namespace aix {

const char* ExitCodeHelp() {
  return "Exit codes: 0 ok, 1 failure, 2 usage, 3 aixd unavailable, 4 not found, "
         "5 permission denied, 6 a stored file is malformed, 7 no or rejected API key, "
         "8 rate limited, 9 provider failed, 130 interrupted. See README.md.";
}

ExitCode ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return kExitUsage;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kPermissionDenied:
      return kExitPermissionDenied;
    // Provider failures use codes aixd uses for nothing else (docs/API.md).
    case absl::StatusCode::kUnauthenticated:
      return kExitProviderAuth;
    case absl::StatusCode::kResourceExhausted:
      return kExitRateLimited;
    case absl::StatusCode::kAborted:
      return kExitProviderFailed;
    case absl::StatusCode::kFailedPrecondition:
      return kExitConfigInvalid;
    case absl::StatusCode::kCancelled:
      return kExitInterrupted;
    default:
      return kExitFailure;
  }
}

}  // namespace aix
