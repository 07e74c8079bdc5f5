// ResponseQueue hands one transfer's events from the HttpPool loop thread
// to a waiting request handler, in order.
#ifndef AIX_DAEMON_HTTP_RESPONSE_QUEUE_H_
#define AIX_DAEMON_HTTP_RESPONSE_QUEUE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/http/pool.h"

namespace aix::http {

class ResponseQueue : public ResponseHandler {
 public:
  struct Item {
    enum Kind { kHeaders, kData, kDone } kind;
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string data;
    absl::Status done;
  };

  void OnHeaders(int status, const std::map<std::string, std::string>& headers) override;
  void OnData(absl::string_view chunk) override;
  void OnDone(absl::Status status) override;

  // Pop waits up to `timeout` for the next item; false on timeout.
  bool Pop(Item* out, absl::Duration timeout);

 private:
  void Push(Item item);
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> items_;  // guarded by mu_
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

// FetchAll runs `request` to completion and returns the whole response.
// `cancelled` is polled while waiting; when it returns true the transfer is
// cancelled and Cancelled returned. Transport failures come back as the
// pool reports them.
absl::StatusOr<HttpResponse> FetchAll(HttpPool* pool, HttpRequest request,
                                      const std::function<bool()>& cancelled);

}  // namespace aix::http

#endif  // AIX_DAEMON_HTTP_RESPONSE_QUEUE_H_
