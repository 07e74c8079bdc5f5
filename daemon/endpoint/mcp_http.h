// The Streamable HTTP transport's header rules (MCP 2025-11-25), pure:
// which Origin and Host values are this machine's (against DNS
// rebinding: a web page's script may reach the loopback port, but its
// Origin, or the Host its name resolved from, gives it away), and whether
// a client's Accept takes what the transport may answer.
#ifndef AIX_DAEMON_ENDPOINT_MCP_HTTP_H_
#define AIX_DAEMON_ENDPOINT_MCP_HTTP_H_

#include "absl/strings/string_view.h"

namespace aix::endpoint {

// LoopbackHost: "localhost", "127.0.0.1" or "[::1]", with or without a
// port.
bool LoopbackHost(absl::string_view host);

// LoopbackOrigin: an http(s) origin on a loopback host.
bool LoopbackOrigin(absl::string_view origin);

// AcceptsMcp: the Accept header takes both application/json and
// text/event-stream (or anything).
bool AcceptsMcp(absl::string_view accept);

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_MCP_HTTP_H_
