#include "daemon/endpoint/mcp_http.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace aix::endpoint {

bool LoopbackHost(absl::string_view host) {
  for (absl::string_view name : {"localhost", "127.0.0.1", "[::1]"}) {
    absl::string_view rest = host;
    if (!absl::ConsumePrefix(&rest, name)) continue;
    if (rest.empty()) return true;
    uint32_t port = 0;
    if (absl::ConsumePrefix(&rest, ":") && absl::SimpleAtoi(rest, &port) && port > 0 && port < 65536 &&
        rest.find_first_not_of("0123456789") == absl::string_view::npos) {
      return true;
    }
  }
  return false;
}

bool LoopbackOrigin(absl::string_view origin) {
  absl::string_view rest = origin;
  if (!absl::ConsumePrefix(&rest, "http://") && !absl::ConsumePrefix(&rest, "https://")) return false;
  return LoopbackHost(rest);
}

bool AcceptsMcp(absl::string_view accept) {
  bool json = false, events = false;
  for (absl::string_view part : absl::StrSplit(accept, ',')) {
    absl::string_view type = absl::StripAsciiWhitespace(part.substr(0, part.find(';')));
    if (type == "*/*") return true;
    json |= absl::EqualsIgnoreCase(type, "application/json") || absl::EqualsIgnoreCase(type, "application/*");
    events |= absl::EqualsIgnoreCase(type, "text/event-stream") || absl::EqualsIgnoreCase(type, "text/*");
  }
  return json && events;
}

}  // namespace aix::endpoint
