#include "common/provider_registry.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace aix::registry {

const std::vector<BuiltinProvider>& Builtins() {
  static const auto* table = new std::vector<BuiltinProvider>{
      {"openrouter",
       "OpenRouter",
       Wire::kOpenAi,
       "https://openrouter.ai/api/v1",
       "openrouter_base_url",
       "meta-llama/llama-3.2-3b-instruct:free",
       "openrouter_default_model",
       "OPENROUTER_API_KEY",
       Auth::kBearer,
       // OpenRouter's optional attribution headers.
       {"HTTP-Referer: https://github.com/aix-cli/aix", "X-Title: aix"}},
      {"openai",
       "OpenAI",
       Wire::kOpenAi,
       "https://api.openai.com/v1",
       "openai_base_url",
       "gpt-3.5-turbo",
       "openai_default_model",
       "OPENAI_API_KEY",
       Auth::kBearer,
       {}},
      {"anthropic",
       "Anthropic",
       Wire::kAnthropic,
       "https://api.anthropic.com/v1",
       "anthropic_base_url",
       "claude-3-haiku-20240307",
       "anthropic_default_model",
       "ANTHROPIC_API_KEY",
       Auth::kApiKeyHeader,
       {"anthropic-version: 2023-06-01"}},
  };
  return *table;
}

const BuiltinProvider& Default() { return Builtins().front(); }

const BuiltinProvider* Find(absl::string_view name) {
  for (const BuiltinProvider& p : Builtins()) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::optional<absl::string_view> CustomName(absl::string_view provider) {
  if (!absl::ConsumePrefix(&provider, kCustomPrefix)) return std::nullopt;
  return provider;
}

std::string Custom(absl::string_view name) { return absl::StrCat(kCustomPrefix, name); }

bool IsValidCustomName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsProviderName(absl::string_view provider) {
  if (Find(provider) != nullptr) return true;
  std::optional<absl::string_view> custom = CustomName(provider);
  return custom && IsValidCustomName(*custom);
}

std::string Choices() {
  std::string out;
  for (const BuiltinProvider& p : Builtins()) absl::StrAppend(&out, p.name, ", ");
  return absl::StrCat(out.substr(0, out.size() - 2), " or ", kCustomPrefix, "NAME");
}

ProviderRef ParseRef(absl::string_view text) {
  ProviderRef ref;
  size_t slash = text.find('/');
  ref.provider = std::string(text.substr(0, slash));
  if (slash != absl::string_view::npos) ref.model = std::string(text.substr(slash + 1));
  return ref;
}

}  // namespace aix::registry
