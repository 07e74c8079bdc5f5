// CollectionService (aix.v1) over a CollectionStore; prompts named in a
// collection must exist in the PromptStore when they are added.
#ifndef AIX_DAEMON_SERVICES_COLLECTION_SERVICE_H_
#define AIX_DAEMON_SERVICES_COLLECTION_SERVICE_H_

#include "aix/v1/collections.grpc.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class CollectionServiceImpl final : public v1::CollectionService::Service {
 public:
  // All must outlive the service.
  CollectionServiceImpl(prompts::CollectionStore* collections, prompts::PromptStore* prompts,
                        config::ConfigStore* config, const PeerRegistry* peers)
      : collections_(collections), prompts_(prompts), config_(config), peers_(peers) {}

  grpc::Status CreateCollection(grpc::ServerContext* context,
                                const v1::CreateCollectionRequest* request,
                                v1::Collection* response) override;
  grpc::Status ListCollections(grpc::ServerContext* context,
                               const v1::ListCollectionsRequest* request,
                               v1::ListCollectionsResponse* response) override;
  grpc::Status GetCollection(grpc::ServerContext* context,
                             const v1::GetCollectionRequest* request,
                             v1::Collection* response) override;
  grpc::Status DeleteCollection(grpc::ServerContext* context,
                                const v1::DeleteCollectionRequest* request,
                                v1::DeleteCollectionResponse* response) override;
  grpc::Status AddPrompts(grpc::ServerContext* context, const v1::ChangePromptsRequest* request,
                          v1::Collection* response) override;
  grpc::Status RemovePrompts(grpc::ServerContext* context,
                             const v1::ChangePromptsRequest* request,
                             v1::Collection* response) override;
  grpc::Status LoadCollection(grpc::ServerContext* context,
                              const v1::LoadCollectionRequest* request,
                              v1::Collection* response) override;
  grpc::Status UnloadCollection(grpc::ServerContext* context,
                                const v1::UnloadCollectionRequest* request,
                                v1::UnloadCollectionResponse* response) override;
  grpc::Status ExportCollection(grpc::ServerContext* context,
                                const v1::ExportCollectionRequest* request,
                                v1::ExportCollectionResponse* response) override;
  grpc::Status ImportCollection(grpc::ServerContext* context,
                                const v1::ImportCollectionRequest* request,
                                v1::ImportCollectionResponse* response) override;
  grpc::Status MigratePythonLibrary(grpc::ServerContext* context,
                                    const v1::MigratePythonLibraryRequest* request,
                                    v1::MigratePythonLibraryResponse* response) override;

 private:
  void ToProto(const prompts::Collection& c, v1::Collection* out) const;
  absl::StatusOr<prompts::Collection> Named(const std::string& name) const;
  absl::Status CheckPromptsExist(const std::vector<std::string>& names) const;

  prompts::CollectionStore* collections_;
  prompts::PromptStore* prompts_;
  config::ConfigStore* config_;
  const PeerRegistry* peers_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_COLLECTION_SERVICE_H_
