// WebApi: the methods of aixd's gRPC API that its web page may call, by
// name, each as a call that reads its request from JSON, runs over the
// in-process channel and prints its response as JSON. A method not listed
// (Shutdown, ResetConfig, the imports that read paths on disk...) is not
// reachable from a browser at all.
#ifndef AIX_DAEMON_ENDPOINT_WEB_API_H_
#define AIX_DAEMON_ENDPOINT_WEB_API_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "daemon/endpoint/self_calls.h"

namespace aix::endpoint {

// WebCall is one call of one method.
class WebCall {
 public:
  virtual ~WebCall() = default;
  // Parse reads the request; InvalidArgument names what does not fit.
  virtual absl::Status Parse(absl::string_view json) = 0;
  // Start begins the call; `done` runs on a gRPC thread when it ends.
  virtual void Start(grpc::ClientContext* context, std::function<void(absl::Status)> done) = 0;
  // ResponseJson is the response, once `done` said OK.
  virtual std::string ResponseJson() const = 0;
};

class WebApi {
 public:
  // `calls` must outlive the WebApi.
  explicit WebApi(const SelfCalls* calls);

  // NewCall is a call of `method`, or null for a method the page may not
  // call.
  std::unique_ptr<WebCall> NewCall(absl::string_view method) const;

  const SelfCalls* calls() const { return calls_; }

 private:
  const SelfCalls* const calls_;
  std::map<std::string, std::function<std::unique_ptr<WebCall>()>, std::less<>> methods_;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_WEB_API_H_
