#include "daemon/services/provider_service.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/mask.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"
#include "daemon/config/settings.h"
#include "common/grpc_status.h"
#include "common/redact.h"
#include "daemon/http/collect.h"
#include "daemon/providers/provider.h"
#include "daemon/runs/plan.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

using Json = nlohmann::json;

absl::Status Describe(const std::string& name, const Json& doc, v1::ProviderInfo* out) {
  AIX_ASSIGN_OR_RETURN(providers::Endpoint e, providers::ResolveEndpoint(name, doc));
  out->set_name(name);
  out->set_custom(registry::CustomName(name).has_value());
  out->set_base_url(MaskUrl(e.base_url));
  out->set_chat_url(MaskUrl(e.chat_url));
  out->set_default_model(e.default_model);
  out->set_auth_type(providers::AuthTypeName(e.auth));
  for (const std::string& h : e.headers) {
    size_t colon = h.find(':');
    std::string value = h.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    // Built-in headers are public; a custom header may carry a credential.
    (*out->mutable_headers())[h.substr(0, colon)] = out->custom() ? MaskSecret(value) : value;
  }
  out->set_env_var(e.env_var);
  if (doc.contains("api_keys") && doc["api_keys"].contains(name)) {
    out->set_masked_key(MaskSecret(doc["api_keys"][name].get<std::string>()));
  }
  out->set_is_default(doc.value("default_provider", registry::Default().name) == name);
  return absl::OkStatus();
}

}  // namespace

grpc::Status ProviderServiceImpl::AddProvider(grpc::ServerContext* context,
                                              const v1::AddProviderRequest* request,
                                              v1::ProviderInfo* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    providers::CustomProvider p;
    p.name = request->name();
    p.base_url = request->base_url();
    p.model = request->model();
    p.headers.insert(request->headers().begin(), request->headers().end());
    p.auth_type = request->auth_type();
    AIX_ASSIGN_OR_RETURN(Json def, providers::ValidateCustomProvider(p));
    AIX_RETURN_IF_ERROR(config_->AddCustomProvider(p.name, def));
    AIX_ASSIGN_OR_RETURN(Json doc, config_->Document());
    return Describe(registry::Custom(p.name), doc, response);
  });
}

grpc::Status ProviderServiceImpl::ListProviders(grpc::ServerContext* context,
                                                const v1::ListProvidersRequest*,
                                                v1::ListProvidersResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(Json doc, config_->Document());
    std::vector<std::string> names = config::BuiltinProviders();
    if (doc.contains("custom_providers")) {
      for (auto& item : doc["custom_providers"].items()) names.push_back(registry::Custom(item.key()));
    }
    for (const std::string& n : names) {
      AIX_RETURN_IF_ERROR(Describe(n, doc, response->add_providers()));
    }
    return absl::OkStatus();
  });
}

grpc::Status ProviderServiceImpl::GetProvider(grpc::ServerContext* context,
                                              const v1::GetProviderRequest* request,
                                              v1::ProviderInfo* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(Json doc, config_->Document());
    auto name = config::CanonicalProvider(request->name(), doc);
    if (!name.ok()) return absl::NotFoundError(name.status().message());
    return Describe(*name, doc, response);
  });
}

grpc::Status ProviderServiceImpl::RemoveProvider(grpc::ServerContext* context,
                                                 const v1::RemoveProviderRequest* request,
                                                 v1::RemoveProviderResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    std::string name = request->name();
    if (auto custom = registry::CustomName(name)) name = std::string(*custom);
    bool removed_key = false;
    AIX_RETURN_IF_ERROR(config_->RemoveCustomProvider(name, &removed_key));
    response->set_removed_key(removed_key);
    return absl::OkStatus();
  });
}

namespace {

// ModelsReactor finishes one ListModels call when its transfer ends, and
// cancels the transfer when the caller goes away first.
class ModelsReactor : public grpc::ServerUnaryReactor {
 public:
  explicit ModelsReactor(http::HttpPool* pool) : pool_(pool) {
    // gRPC may call OnDone on another thread, ordered only inside the
    // uninstrumented libgrpc++: taking the mutex here and in Unref makes
    // that order visible (ThreadSanitizer saw the count's first write race).
    std::lock_guard<std::mutex> lock(mu_);
    refs_ = 1;
  }

