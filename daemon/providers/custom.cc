// Validation of custom providers, and the models listing.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/config/settings.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/provider.h"

namespace aix::providers {

std::string AuthTypeName(Auth auth) {
  return auth == Auth::kBearer ? "bearer" : auth == Auth::kApiKeyHeader ? "api-key" : "none";
}

absl::StatusOr<Json> ValidateCustomProvider(const CustomProvider& p) {
  Json headers = Json::object();
  for (const auto& [k, v] : p.headers) headers[k] = v;
  Json def = {{"base_url", p.base_url},
              {"auth_type", p.auth_type.empty() ? "bearer" : p.auth_type},
              {"headers", headers}};
  if (!p.model.empty()) def["model"] = p.model;
  // One rule for `aix provider add` and for a hand-edited config.json.
  AIX_RETURN_IF_ERROR(config::CheckCustomProvider(p.name, def));
  return def;
}

http::HttpRequest BuildModelsRequest(const Endpoint& e, const std::string& key) {
  http::HttpRequest r = BaseRequest(e, key);
  r.method = "GET";
  r.url = e.base_url + "/models";
  return r;
}

absl::StatusOr<std::vector<std::string>> ParseModels(absl::string_view body) {
  std::optional<Json> j = ParseUntrusted(body);
  const Json* data = j ? ArrayField(&*j, "data") : nullptr;
  if (data == nullptr) {
    return absl::AbortedError(absl::StrCat("the provider's model list is not in the expected "
                                           "form ({\"data\": [{\"id\": ...}]}): ",
                                           PrintableExcerpt(body, 120)));
  }
  std::vector<std::string> out;
  for (const Json& m : *data) {
    if (auto id = StringField(&m, "id")) out.push_back(PrintableExcerpt(*id, 200));
  }
  return out;
}

}  // namespace aix::providers
