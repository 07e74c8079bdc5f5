// Masking of secrets for display. Every place that shows an API key uses
// MaskSecret; nothing else formats a key.
#ifndef AIX_COMMON_MASK_H_
#define AIX_COMMON_MASK_H_

#include <string>

#include "absl/strings/string_view.h"

namespace aix {

// MaskSecret returns a form of `secret` safe to print: the first 3 and last
// 4 characters around an ellipsis ("sk-…WXYZ") for keys of 12 characters or
// more, only the last 2 for shorter ones ("…yz"), and "…" for keys shorter
// than 6, so a short key is never mostly revealed.
std::string MaskSecret(absl::string_view secret);

}  // namespace aix

#endif  // AIX_COMMON_MASK_H_
