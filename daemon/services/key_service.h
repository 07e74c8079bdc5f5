// KeyService (aix.v1) over a ConfigStore. Keys go in; only masks come out.
#ifndef AIX_DAEMON_SERVICES_KEY_SERVICE_H_
#define AIX_DAEMON_SERVICES_KEY_SERVICE_H_

#include "aix/v1/keys.grpc.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class KeyServiceImpl final : public v1::KeyService::Service {
 public:
  // Both must outlive the service.
  KeyServiceImpl(config::ConfigStore* store, const PeerRegistry* peers)
      : store_(store), peers_(peers) {}

  grpc::Status SetKey(grpc::ServerContext* context, const v1::SetKeyRequest* request,
                      v1::KeyInfo* response) override;
  grpc::Status DeleteKey(grpc::ServerContext* context,
                         const v1::DeleteKeyRequest* request,
                         v1::DeleteKeyResponse* response) override;
  grpc::Status ListKeys(grpc::ServerContext* context,
                        const v1::ListKeysRequest* request,
                        v1::ListKeysResponse* response) override;

 private:
  config::ConfigStore* store_;
  const PeerRegistry* peers_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_KEY_SERVICE_H_
