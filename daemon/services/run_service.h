// RunService (aix.v1): render a prompt, send it through the HTTP pool
// (runs/attempt_loop.h runs the attempts), stream the answer back as it
// arrives.
//
// Runs use gRPC's callback API: a run is a reactor fed directly by the
// pool's loop thread, so a thousand concurrent runs cost a thousand small
// objects, not a thousand blocked threads.
#ifndef AIX_DAEMON_SERVICES_RUN_SERVICE_H_
#define AIX_DAEMON_SERVICES_RUN_SERVICE_H_

#include "aix/v1/runs.grpc.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/history/history_writer.h"
#include "daemon/http/transfers.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/runs/conversation.h"
#include "daemon/server/peer_registry.h"
#include "daemon/services/run_count.h"

namespace aix {

class RunServiceImpl final : public v1::RunService::CallbackService {
 public:
  // All must outlive the service.
  // `history` may be null: runs are then not recorded.
  RunServiceImpl(config::ConfigStore* config, prompts::PromptStore* prompts,
                 const prompts::CollectionStore* collections, http::Transfers* transfers,
                 const PeerRegistry* peers, history::HistoryWriter* history)
      : config_(config), prompts_(prompts), collections_(collections), transfers_(transfers),
        peers_(peers), history_(history) {}

  grpc::ServerWriteReactor<v1::RunEvent>* Run(grpc::CallbackServerContext* context,
                                              const v1::RunRequest* request) override;

  // active_runs counts runs whose reactor is alive.
  int active_runs() const { return active_.active(); }

 private:
  // LoadEarlier reads the conversation a request continues.
  absl::StatusOr<runs::Earlier> LoadEarlier(const v1::RunRequest& req);

  RunCount active_;
  config::ConfigStore* config_;
  prompts::PromptStore* prompts_;
  const prompts::CollectionStore* collections_;
  http::Transfers* transfers_;
  const PeerRegistry* peers_;
  history::HistoryWriter* history_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_RUN_SERVICE_H_
