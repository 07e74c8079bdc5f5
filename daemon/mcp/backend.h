// Backend: what the MCP server serves, in aix's terms — the prompt
// library, runs and the history. SelfBackend (self_backend.h) reaches
// them through aixd's own services, so MCP callers get exactly the
// checks, keys, retries, fallbacks and history records of `aix run`.
#ifndef AIX_DAEMON_MCP_BACKEND_H_
#define AIX_DAEMON_MCP_BACKEND_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aix/v1/history.pb.h"
#include "aix/v1/prompts.pb.h"
#include "aix/v1/runs.pb.h"

namespace grpc {
class ClientContext;
}

namespace aix::mcp {

// CallControl cancels one request's backend calls: a client's
// notifications/cancelled, the session's end, or aixd stopping.
class CallControl {
 public:
  // Cancel stops the call in flight (and any later one). Idempotent.
  void Cancel();
  bool cancelled() const;

  // Attach ties a call's context to this control for the call's length;
  // false (and nothing attached) when it was already cancelled.
  bool Attach(grpc::ClientContext* context);
  void Detach();

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;
  grpc::ClientContext* context_ = nullptr;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual absl::StatusOr<v1::ListPromptsResponse> ListPrompts(CallControl* control) = 0;
  virtual absl::StatusOr<v1::Prompt> GetPrompt(const std::string& name, CallControl* control) = 0;

  // Run sends `request` (any mode) and hands each event to `on_event`;
  // its status is the run's end.
  virtual absl::Status Run(const v1::RunRequest& request,
                           const std::function<void(const v1::RunEvent&)>& on_event,
                           CallControl* control) = 0;

  virtual absl::StatusOr<v1::ListRunsResponse> ListRuns(const v1::ListRunsRequest& request,
                                                        CallControl* control) = 0;
  virtual absl::StatusOr<v1::ListRunsResponse> SearchRuns(const v1::SearchRunsRequest& request,
                                                          CallControl* control) = 0;
  virtual absl::StatusOr<v1::RunRecord> GetRun(int64_t id, CallControl* control) = 0;
};

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_BACKEND_H_
