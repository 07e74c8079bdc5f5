#include "client/env_keys.h"

#include "common/paths.h"

namespace aix {

void AddEnvironmentKeys(google::protobuf::Map<std::string, std::string>* keys) {
  static constexpr std::pair<const char*, const char*> kVars[] = {
      {"openrouter", "OPENROUTER_API_KEY"},
      {"openai", "OPENAI_API_KEY"},
      {"anthropic", "ANTHROPIC_API_KEY"},
  };
  EnvLookup env = ProcessEnv();
  for (const auto& [provider, var] : kVars) {
    if (auto key = env(var)) (*keys)[provider] = *key;
  }
}

}  // namespace aix
