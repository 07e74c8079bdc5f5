// HttpPool: every provider request aixd makes goes through one event loop
// over libcurl's multi interface, on one thread.
//
// Why: connections (TCP + TLS) are kept alive in the multi handle's cache
// and reused across requests, and so across `aix` invocations; HTTP/2
// servers get multiplexed streams. Many transfers share the loop and none
// blocks another. HTTPS_PROXY/NO_PROXY are honoured (libcurl reads them).
//
// Everything a provider sends is bounded here: the time to connect, to the
// first byte of the body, between body bytes; the size of the headers and
// of the (decompressed) body. A slow consumer pauses its transfer instead of
// buffering. Callbacks run on the loop thread, must not block, and may
// throw nothing: an exception that escapes one fails that transfer only.
#ifndef AIX_DAEMON_HTTP_POOL_H_
#define AIX_DAEMON_HTTP_POOL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aix::http {

// Limits of one transfer. Each expiry has its own DeadlineExceeded message
// naming the aixd setting that raises it (connect_timeout, ...).
struct Limits {
  absl::Duration connect_timeout = absl::Seconds(10);
  // From the start of the transfer to the first byte of the response body.
  absl::Duration first_byte_timeout = absl::Seconds(120);
  // Longest silence between body bytes once the body has begun (time the
  // transfer spends paused by its consumer does not count).
  absl::Duration idle_timeout = absl::Seconds(60);
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
  // HttpPool::Resume. Returning true consumes it.
  virtual bool OnData(absl::string_view chunk) = 0;
  // OnDone: the transfer ended. OK; Cancelled (Cancel was called);
  // DeadlineExceeded (a timeout, named); ResourceExhausted (a size cap);
  // Unavailable (libcurl's reason); Internal (a callback threw).
  virtual void OnDone(absl::Status status) = 0;
};

struct PoolOptions {
  // max_host_connections bounds connections per host, and also the
  // transfers to one host that libcurl holds at once: the rest wait in the
  // pool as small records, without a libcurl handle and its buffers (about
  // 40 KB each). Over HTTP/1.1 a transfer needs a connection of its own;
  // over HTTP/2 the transfers share one connection as far as the server
  // allows streams, since each waits for a connection it can multiplex on.
  // (Holding more than this in libcurl would have it open a new
  // connection for each transfer that does not fit the first one.)
  long max_host_connections = 100;
};

class HttpPool {
 public:
  explicit HttpPool(PoolOptions options = {});
  ~HttpPool();  // cancels every transfer and joins the loop
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  // Start queues a transfer; returns its id for Cancel and Resume.
  uint64_t Start(HttpRequest request, std::shared_ptr<ResponseHandler> handler);

  // Cancel ends a transfer early (also one still waiting for not_before);
  // its handler gets OnDone(Cancelled). A finished or unknown id is ignored.
  void Cancel(uint64_t id);

  // Resume continues a transfer its handler paused. Unknown ids, and
  // transfers that are not paused, are ignored.
  void Resume(uint64_t id);

  // connections_opened counts new connections libcurl made (not reused).
  int64_t connections_opened() const { return connections_opened_.load(); }

 private:
  struct Transfer;
  void EnsureStarted();
  void Loop();
  void TakeRequests();
  void Admit(std::unique_ptr<Transfer> t);
  void AddToMulti(std::unique_ptr<Transfer> t);
  void CheckDeadlines(absl::Time now);
  void Finish(Transfer* t, absl::Status status);
  static size_t OnWrite(char* data, size_t size, size_t n, void* user);
  static size_t OnHeader(char* data, size_t size, size_t n, void* user);
  friend struct SocketCallbacks;  // libcurl's socket callbacks (pool.cc)

  PoolOptions options_;
  std::once_flag started_;
  void* multi_ = nullptr;  // CURLM*; set once by EnsureStarted
  std::thread loop_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> connections_opened_{0};

  std::mutex mu_;
  uint64_t next_id_ = 1;                          // guarded by mu_
  std::deque<std::unique_ptr<Transfer>> pending_;  // guarded by mu_
  std::vector<uint64_t> cancels_;                 // guarded by mu_
  std::vector<uint64_t> resumes_;                 // guarded by mu_
  // Owned by the loop thread only:
  std::map<uint64_t, std::unique_ptr<Transfer>> active_;
  std::map<uint64_t, std::unique_ptr<Transfer>> delayed_;  // waiting for not_before
  struct Host {
    long in_multi = 0;  // transfers of this host that libcurl holds
    std::deque<std::unique_ptr<Transfer>> waiting;  // for one of them to end
  };
  std::map<std::string, Host> hosts_;  // by scheme://authority
  absl::Time next_deadline_check_ = absl::InfinitePast();
  // The pool's sockets and their local ports (0 until looked up).
  std::map<int, int> socket_ports_;
};

}  // namespace aix::http

#endif  // AIX_DAEMON_HTTP_POOL_H_
