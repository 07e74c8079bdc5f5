// ConfigService (aix.v1) over a ConfigStore.
#ifndef AIX_DAEMON_SERVICES_CONFIG_SERVICE_H_
#define AIX_DAEMON_SERVICES_CONFIG_SERVICE_H_

#include <functional>

#include "aix/v1/config.grpc.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class ConfigServiceImpl final : public v1::ConfigService::Service {
 public:
  // Both must outlive the service. `applied` runs after every change that
  // was stored, with the setting's key ("" for a reset); its error (a
  // setting stored but not in effect, such as an http_listen port in use)
  // is the call's.
  using AppliedFn = std::function<absl::Status(const std::string& key)>;
  ConfigServiceImpl(config::ConfigStore* store, const PeerRegistry* peers,
                    AppliedFn applied = nullptr)
      : store_(store), peers_(peers), applied_(std::move(applied)) {}

  grpc::Status ListSettings(grpc::ServerContext* context,
                            const v1::ListSettingsRequest* request,
                            v1::ListSettingsResponse* response) override;
  grpc::Status GetSetting(grpc::ServerContext* context,
                          const v1::GetSettingRequest* request,
                          v1::Setting* response) override;
  grpc::Status SetSetting(grpc::ServerContext* context,
                          const v1::SetSettingRequest* request,
                          v1::Setting* response) override;
  grpc::Status UnsetSetting(grpc::ServerContext* context,
                            const v1::UnsetSettingRequest* request,
                            v1::Setting* response) override;
  grpc::Status ResetConfig(grpc::ServerContext* context,
                           const v1::ResetConfigRequest* request,
                           v1::ListSettingsResponse* response) override;

 private:
  absl::Status FillList(v1::ListSettingsResponse* response);

  absl::Status Applied(const std::string& key) {
    return applied_ ? applied_(key) : absl::OkStatus();
  }

  config::ConfigStore* store_;
  const PeerRegistry* peers_;
  const AppliedFn applied_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_CONFIG_SERVICE_H_
