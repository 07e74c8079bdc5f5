#include "daemon/runs/retry.h"

#include <algorithm>
#include <cmath>

namespace aix::runs {

bool Retryable(const Failure& f) {
  if (f.http_status != 0) {
    return f.http_status == 408 || f.http_status == 409 || f.http_status == 429 ||
           f.http_status >= 500;
  }
  switch (f.transport.code()) {
    case absl::StatusCode::kUnavailable:  // could not connect, reset, ...
      return true;
    case absl::StatusCode::kDeadlineExceeded:
      return !f.body_started;
    default:
      return false;  // cancelled, size caps, our own failures
  }
}

bool FallsBack(const Failure& f) {
  // 402: this account is out of credits; another provider's is not.
  if (f.http_status == 402) return true;
  if (f.http_status != 0) return Retryable(f);
  return f.transport.code() == absl::StatusCode::kUnavailable ||
         f.transport.code() == absl::StatusCode::kDeadlineExceeded;
}

absl::Duration Backoff(int retry, int64_t retry_after_ms, double unit_random) {
  if (retry_after_ms > 0) return absl::Milliseconds(retry_after_ms);
  double seconds = std::min(0.5 * std::pow(2.0, std::max(0, retry)), 8.0);
  double jitter = 1.0 - 0.25 * std::clamp(unit_random, 0.0, 1.0);
  return absl::Seconds(seconds * jitter);
}

}  // namespace aix::runs
