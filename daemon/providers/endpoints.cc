// Where each provider lives and how it authenticates.
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/provider.h"

namespace aix::providers {
namespace {

std::string Setting(const Json& config, const char* key, const char* fallback) {
  auto it = config.find(key);
  if (it != config.end() && it->is_string() && !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  return fallback;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

absl::StatusOr<Endpoint> ResolveEndpoint(const std::string& provider, const Json& config) {
  Endpoint e;
  e.provider = provider;
  if (const registry::BuiltinProvider* b = registry::Find(provider)) {
    e.wire = b->wire;
    e.base_url = TrimSlash(Setting(config, b->base_url_setting, b->base_url));
    e.default_model = b->default_model;
    e.env_var = b->key_variable;
    e.auth = b->auth;
    e.headers = b->headers;
  } else if (std::optional<absl::string_view> custom = registry::CustomName(provider)) {
    std::string name(*custom);
    auto all = config.find("custom_providers");
    if (all == config.end() || !all->is_object() || !all->contains(name)) {
      return absl::NotFoundError(absl::StrCat(
          "no custom provider named '", name, "'; add it with: aix provider add ", name,
          " BASE_URL --model MODEL"));
    }
    // The configuration was validated on load (config::ValidateDocument);
    // these reads still tolerate anything.
    const Json* c = Field(*all, name);
    e.base_url = TrimSlash(StringField(c, "base_url").value_or(""));
    e.default_model = StringField(c, "model").value_or("");
    std::string auth = StringField(c, "auth_type").value_or("bearer");
    e.auth = auth == "none" ? Auth::kNone : auth == "api-key" ? Auth::kApiKeyHeader : Auth::kBearer;
    if (const Json* headers = ObjectField(c, "headers")) {
      for (auto& [k, v] : headers->items()) {
        if (v.is_string()) e.headers.push_back(absl::StrCat(k, ": ", v.get<std::string>()));
      }
    }
    // A local server (Ollama, vLLM) usually needs no key; send one if stored.
    e.needs_key = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown provider '", provider, "'; use ", registry::Choices()));
  }
  e.chat_url = e.base_url + (e.wire == Wire::kAnthropic ? "/messages" : "/chat/completions");
  return e;
}

KeyChoice ChooseKey(const Endpoint& e, const std::string* env_key, const Json& config) {
  KeyChoice c;
  if (env_key != nullptr && !env_key->empty()) {
    c.key = *env_key;
    c.source = absl::StrCat("environment (", e.env_var, ")");
    return c;
  }
  auto keys = config.find("api_keys");
  if (keys != config.end() && keys->is_object() && keys->contains(e.provider) &&
      (*keys)[e.provider].is_string()) {
    c.key = (*keys)[e.provider].get<std::string>();
    c.source = absl::StrCat("config (api_keys.", e.provider, ")");
  }
  return c;
}

}  // namespace aix::providers
