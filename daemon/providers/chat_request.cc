// The parts of a provider request every dialect shares: the turns of a
// chat, and the headers that carry the endpoint's auth.
#include "daemon/providers/provider.h"

namespace aix::providers {

std::vector<Turn> TurnsOf(const ChatRequest& chat) {
  if (!chat.turns.empty()) return chat.turns;
  return {Turn{"user", chat.user}};
}

http::HttpRequest BaseRequest(const Endpoint& e, const std::string& key) {
  http::HttpRequest r;
  r.headers = e.headers;
  if (!key.empty()) {
    if (e.auth == Auth::kBearer) {
      r.headers.push_back("Authorization: Bearer " + key);
    } else if (e.auth == Auth::kApiKeyHeader) {
      r.headers.push_back((e.wire == Wire::kAnthropic ? "x-api-key: " : "api-key: ") + key);
    }
  }
  return r;
}

}  // namespace aix::providers
