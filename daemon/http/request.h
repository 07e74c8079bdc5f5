// One HTTP request to a provider and the events of its response, as the
// pool (pool.h) carries them: the request and its limits, the response
// head, and the handler that receives the body.
#ifndef AIX_DAEMON_HTTP_REQUEST_H_
#define AIX_DAEMON_HTTP_REQUEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/setting_defaults.h"

namespace aix::http {

// Limits of one transfer. Each expiry has its own DeadlineExceeded message
// naming the aixd setting that raises it (connect_timeout, ...).
struct Limits {
  absl::Duration connect_timeout = absl::Seconds(config::defaults::kConnectTimeoutSeconds);
  // From the start of the transfer to the first byte of the response body.
  absl::Duration first_byte_timeout =
      absl::Seconds(config::defaults::kFirstByteTimeoutSeconds);
  // Longest silence between body bytes once the body has begun (time the
  // transfer spends paused by its consumer does not count).
  absl::Duration idle_timeout = absl::Seconds(config::defaults::kIdleTimeoutSeconds);
  // Most body bytes, counted after decompression: a small gzip bomb is as
  // large as what it expands to. ResourceExhausted when exceeded.
  int64_t max_body_bytes = 64 << 20;
};

struct HttpRequest {
  std::string method = "POST";  // POST (with body) or GET
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  Limits limits;
  std::string ca_bundle;  // CA file for TLS; empty: the system's
  // not_before delays the start (a retry's back-off) without a thread
  // waiting; the transfer may be cancelled meanwhile.
  absl::Time not_before = absl::InfinitePast();
};

// ResponseHead is the status line and headers of a response.
struct ResponseHead {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased, bounded
  // retry_after_ms: how long the server asked us to wait (Retry-After as
  // seconds or an HTTP date, via libcurl; retry-after-ms first), or -1.
  int64_t retry_after_ms = -1;

  // RetryAfterSeconds is retry_after_ms in whole seconds, rounded up (a
  // wait shown shorter than asked would be retried too soon), or 0.
  int64_t RetryAfterSeconds() const { return retry_after_ms < 0 ? 0 : (retry_after_ms + 999) / 1000; }
};

// ResponseHandler receives one transfer's events, on the loop thread.
class ResponseHandler {
 public:
  virtual ~ResponseHandler() = default;
  // OnHeaders: called once, before any OnData.
  virtual void OnHeaders(const ResponseHead& head) = 0;
  // OnData offers the next piece of the body. Returning false declines it
  // and pauses the transfer: the same piece is offered again after
  // Transfers::Resume. Returning true consumes it.
  virtual bool OnData(absl::string_view chunk) = 0;
  // OnDone: the transfer ended. OK; Cancelled (Cancel was called);
  // DeadlineExceeded (a timeout, named); ResourceExhausted (a size cap);
  // Unavailable (libcurl's reason); Internal (a callback threw).
  virtual void OnDone(absl::Status status) = 0;
};

}  // namespace aix::http

#endif  // AIX_DAEMON_HTTP_REQUEST_H_
