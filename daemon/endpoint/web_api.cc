#include "daemon/endpoint/web_api.h"

#include <utility>

#include "common/grpc_status.h"
#include "common/proto_json.h"

namespace aix::endpoint {
namespace {

// TypedCall is a WebCall of one method; `start` issues it through the
// stub's callback API.
template <typename Request, typename Response>
class TypedCall final : public WebCall {
 public:
  using Starter = std::function<void(grpc::ClientContext*, const Request*, Response*,
                                     std::function<void(grpc::Status)>)>;

  explicit TypedCall(const Starter* start) : start_(start) {}

  absl::Status Parse(absl::string_view json) override {
    // An empty body is the empty request (most lists take no fields).
    if (json.find_first_not_of(" \t\r\n") == absl::string_view::npos) return absl::OkStatus();
    return ParseProtoJson(json, &request_);
  }

  void Start(grpc::ClientContext* context, std::function<void(absl::Status)> done) override {
    (*start_)(context, &request_, &response_,
              [done = std::move(done)](grpc::Status s) { done(FromGrpcStatus(s)); });
  }

  std::string ResponseJson() const override {
    return ProtoJson(response_, JsonFields::kAll, JsonLayout::kCompact);
  }

 private:
  const Starter* const start_;
  Request request_;
  Response response_;
};

}  // namespace

// Each entry names a method and how to start it; the starters live as long
// as the table.
#define AIX_WEB_METHOD(stub, Method, Request, Response)                                         \
  {                                                                                            \
    using Call = TypedCall<v1::Request, v1::Response>;                                         \
    auto start = std::make_shared<Call::Starter>(                                              \
        [calls](grpc::ClientContext* ctx, const v1::Request* req, v1::Response* resp,          \
                std::function<void(grpc::Status)> done) {                                      \
          calls->stub()->async()->Method(ctx, req, resp, std::move(done));                     \
        });                                                                                    \
    methods_[#Method] = [start] { return std::make_unique<Call>(start.get()); };               \
  }

WebApi::WebApi(const SelfCalls* calls) : calls_(calls) {
  // The library.
  AIX_WEB_METHOD(prompts, ListPrompts, ListPromptsRequest, ListPromptsResponse)
  AIX_WEB_METHOD(prompts, GetPrompt, GetPromptRequest, Prompt)
  AIX_WEB_METHOD(prompts, CreatePrompt, CreatePromptRequest, Prompt)
  AIX_WEB_METHOD(prompts, ReplacePromptYaml, ReplacePromptYamlRequest, Prompt)
  AIX_WEB_METHOD(prompts, DeletePrompt, DeletePromptRequest, DeletePromptResponse)
  AIX_WEB_METHOD(collections, ListCollections, ListCollectionsRequest, ListCollectionsResponse)
  // Providers, models and keys (keys are masked in every answer).
  AIX_WEB_METHOD(providers, ListProviders, ListProvidersRequest, ListProvidersResponse)
  AIX_WEB_METHOD(providers, ListModels, ListModelsRequest, ListModelsResponse)
  AIX_WEB_METHOD(keys, ListKeys, ListKeysRequest, ListKeysResponse)
  AIX_WEB_METHOD(keys, SetKey, SetKeyRequest, KeyInfo)
  AIX_WEB_METHOD(config, ListSettings, ListSettingsRequest, ListSettingsResponse)
  // The history and usage.
  AIX_WEB_METHOD(history, ListRuns, ListRunsRequest, ListRunsResponse)
  AIX_WEB_METHOD(history, SearchRuns, SearchRunsRequest, ListRunsResponse)
  AIX_WEB_METHOD(history, GetRun, GetRunRequest, RunRecord)
  AIX_WEB_METHOD(history, DeleteRuns, DeleteRunsRequest, DeleteRunsResponse)
  AIX_WEB_METHOD(history, ListConversations, ListRunsRequest, ListConversationsResponse)
  AIX_WEB_METHOD(history, GetConversation, GetRunRequest, Conversation)
  AIX_WEB_METHOD(history, GetUsage, UsageRequest, UsageResponse)
}

#undef AIX_WEB_METHOD

std::unique_ptr<WebCall> WebApi::NewCall(absl::string_view method) const {
  auto it = methods_.find(method);
  return it == methods_.end() ? nullptr : it->second();
}

}  // namespace aix::endpoint
