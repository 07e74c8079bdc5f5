// Where each provider lives and how it authenticates.
#include "absl/strings/match.h"
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
  if (provider == "openrouter") {
    e.base_url = TrimSlash(Setting(config, "openrouter_base_url", "https://openrouter.ai/api/v1"));
    e.default_model = "meta-llama/llama-3.2-3b-instruct:free";
    e.env_var = "OPENROUTER_API_KEY";
    // OpenRouter's optional attribution headers.
    e.headers = {"HTTP-Referer: https://github.com/aix-cli/aix", "X-Title: aix"};
  } else if (provider == "openai") {
    e.base_url = TrimSlash(Setting(config, "openai_base_url", "https://api.openai.com/v1"));
    e.default_model = "gpt-3.5-turbo";
    e.env_var = "OPENAI_API_KEY";
  } else if (provider == "anthropic") {
    e.wire = Wire::kAnthropic;
    e.base_url = TrimSlash(Setting(config, "anthropic_base_url", "https://api.anthropic.com/v1"));
    e.default_model = "claude-3-haiku-20240307";
    e.env_var = "ANTHROPIC_API_KEY";
    e.auth = Auth::kApiKeyHeader;
    e.headers = {"anthropic-version: 2023-06-01"};
  } else if (absl::StartsWith(provider, "custom:")) {
    std::string name = provider.substr(7);
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
        "unknown provider '", provider, "'; use openrouter, openai, anthropic or custom:NAME"));
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
