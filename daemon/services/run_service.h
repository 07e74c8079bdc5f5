// RunService (aix.v1): render a prompt, send it through the HttpPool,
// stream the answer back as it arrives.
#ifndef AIX_DAEMON_SERVICES_RUN_SERVICE_H_
#define AIX_DAEMON_SERVICES_RUN_SERVICE_H_

#include "aix/v1/runs.grpc.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/http/pool.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class RunServiceImpl final : public v1::RunService::Service {
 public:
  // All must outlive the service.
  RunServiceImpl(config::ConfigStore* config, prompts::PromptStore* prompts,
                 http::HttpPool* pool, const PeerRegistry* peers)
      : config_(config), prompts_(prompts), pool_(pool), peers_(peers) {}

  grpc::Status Run(grpc::ServerContext* context, const v1::RunRequest* request,
                   grpc::ServerWriter<v1::RunEvent>* writer) override;

 private:
  absl::Status DoRun(grpc::ServerContext* context, const v1::RunRequest& request,
                     grpc::ServerWriter<v1::RunEvent>* writer);

  config::ConfigStore* config_;
  prompts::PromptStore* prompts_;
  http::HttpPool* pool_;
  const PeerRegistry* peers_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_RUN_SERVICE_H_
