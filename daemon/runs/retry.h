// When a failed attempt is tried again, after how long, and when another
// provider takes over. Pure functions; the attempt loop
// (attempt_loop.h) applies them.
//
// Nothing is retried, and no other provider takes over, once any text has
// reached the client: the caller already has part of one answer, and a
// second one would be billed and would not match it.
#ifndef AIX_DAEMON_RUNS_RETRY_H_
#define AIX_DAEMON_RUNS_RETRY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace aix::runs {

// Failure describes how an attempt failed, before any text was sent.
struct Failure {
  int http_status = 0;          // 0: no HTTP answer (transport failure)
  absl::Status transport;       // the pool's status when http_status is 0
  bool body_started = false;    // a byte of the body had arrived
  int64_t retry_after_ms = -1;  // what the provider asked for, or -1
};

// Retryable: connection errors, timeouts before the first byte of the
// body, and HTTP 408, 409, 429 and 5xx (Anthropic's 529 included).
bool Retryable(const Failure& f);

// FallsBack: the provider is rate-limited, failing, unreachable or timed
// out, or this account is out of credits (402), so the next provider may
// take over (402 is not retried: waiting buys no credit). A rejected key, a refused
// request or an unknown model (other 4xx) is the caller's to fix: no.
bool FallsBack(const Failure& f);

// kMaxRetryWait: a provider that asks for a longer wait is not waited for;
// the error tells the user when to try again.
inline constexpr absl::Duration kMaxRetryWait = absl::Seconds(60);

// Backoff is the wait before retry number `retry` (0 for the first): the
// provider's Retry-After when it gave a positive one, else exponential
// from 0.5 s, capped at 8 s, times a jitter factor in [0.75, 1] drawn from
// `unit_random` in [0, 1).
absl::Duration Backoff(int retry, int64_t retry_after_ms, double unit_random);

}  // namespace aix::runs

#endif  // AIX_DAEMON_RUNS_RETRY_H_
