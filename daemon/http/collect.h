// Collect: a whole (bounded) response from the pool, delivered to a
// callback. For short requests such as model listings; runs stream
// through their own ResponseHandler (services/run_service.cc).
#ifndef AIX_DAEMON_HTTP_COLLECT_H_
#define AIX_DAEMON_HTTP_COLLECT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/http/pool.h"

namespace aix::http {

struct HttpResponse {
  ResponseHead head;
  std::string body;
};

using CollectDone = std::function<void(absl::StatusOr<HttpResponse>)>;

// Collect starts `request` and calls `done` exactly once, on the pool's loop
// thread, with the whole response or the transfer's failure (the body is
// bounded by request.limits.max_body_bytes). Returns the transfer id, for
// HttpPool::Cancel.
uint64_t Collect(HttpPool* pool, HttpRequest request, CollectDone done);

}  // namespace aix::http

#endif  // AIX_DAEMON_HTTP_COLLECT_H_
