// Small tools for secrets: random bytes from the kernel, and comparison
// that takes the same time wherever the first difference is (so a caller
// cannot find a token byte by byte by timing refusals).
#ifndef AIX_COMMON_SECRETS_H_
#define AIX_COMMON_SECRETS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aix {

// RandomBytes returns `n` bytes from getrandom(2).
absl::StatusOr<std::string> RandomBytes(size_t n);

// SecretEquals compares in time that depends only on the lengths.
bool SecretEquals(absl::string_view a, absl::string_view b);

}  // namespace aix

#endif  // AIX_COMMON_SECRETS_H_
