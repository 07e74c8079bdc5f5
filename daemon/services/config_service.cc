#include "daemon/services/config_service.h"

#include "common/json_text.h"
#include "common/status_macros.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

void ToProto(const config::SettingView& v, v1::Setting* out) {
  out->set_key(v.key);
  out->set_is_set(v.is_set);
  out->set_is_default(v.is_default);
  out->set_secret(v.secret);
  out->set_description(v.description);
  if (v.is_set) {
    out->set_value(config::DisplayValue(v.value));
    out->set_value_json(JsonText(v.value));
  }
}

}  // namespace

absl::Status ConfigServiceImpl::FillList(v1::ListSettingsResponse* response) {
  AIX_ASSIGN_OR_RETURN(auto settings, store_->List());
  for (const auto& s : settings) ToProto(s, response->add_settings());
  response->set_config_path(store_->path());
  return absl::OkStatus();
}

grpc::Status ConfigServiceImpl::ListSettings(grpc::ServerContext* context,
                                             const v1::ListSettingsRequest*,
                                             v1::ListSettingsResponse* response) {
  return Guarded(*peers_, context, [&] { return FillList(response); });
}

grpc::Status ConfigServiceImpl::GetSetting(grpc::ServerContext* context,
                                           const v1::GetSettingRequest* request,
                                           v1::Setting* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto v, store_->Get(request->key()));
    ToProto(v, response);
    return absl::OkStatus();
  });
}

grpc::Status ConfigServiceImpl::SetSetting(grpc::ServerContext* context,
                                           const v1::SetSettingRequest* request,
                                           v1::Setting* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto v, store_->Set(request->key(), request->value()));
    ToProto(v, response);
    return Applied(request->key());
  });
}

grpc::Status ConfigServiceImpl::UnsetSetting(grpc::ServerContext* context,
                                             const v1::UnsetSettingRequest* request,
                                             v1::Setting* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(auto v, store_->Unset(request->key()));
    ToProto(v, response);
    return Applied(request->key());
  });
}

grpc::Status ConfigServiceImpl::ResetConfig(grpc::ServerContext* context,
                                            const v1::ResetConfigRequest*,
                                            v1::ListSettingsResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_RETURN_IF_ERROR(store_->Reset());
    AIX_RETURN_IF_ERROR(Applied(""));
    return FillList(response);
  });
}

}  // namespace aix
