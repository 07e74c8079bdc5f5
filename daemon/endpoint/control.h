// Control: the endpoint's settings and facts. It applies http_listen from
// config.json to the HttpEndpoint (at start and after each change made
// through aixd), opens a port for the web page when asked and http_listen
// is not set, and answers DaemonService.GetEndpoint.
#ifndef AIX_DAEMON_ENDPOINT_CONTROL_H_
#define AIX_DAEMON_ENDPOINT_CONTROL_H_

#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aix/v1/daemon.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/endpoint/http_endpoint.h"
#include "daemon/endpoint/token_store.h"
#include "daemon/web/sign_in.h"

namespace aix::endpoint {

class Control {
 public:
  // All must outlive the Control. `socket_error` says why the Unix socket
  // is not served ("" when it is).
  Control(config::ConfigStore* config, HttpEndpoint* endpoint, TokenStore* token,
          web::SignIn* sign_in, std::string socket_error)
      : config_(config),
        endpoint_(endpoint),
        token_(token),
        sign_in_(sign_in),
        socket_error_(std::move(socket_error)) {}

  // Apply makes the TCP door match http_listen. The error names the fix.
  absl::Status Apply();

  absl::StatusOr<v1::EndpointInfo> Info(const v1::GetEndpointRequest& request);

 private:
  absl::Status ApplyLocked();
  // OpenUi serves the page (on a picked port when http_listen is unset)
  // and fills in its sign-in link.
  absl::Status OpenUi(v1::EndpointInfo* info);

  config::ConfigStore* const config_;
  HttpEndpoint* const endpoint_;
  TokenStore* const token_;
  web::SignIn* const sign_in_;
  const std::string socket_error_;
  std::mutex mu_;           // one Apply at a time
  std::string tcp_error_;   // guarded by mu_; why http_listen is not in effect
  // guarded by mu_: the port picked for the web page, kept while
  // http_listen is unset.
  std::optional<ListenAddress> picked_;
  std::optional<ListenAddress> serving_;  // guarded by mu_
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_CONTROL_H_
