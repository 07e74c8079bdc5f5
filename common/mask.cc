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

std::string MaskUrl(absl::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) return std::string(url);
  size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  absl::string_view authority = url.substr(start, end == absl::string_view::npos ? end : end - start);
  size_t at = authority.rfind('@');
  if (at == absl::string_view::npos) return std::string(url);
  absl::string_view userinfo = authority.substr(0, at);
  size_t colon = userinfo.find(':');
  std::string masked = colon == absl::string_view::npos
                           ? "****"
                           : absl::StrCat(userinfo.substr(0, colon), ":****");
  return absl::StrCat(url.substr(0, start), masked, url.substr(start + at));
}

}  // namespace aix
