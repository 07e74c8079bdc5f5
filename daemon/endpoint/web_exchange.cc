#include "daemon/endpoint/web_exchange.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "daemon/web/assets.h"
#include "daemon/web/gate.h"

namespace aix::endpoint {
namespace {

constexpr char kPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

void AddWebHeaders(MHD_Response* r, const char* type, bool cache) {
  // The page itself is asked for afresh each time, so a new aixd's page
  // is never mixed with an old one's scripts for long.
  cache = cache && !absl::StartsWith(type, "text/html");
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Content-Security-Policy", kPolicy);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
  MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
  // The files change only with aixd; everything else is the user's data.
  MHD_add_response_header(r, "Cache-Control", cache ? "private, max-age=300" : "no-store");
}

// Queue sends `body`, which must outlive the response when `persistent`
// (the compiled-in files), and is copied otherwise.
MHD_Result Queue(MHD_Connection* c, int status, absl::string_view body, const char* type,
                 bool persistent, const char* cookie = nullptr, const char* location = nullptr) {
  MHD_Response* r = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()),
      persistent ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
  if (r == nullptr) return MHD_NO;
  AddWebHeaders(r, type, persistent);
  if (cookie != nullptr) MHD_add_response_header(r, "Set-Cookie", cookie);
  if (location != nullptr) MHD_add_response_header(r, "Location", location);
  if (status == 401 || status == 403) MHD_add_response_header(r, "Connection", "close");
  MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(status), r);
  MHD_destroy_response(r);
  return ok;
}

std::string HtmlText(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

}  // namespace

MHD_Result RespondWebJson(MHD_Connection* c, int status, const std::string& body) {
  return Queue(c, status, body, "application/json", /*persistent=*/false);
}

MHD_Result RespondSignInPage(MHD_Connection* c, int status, absl::string_view message) {
  const web::Asset* page = web::FindAsset("/ui/assets/signin.html");
  if (page == nullptr) return Queue(c, status, message, "text/plain; charset=utf-8", false);
  const std::string html =
      absl::StrReplaceAll(page->data, {{"{{message}}", HtmlText(message)}});
  return Queue(c, status, html, page->type, /*persistent=*/false);
}

MHD_Result AssetExchange::Continue(const char* /*upload*/, size_t* upload_size) {
  *upload_size = 0;
  if (responded_) return MHD_YES;
  responded_ = true;
  const web::Asset* a = web::FindAsset(path());
  if (a == nullptr) {
    return Queue(conn(), 404, "no such file in aix's page", "text/plain; charset=utf-8", false);
  }
  return Queue(conn(), 200, a->data, a->type, /*persistent=*/true);
}

MHD_Result SignInExchange::Continue(const char* /*upload*/, size_t* upload_size) {
  *upload_size = 0;
  if (responded_) return MHD_YES;
  responded_ = true;
  const char* code = MHD_lookup_connection_value(conn(), MHD_GET_ARGUMENT_KIND, "code");
  auto session = sign_in_->Redeem(code != nullptr ? code : "", absl::Now());
  if (!session.ok()) return RespondSignInPage(conn(), 403, session.status().message());
  // HttpOnly: no script reads it; SameSite=Strict: no other site's page
  // sends it; Path=/ui: nothing else on the port receives it. It lasts
  // as long as the browser (the session itself ends after 12 idle hours).
  const std::string cookie = absl::StrCat(web::kSessionCookie, "=", *session,
                                          "; Path=/ui; HttpOnly; SameSite=Strict");
  return Queue(conn(), 303, "", "text/plain; charset=utf-8", false, cookie.c_str(), "/ui/");
}

}  // namespace aix::endpoint
