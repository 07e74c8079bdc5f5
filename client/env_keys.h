// Provider keys from the client's environment (OPENAI_API_KEY, ...): sent
// with one request, never stored by aixd.
#ifndef AIX_CLIENT_ENV_KEYS_H_
#define AIX_CLIENT_ENV_KEYS_H_

#include <string>

#include <google/protobuf/map.h>

namespace aix {

// AddEnvironmentKeys puts each key found in the environment into `keys`,
// by built-in provider name (each one's key variable: provider_registry.h).
void AddEnvironmentKeys(google::protobuf::Map<std::string, std::string>* keys);

}  // namespace aix

#endif  // AIX_CLIENT_ENV_KEYS_H_
