// HistoryService (aix.v1): the run history, read and pruned.
#ifndef AIX_DAEMON_SERVICES_HISTORY_SERVICE_H_
#define AIX_DAEMON_SERVICES_HISTORY_SERVICE_H_

#include "aix/v1/history.grpc.pb.h"
#include "daemon/history/history_db.h"
#include "daemon/history/history_writer.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class HistoryServiceImpl final : public v1::HistoryService::Service {
 public:
  // All must outlive the service.
  HistoryServiceImpl(history::HistoryDb* db, history::HistoryWriter* writer,
                     const PeerRegistry* peers)
      : db_(db), writer_(writer), peers_(peers) {}

  grpc::Status ListRuns(grpc::ServerContext* context, const v1::ListRunsRequest* request,
                        v1::ListRunsResponse* response) override;
  grpc::Status SearchRuns(grpc::ServerContext* context, const v1::SearchRunsRequest* request,
                          v1::ListRunsResponse* response) override;
  grpc::Status GetRun(grpc::ServerContext* context, const v1::GetRunRequest* request,
                      v1::RunRecord* response) override;
  grpc::Status ListConversations(grpc::ServerContext* context, const v1::ListRunsRequest* request,
                                 v1::ListConversationsResponse* response) override;
  grpc::Status GetConversation(grpc::ServerContext* context, const v1::GetRunRequest* request,
                               v1::Conversation* response) override;
  grpc::Status DeleteRuns(grpc::ServerContext* context, const v1::DeleteRunsRequest* request,
                          v1::DeleteRunsResponse* response) override;
  grpc::Status PruneRuns(grpc::ServerContext* context, const v1::PruneRunsRequest* request,
                         v1::DeleteRunsResponse* response) override;
  grpc::Status GetUsage(grpc::ServerContext* context, const v1::UsageRequest* request,
                        v1::UsageResponse* response) override;

 private:
  // Store is the open database, after every run already handed to the
  // writer is in it (so a run shows up in the history once it has ended).
  absl::StatusOr<history::HistoryStore*> Store();

  history::HistoryDb* db_;
  history::HistoryWriter* writer_;
  const PeerRegistry* peers_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_HISTORY_SERVICE_H_
