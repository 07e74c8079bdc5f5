// ApiExchange answers POST /ui/api/{Method}: one unary call of aixd's gRPC
// API for its web page. The body is the request message in protobuf's
// JSON mapping; the answer is the response message, or an error object
// whose HTTP status follows the call's status. The page thus speaks the
// versioned API itself, through a list of the methods it may call (web_api.h),
// over aixd's in-process channel: the services check and do everything.
//
// The call is asynchronous and the connection suspended meanwhile (a
// provider's model list may take seconds), so the door's thread is never
// blocked; it counts as a run, so stopping the door waits for it.
#ifndef AIX_DAEMON_ENDPOINT_API_EXCHANGE_H_
#define AIX_DAEMON_ENDPOINT_API_EXCHANGE_H_

#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "daemon/endpoint/exchange.h"
#include "daemon/endpoint/live_exchanges.h"
#include "daemon/endpoint/request_body.h"
#include "daemon/endpoint/web_api.h"

namespace aix::endpoint {

class ApiExchange final : public Exchange, public std::enable_shared_from_this<ApiExchange> {
 public:
  // `method` is the path's last part; `api` lists what may be called.
  ApiExchange(const ExchangeStart& start, const WebApi* api, std::string method,
              BodyBudget* budget, LiveExchanges* live)
      : Exchange(start), api_(api), method_(std::move(method)), body_(budget), live_(live) {}

  MHD_Result Continue(const char* upload, size_t* upload_size) override;
  void Closed() override;
  void CheckPeer() override;
  void Cancel() override;

 private:
  MHD_Result Start();
  void Done(const absl::Status& status);
  void StopCall();

  const WebApi* const api_;
  const std::string method_;
  RequestBody body_;
  LiveExchanges* const live_;
  bool responded_ = false;  // MHD thread only

  std::unique_ptr<WebCall> call_;  // set before the call starts
  grpc::ClientContext context_;

  std::mutex mu_;
  std::shared_ptr<ApiExchange> self_;  // guarded by mu_; the call's reference
  bool started_ = false;               // guarded by mu_
  bool suspended_ = false;             // guarded by mu_
  bool closed_ = false;                // guarded by mu_
  bool done_ = false;                  // guarded by mu_
  absl::Status status_;                // guarded by mu_
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_API_EXCHANGE_H_
