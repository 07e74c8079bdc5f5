// PromptService (aix.v1) over a PromptStore.
#ifndef AIX_DAEMON_SERVICES_PROMPT_SERVICE_H_
#define AIX_DAEMON_SERVICES_PROMPT_SERVICE_H_

#include "aix/v1/prompts.grpc.pb.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class PromptServiceImpl final : public v1::PromptService::Service {
 public:
  // Both must outlive the service.
  PromptServiceImpl(prompts::PromptStore* store, const prompts::CollectionStore* collections,
                    const PeerRegistry* peers)
      : store_(store), collections_(collections), peers_(peers) {}

  grpc::Status CreatePrompt(grpc::ServerContext* context,
                            const v1::CreatePromptRequest* request,
                            v1::Prompt* response) override;
  grpc::Status GetPrompt(grpc::ServerContext* context, const v1::GetPromptRequest* request,
                         v1::Prompt* response) override;
  grpc::Status ListPrompts(grpc::ServerContext* context,
                           const v1::ListPromptsRequest* request,
                           v1::ListPromptsResponse* response) override;
  grpc::Status ReplacePromptYaml(grpc::ServerContext* context,
                                 const v1::ReplacePromptYamlRequest* request,
                                 v1::Prompt* response) override;
  grpc::Status DeletePrompt(grpc::ServerContext* context,
                            const v1::DeletePromptRequest* request,
                            v1::DeletePromptResponse* response) override;
  grpc::Status TrustPrompt(grpc::ServerContext* context, const v1::TrustPromptRequest* request,
                           v1::Prompt* response) override;

 private:
  void ToProto(const prompts::Prompt& p, v1::Prompt* out) const;

  prompts::PromptStore* store_;
  const prompts::CollectionStore* collections_;
  const PeerRegistry* peers_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_PROMPT_SERVICE_H_
