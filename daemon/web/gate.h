// Gate: who may use the web page, decided from a request's headers alone
// (pure; the door applies it to every /ui request on the loopback port).
//
// A local web server is reachable by every page the user's browser opens,
// so the rules are those of one: the Host must be a loopback name (a
// rebinding attacker's page arrives under its own name); a request that
// changes anything must come from the page itself (its Origin is the
// Host it was sent to); and a request must belong to a signed-in session
// (its cookie) or carry the endpoint's bearer token (programs).
#ifndef AIX_DAEMON_WEB_GATE_H_
#define AIX_DAEMON_WEB_GATE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/web/sign_in.h"

namespace aix::web {

inline constexpr char kSessionCookie[] = "aix_session";

// WebPath: a path of the page (/ui, /ui/...).
bool WebPath(absl::string_view path);

// Headers absent are empty.
struct WebRequest {
  absl::string_view method;
  absl::string_view path;
  absl::string_view host;
  absl::string_view origin;
  absl::string_view cookie;  // the Cookie header
  bool token_ok = false;     // it carries the endpoint's bearer token
};

// Admit: OK, PermissionDenied (403: a foreign Host or Origin) or
// Unauthenticated (401: not signed in; the page is the sign-in page). The
// message names the fix.
absl::Status Admit(const WebRequest& request, SignIn* sign_in, absl::Time now);

// CookieValue is the value of cookie `name` in a Cookie header ("" if none).
absl::string_view CookieValue(absl::string_view header, absl::string_view name);

}  // namespace aix::web

#endif  // AIX_DAEMON_WEB_GATE_H_
