#include "daemon/web/gate.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/text.h"
#include "daemon/endpoint/mcp_http.h"

namespace aix::web {

bool WebPath(absl::string_view path) { return path == "/ui" || absl::StartsWith(path, "/ui/"); }

absl::string_view CookieValue(absl::string_view header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripLeadingAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return absl::StripTrailingAsciiWhitespace(part);
    }
  }
  return "";
}

absl::Status Admit(const WebRequest& r, SignIn* sign_in, absl::Time now) {
  if (!endpoint::LoopbackHost(r.host)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "Host ", PrintableExcerpt(r.host, 100),
        " is not this machine's loopback address, so the request is refused (it may be a "
        "DNS-rebinding page); open the page with `aix ui`"));
  }
  const bool reads = r.method == "GET" || r.method == "HEAD";
  if (!reads && (r.origin.empty() || r.origin != absl::StrCat("http://", r.host))) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a ", PrintableExcerpt(r.method, 16), " from origin ",
        r.origin.empty() ? "(none)" : PrintableExcerpt(r.origin, 100),
        " is refused: only aix's own page, at http://", PrintableExcerpt(r.host, 100),
        ", may change anything"));
  }
  // The sign-in link and the page's static files are the same for
  // everyone: they hold no secret.
  if (r.path == "/ui/signin" || absl::StartsWith(r.path, "/ui/assets/")) return absl::OkStatus();
  if (r.token_ok) return absl::OkStatus();
  if (sign_in->Valid(CookieValue(r.cookie, kSessionCookie), now)) return absl::OkStatus();
  return absl::UnauthenticatedError(
      "not signed in: run `aix ui` in a terminal, and it opens this page signed in");
}

}  // namespace aix::web