  // Fetch starts the transfer. The call may finish (and gRPC call OnDone)
  // before Fetch returns, so Fetch holds a reference of its own.
  // `key` is the key the request carries: the provider's answer is
  // scrubbed of it (common/redact.h).
  void Fetch(http::HttpRequest request, providers::Endpoint endpoint, const std::string& key,
             v1::ListModelsResponse* response) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++refs_;
    }
    auto redactor = std::make_shared<Redactor>();
    redactor->Add(key);
    const uint64_t id = http::Collect(
        pool_, std::move(request),
        [this, endpoint, response, redactor](absl::StatusOr<http::HttpResponse> r) {
          absl::Status s = Catching([&] { return Interpret(endpoint, std::move(r), response); });
          Finish(ToGrpcStatus(absl::Status(s.code(), redactor->Scrub(s.message()))));
        });
    bool cancel_now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      transfer_ = id;
      cancel_now = cancelled_;
    }
    if (cancel_now) pool_->Cancel(id);
    Unref();
  }

  void OnCancel() override {
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
      id = transfer_;
    }
    if (id != 0) pool_->Cancel(id);
  }

  void OnDone() override { Unref(); }

 private:
  static absl::Status Interpret(const providers::Endpoint& e,
                                absl::StatusOr<http::HttpResponse> r,
                                v1::ListModelsResponse* response) {
    if (!r.ok()) return providers::TransportError(e, r.status());
    if (r->head.status < 200 || r->head.status >= 300) {
      return providers::HttpError(e, "", r->head.status, r->body, r->head.RetryAfterSeconds());
    }
    AIX_ASSIGN_OR_RETURN(auto models, providers::ParseModels(r->body));
    for (const auto& m : models) response->add_models(m);
    return absl::OkStatus();
  }

  void Unref() {
    bool last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last = --refs_ == 0;
    }
    if (last) delete this;
  }

  http::HttpPool* const pool_;
  int refs_ = 0;  // guarded by mu_; gRPC's (until OnDone), plus Fetch's while it runs
  std::mutex mu_;
  uint64_t transfer_ = 0;   // guarded by mu_
  bool cancelled_ = false;  // guarded by mu_
};

}  // namespace

grpc::ServerUnaryReactor* ProviderServiceImpl::ListModels(grpc::CallbackServerContext* context,
                                                          const v1::ListModelsRequest* request,
                                                          v1::ListModelsResponse* response) {
  auto* reactor = new ModelsReactor(pool_);
  std::string key_sent;
  http::HttpRequest req;
  providers::Endpoint e;
  const absl::Status checked = Checked(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(Json doc, config_->Document());
    std::string requested = request->provider().empty()
                                ? doc.value("default_provider", registry::Default().name)
                                : request->provider();
    AIX_ASSIGN_OR_RETURN(std::string name, config::CanonicalProvider(requested, doc));
    AIX_ASSIGN_OR_RETURN(e, providers::ResolveEndpoint(name, doc));
    auto env = request->api_keys().find(name);
    providers::KeyChoice key = providers::ChooseKey(
        e, env == request->api_keys().end() ? nullptr : &env->second, doc);
    req = providers::BuildModelsRequest(e, key.key);
    key_sent = key.key;
    config::RunSettings settings = config::ReadRunSettings(doc);
    req.ca_bundle = settings.ca_bundle;
    req.limits = runs::LimitsFor(settings);
    // A listing is small; a larger one is not what we asked for.
    req.limits.max_body_bytes = std::min<int64_t>(req.limits.max_body_bytes, 16 << 20);
    return absl::OkStatus();
  });
  if (!checked.ok()) {
    reactor->Finish(ToGrpcStatus(checked));
    return reactor;
  }
  reactor->Fetch(std::move(req), std::move(e), key_sent, response);
  return reactor;
}

}  // namespace aix
