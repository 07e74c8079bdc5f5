// The web page's HTTP side that is not the API: its files (GET /ui,
// /ui/assets/...), the sign-in link (GET /ui/signin?code=...) and the
// headers every answer under /ui carries — a strict Content-Security-Policy
// (aixd's own scripts and styles only, no inline script, no framing), no
// MIME sniffing, no referrer (a sign-in URL must not travel), no caching
// of anything but the files.
#ifndef AIX_DAEMON_ENDPOINT_WEB_EXCHANGE_H_
#define AIX_DAEMON_ENDPOINT_WEB_EXCHANGE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "daemon/endpoint/exchange.h"
#include "daemon/web/sign_in.h"

namespace aix::endpoint {

// RespondWebJson queues a JSON answer of the page's API.
MHD_Result RespondWebJson(MHD_Connection* c, int status, const std::string& body);

// RespondSignInPage queues the page that says how to sign in, with
// `status` and `message` (text, never markup).
MHD_Result RespondSignInPage(MHD_Connection* c, int status, absl::string_view message);

// AssetExchange serves the page and its files.
class AssetExchange final : public Exchange {
 public:
  using Exchange::Exchange;
  MHD_Result Continue(const char* upload, size_t* upload_size) override;

 private:
  bool responded_ = false;
};

// SignInExchange spends the link's code for a session cookie and sends the
// browser on to the page, so the code leaves the address bar at once.
class SignInExchange final : public Exchange {
 public:
  SignInExchange(const ExchangeStart& start, web::SignIn* sign_in)
      : Exchange(start), sign_in_(sign_in) {}
  MHD_Result Continue(const char* upload, size_t* upload_size) override;

 private:
  web::SignIn* const sign_in_;
  bool responded_ = false;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_WEB_EXCHANGE_H_
