// HttpPool: every provider request aixd makes goes through one event loop
// over libcurl's multi interface, on one thread.
//
// Why: connections (TCP + TLS) are kept alive in the multi handle's cache
// and reused across requests, and so across `aix` invocations; HTTP/2
// servers get multiplexed streams. Many transfers share the loop and none
// blocks another. HTTPS_PROXY/NO_PROXY are honoured (libcurl reads them).
//
// Callbacks run on the loop thread and must not block; they hand data to
// whoever waits (see RunService).
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

struct HttpRequest {
  std::string method = "POST";  // POST (with body) or GET
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(600);
  std::string ca_bundle;  // CA file for TLS; empty: the system's
};

// ResponseHandler receives one transfer's events, on the loop thread.
class ResponseHandler {
 public:
  virtual ~ResponseHandler() = default;
  // OnHeaders: status line and headers are complete (called once, before
  // any OnData; names lower-cased).
  virtual void OnHeaders(int status, const std::map<std::string, std::string>& headers) = 0;
  virtual void OnData(absl::string_view chunk) = 0;
  // OnDone: the transfer ended. OK, Cancelled (Cancel was called), or
  // Unavailable/DeadlineExceeded with libcurl's reason.
  virtual void OnDone(absl::Status status) = 0;
};

struct PoolOptions {
  // max_host_connections bounds connections per host; transfers beyond it
  // wait for a free one (HTTP/2 multiplexes instead).
  long max_host_connections = 100;
};

class HttpPool {
 public:
  explicit HttpPool(PoolOptions options = {});
  ~HttpPool();  // cancels every transfer and joins the loop
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  // Start queues a transfer; returns its id for Cancel.
  uint64_t Start(HttpRequest request, std::shared_ptr<ResponseHandler> handler);

  // Cancel ends a transfer early; its handler gets OnDone(Cancelled). A
  // finished or unknown id is ignored.
  void Cancel(uint64_t id);

  // connections_opened counts new connections libcurl made (not reused).
  int64_t connections_opened() const { return connections_opened_.load(); }

 private:
  struct Transfer;
  void EnsureStarted();
  void Loop();
  void AddPending();
  void Finish(Transfer* t, absl::Status status);
  static size_t OnWrite(char* data, size_t size, size_t n, void* user);
  static size_t OnHeader(char* data, size_t size, size_t n, void* user);

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
  // Owned by the loop thread only:
  std::map<uint64_t, std::unique_ptr<Transfer>> active_;
};

}  // namespace aix::http

#endif  // AIX_DAEMON_HTTP_POOL_H_
