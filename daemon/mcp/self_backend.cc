#include "daemon/mcp/self_backend.h"

#include <grpcpp/client_context.h>

#include "common/grpc_status.h"

namespace aix::mcp {
namespace {

// Attached ties a context to a control for its scope.
class Attached {
 public:
  Attached(CallControl* control, grpc::ClientContext* context)
      : control_(control), ok_(control->Attach(context)) {}
  ~Attached() {
    if (ok_) control_->Detach();
  }
  bool ok() const { return ok_; }

 private:
  CallControl* control_;
  bool ok_;
};

absl::Status Cancelled() { return absl::CancelledError("the request was cancelled"); }

// Unary makes one unary call marked as the daemon's own.
template <typename Reply, typename Call>
absl::StatusOr<Reply> Unary(const endpoint::SelfCalls& calls, CallControl* control, Call call) {
  grpc::ClientContext context;
  calls.Mark(&context);
  Attached attached(control, &context);
  if (!attached.ok()) return Cancelled();
  Reply reply;
  grpc::Status s = call(&context, &reply);
  if (!s.ok()) return FromGrpcStatus(s);
  return reply;
}

}  // namespace

void CallControl::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

bool CallControl::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool CallControl::Attach(grpc::ClientContext* context) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  context_ = context;
  return true;
}

void CallControl::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  context_ = nullptr;
}

absl::StatusOr<v1::ListPromptsResponse> SelfBackend::ListPrompts(CallControl* control) {
  return Unary<v1::ListPromptsResponse>(calls_, control, [&](grpc::ClientContext* c, auto* r) {
    return calls_.prompts()->ListPrompts(c, v1::ListPromptsRequest(), r);
  });
}

absl::StatusOr<v1::Prompt> SelfBackend::GetPrompt(const std::string& name, CallControl* control) {
  v1::GetPromptRequest req;
  req.set_name(name);
  return Unary<v1::Prompt>(calls_, control, [&](grpc::ClientContext* c, auto* r) {
    return calls_.prompts()->GetPrompt(c, req, r);
  });
}

absl::Status SelfBackend::Run(const v1::RunRequest& request,
                              const std::function<void(const v1::RunEvent&)>& on_event,
                              CallControl* control) {
  grpc::ClientContext context;
  calls_.Mark(&context);
  context.AddMetadata(PeerRegistry::kViaHeader, "mcp");  // the history says who ran it
  Attached attached(control, &context);
  if (!attached.ok()) return Cancelled();
  auto reader = calls_.runs()->Run(&context, request);
  v1::RunEvent event;
  while (reader->Read(&event)) on_event(event);
  return FromGrpcStatus(reader->Finish());
}

absl::StatusOr<v1::ListRunsResponse> SelfBackend::ListRuns(const v1::ListRunsRequest& request,
                                                           CallControl* control) {
  return Unary<v1::ListRunsResponse>(calls_, control, [&](grpc::ClientContext* c, auto* r) {
    return calls_.history()->ListRuns(c, request, r);
  });
}

absl::StatusOr<v1::ListRunsResponse> SelfBackend::SearchRuns(const v1::SearchRunsRequest& request,
                                                             CallControl* control) {
  return Unary<v1::ListRunsResponse>(calls_, control, [&](grpc::ClientContext* c, auto* r) {
    return calls_.history()->SearchRuns(c, request, r);
  });
}

absl::StatusOr<v1::RunRecord> SelfBackend::GetRun(int64_t id, CallControl* control) {
  v1::GetRunRequest req;
  req.set_id(id);
  return Unary<v1::RunRecord>(calls_, control, [&](grpc::ClientContext* c, auto* r) {
    return calls_.history()->GetRun(c, req, r);
  });
}

}  // namespace aix::mcp
