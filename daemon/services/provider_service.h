// ProviderService (aix.v1): built-in and custom providers, models listing.
#ifndef AIX_DAEMON_SERVICES_PROVIDER_SERVICE_H_
#define AIX_DAEMON_SERVICES_PROVIDER_SERVICE_H_

#include "aix/v1/providers.grpc.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/http/pool.h"
#include "daemon/server/peer_registry.h"

namespace aix {

// ListModels uses gRPC's callback API: it waits on the provider without
// holding a thread, and a cancelled call cancels the HTTP request.
class ProviderServiceImpl final
    : public v1::ProviderService::WithCallbackMethod_ListModels<v1::ProviderService::Service> {
 public:
  // All must outlive the service.
  ProviderServiceImpl(config::ConfigStore* config, http::HttpPool* pool,
                      const PeerRegistry* peers)
      : config_(config), pool_(pool), peers_(peers) {}

  grpc::Status AddProvider(grpc::ServerContext* context, const v1::AddProviderRequest* request,
                           v1::ProviderInfo* response) override;
  grpc::Status ListProviders(grpc::ServerContext* context,
                             const v1::ListProvidersRequest* request,
                             v1::ListProvidersResponse* response) override;
  grpc::Status GetProvider(grpc::ServerContext* context, const v1::GetProviderRequest* request,
                           v1::ProviderInfo* response) override;
  grpc::Status RemoveProvider(grpc::ServerContext* context,
                              const v1::RemoveProviderRequest* request,
                              v1::RemoveProviderResponse* response) override;
  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* context,
                                       const v1::ListModelsRequest* request,
                                       v1::ListModelsResponse* response) override;

 private:
  config::ConfigStore* config_;
  http::HttpPool* pool_;
  const PeerRegistry* peers_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_PROVIDER_SERVICE_H_
