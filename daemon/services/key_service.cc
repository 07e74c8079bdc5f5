#include "daemon/services/key_service.h"

#include "common/status_macros.h"
#include "daemon/services/guarded.h"

namespace aix {

grpc::Status KeyServiceImpl::SetKey(grpc::ServerContext* context,
                                    const v1::SetKeyRequest* request,
                                    v1::KeyInfo* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto k, store_->SetKey(request->provider(), request->key()));
    response->set_provider(k.provider);
    response->set_masked(k.masked);
    return absl::OkStatus();
  });
}

grpc::Status KeyServiceImpl::DeleteKey(grpc::ServerContext* context,
                                       const v1::DeleteKeyRequest* request,
                                       v1::DeleteKeyResponse*) {
  return Guarded(*peers_, context,
                 [&] { return store_->DeleteKey(request->provider()); });
}

grpc::Status KeyServiceImpl::ListKeys(grpc::ServerContext* context,
                                      const v1::ListKeysRequest*,
                                      v1::ListKeysResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto keys, store_->ListKeys());
    for (const auto& k : keys) {
      v1::KeyInfo* info = response->add_keys();
      info->set_provider(k.provider);
      info->set_masked(k.masked);
    }
    return absl::OkStatus();
  });
}

}  // namespace aix
