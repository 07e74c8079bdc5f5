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
#include "daemon/http/request.h"
#include "daemon/http/transfers.h"

namespace aix::http {

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

class HttpPool final : public Transfers {
 public:
  explicit HttpPool(PoolOptions options = {});
  ~HttpPool();  // cancels every transfer and joins the loop
  HttpPool(const HttpPool&) = delete;
  HttpPool& operator=(const HttpPool&) = delete;

  // Transfers (transfers.h).
  uint64_t Start(HttpRequest request, std::shared_ptr<ResponseHandler> handler) override;
  void Cancel(uint64_t id) override;
  void Resume(uint64_t id) override;

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
  bool closed_ = false;                           // guarded by mu_; the loop has ended
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
