#include "client/env_keys.h"

#include "common/paths.h"
#include "common/provider_registry.h"

namespace aix {

void AddEnvironmentKeys(google::protobuf::Map<std::string, std::string>* keys) {
  EnvLookup env = ProcessEnv();
  for (const registry::BuiltinProvider& p : registry::Builtins()) {
    if (auto key = env(p.key_variable)) (*keys)[p.name] = *key;
  }
}

}  // namespace aix
