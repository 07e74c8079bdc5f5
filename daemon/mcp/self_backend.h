// SelfBackend: the MCP server's Backend over aixd's in-process gRPC
// channel (the HTTP endpoint's SelfCalls), each call marked as the
// daemon's own. Calls block: they run on the session's worker threads,
// never on a gRPC or MHD thread.
#ifndef AIX_DAEMON_MCP_SELF_BACKEND_H_
#define AIX_DAEMON_MCP_SELF_BACKEND_H_

#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "aix/v1/history.grpc.pb.h"
#include "daemon/endpoint/self_calls.h"
#include "daemon/mcp/backend.h"

namespace aix::mcp {

class SelfBackend final : public Backend {
 public:
  SelfBackend(const std::shared_ptr<grpc::Channel>& channel, std::string secret)
      : calls_(channel, std::move(secret)) {}

  absl::StatusOr<v1::ListPromptsResponse> ListPrompts(CallControl* control) override;
  absl::StatusOr<v1::Prompt> GetPrompt(const std::string& name, CallControl* control) override;
  absl::Status Run(const v1::RunRequest& request,
                   const std::function<void(const v1::RunEvent&)>& on_event,
                   CallControl* control) override;
  absl::StatusOr<v1::ListRunsResponse> ListRuns(const v1::ListRunsRequest& request,
                                                CallControl* control) override;
  absl::StatusOr<v1::ListRunsResponse> SearchRuns(const v1::SearchRunsRequest& request,
                                                  CallControl* control) override;
  absl::StatusOr<v1::RunRecord> GetRun(int64_t id, CallControl* control) override;

 private:
  endpoint::SelfCalls calls_;
};

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_SELF_BACKEND_H_
