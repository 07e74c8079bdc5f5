// ListenAddress: the loopback address the HTTP endpoint may listen on
// (the http_listen setting). Only loopback literals are accepted, so a
// typo cannot put the endpoint, and the keys behind it, on the network.
#ifndef AIX_COMMON_LISTEN_ADDRESS_H_
#define AIX_COMMON_LISTEN_ADDRESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aix {

struct ListenAddress {
  std::string host;  // "127.0.0.1" (any 127.x.y.z) or "::1"
  int port = 0;      // 1..65535
  bool ipv6 = false;

  // Url is the endpoint's base URL: http://127.0.0.1:8791/v1.
  std::string Url() const;
  // Origin is the address as a web origin: http://127.0.0.1:8791.
  std::string Origin() const;
};

// ParseListenAddress reads "127.0.0.1:PORT", "[::1]:PORT" or
// "localhost:PORT" (meaning 127.0.0.1). InvalidArgument names the problem
// and the fix; any other host is refused as not loopback.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text);

}  // namespace aix

#endif  // AIX_COMMON_LISTEN_ADDRESS_H_
