#include "common/exit_codes.h"

namespace aix {

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
