// StoreKey reads a provider's key (hidden on a terminal, one line from a
// pipe) and stores it through aixd: `aix api-key`, and a run on a terminal
// that found no key.
#ifndef AIX_CLIENT_COMMANDS_STORE_KEY_H_
#define AIX_CLIENT_COMMANDS_STORE_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "aix/v1/keys.pb.h"

namespace aix {

// StoreKey returns what aixd stored: the canonical provider, the key masked.
absl::StatusOr<v1::KeyInfo> StoreKey(const std::string& provider);

}  // namespace aix

#endif  // AIX_CLIENT_COMMANDS_STORE_KEY_H_
