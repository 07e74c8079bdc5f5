#include "common/mask.h"

#include "absl/strings/str_cat.h"

namespace aix {

std::string MaskSecret(absl::string_view secret) {
  constexpr absl::string_view kEllipsis = "\xE2\x80\xA6";  // "…"
  if (secret.size() >= 12) {
    return absl::StrCat(secret.substr(0, 3), kEllipsis,
                        secret.substr(secret.size() - 4));
  }
  if (secret.size() >= 6) {
    return absl::StrCat(kEllipsis, secret.substr(secret.size() - 2));
  }
  return std::string(kEllipsis);
}

}  // namespace aix
