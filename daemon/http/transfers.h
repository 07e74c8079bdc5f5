// Transfers: what a caller needs of the HTTP pool to run its requests —
// start one, cancel it, resume it after pausing. HttpPool is the real one;
// a test can fake it and play the provider's side by hand.
#ifndef AIX_DAEMON_HTTP_TRANSFERS_H_
#define AIX_DAEMON_HTTP_TRANSFERS_H_

#include <cstdint>
#include <memory>

#include "daemon/http/request.h"

namespace aix::http {

class Transfers {
 public:
  virtual ~Transfers() = default;

  // Start queues a transfer; returns its id for Cancel and Resume. The
  // handler's events come later, on another thread (never inside Start).
  virtual uint64_t Start(HttpRequest request, std::shared_ptr<ResponseHandler> handler) = 0;

  // Cancel ends a transfer early (also one still waiting for not_before);
  // its handler gets OnDone(Cancelled). A finished or unknown id is ignored.
  virtual void Cancel(uint64_t id) = 0;

  // Resume continues a transfer its handler paused. Unknown ids, and
  // transfers that are not paused, are ignored.
  virtual void Resume(uint64_t id) = 0;
};

}  // namespace aix::http

#endif  // AIX_DAEMON_HTTP_TRANSFERS_H_
