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

// MaskUrl hides the credentials a URL may carry in its userinfo:
// "http://user:pass@host/v1" becomes "http://user:****@host/v1", and a
// userinfo without a password (often a token) becomes "****". Other URLs
// come back unchanged.
std::string MaskUrl(absl::string_view url);

}  // namespace aix

#endif  // AIX_COMMON_MASK_H_
