// Routes: what the endpoint serves, as (method, path) -> a maker of the
// exchange that answers it. A new route is a file with its exchange plus
// one Add line where the endpoint is assembled (http_endpoint.cc).
#ifndef AIX_DAEMON_ENDPOINT_ROUTES_H_
#define AIX_DAEMON_ENDPOINT_ROUTES_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/endpoint/exchange.h"

namespace aix::endpoint {

using MakeExchange = std::function<std::shared_ptr<Exchange>(const ExchangeStart&)>;

class Routes {
 public:
  // Add serves `method` `path` (exact match) with what `make` returns.
  void Add(std::string method, std::string path, MakeExchange make);

  // AddUnder serves `method` on every path below `prefix` (which ends with
  // '/'; the rest of the path is the exchange's to read).
  void AddUnder(std::string method, std::string prefix, MakeExchange make);

  // Find is the route for a request: NotFound (404) for an unknown path,
  // FailedPrecondition (405) for a known path asked with another method;
  // both messages name what is served.
  absl::StatusOr<const MakeExchange*> Find(absl::string_view method, absl::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    MakeExchange make;
    bool under = false;
  };
  std::vector<Route> routes_;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_ROUTES_H_
