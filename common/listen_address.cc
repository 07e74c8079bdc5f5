#include "common/listen_address.h"

#include <arpa/inet.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace aix {
namespace {

constexpr absl::string_view kFix =
    "use 127.0.0.1:PORT or [::1]:PORT (e.g. aix config --set http_listen 127.0.0.1:8791)";

}  // namespace

std::string ListenAddress::Origin() const {
  return ipv6 ? absl::StrCat("http://[", host, "]:", port) : absl::StrCat("http://", host, ":", port);
}

std::string ListenAddress::Url() const { return absl::StrCat(Origin(), "/v1"); }

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("http_listen '", text, "' ", why, "; ", kFix));
  };
  ListenAddress out;
  absl::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return invalid("is not [HOST]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    out.ipv6 = true;
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) return invalid("has no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) return invalid("needs brackets around an IPv6 address");
  }
  int n = 0;
  if (!absl::SimpleAtoi(port, &n) || n < 1 || n > 65535 || port.front() == '+') {
    return invalid("has no valid port (1 to 65535)");
  }
  out.port = n;
  if (!out.ipv6 && host == "localhost") host = "127.0.0.1";
  std::string h(host);
  if (out.ipv6) {
    in6_addr a6;
    if (inet_pton(AF_INET6, h.c_str(), &a6) != 1) return invalid("is not an IPv6 address");
    if (!IN6_IS_ADDR_LOOPBACK(&a6)) return invalid("is not a loopback address; aixd listens on loopback only");
    out.host = "::1";
  } else {
    in_addr a4;
    if (inet_pton(AF_INET, h.c_str(), &a4) != 1) {
      return invalid("is not an IPv4 address (a host name other than localhost is not accepted)");
    }
    if ((ntohl(a4.s_addr) >> 24) != 127) {
      return invalid("is not a loopback address; aixd listens on loopback only");
    }
    out.host = h;
  }
  return out;
}

}  // namespace aix
