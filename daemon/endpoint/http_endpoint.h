// HttpEndpoint: aixd's OpenAI-compatible HTTP API (POST /v1/chat/completions,
// GET /v1/models) for the SDKs and tools that take a base URL.
//
// A front door, not a second engine: a chat request becomes a
// RunService.Run call over aixd's in-process gRPC channel, so keys, the
// pool, retries, fallbacks, timeouts, cancellation and the run history are
// exactly those of `aix run`.
//
// The parts: a Door per listening socket (door.h: admission, limits, MHD),
// the Routes it serves (routes.h), an Exchange per request (chat_exchange.h,
// models_exchange.h), and this class, which owns them and their lifecycle.
// Doors: the Unix socket (always; the peer's uid must be ours) and, when
// http_listen is set (or `aix ui` asked for one), a loopback TCP port that
// wants the bearer token, or for the web page a signed-in browser.
#ifndef AIX_DAEMON_ENDPOINT_HTTP_ENDPOINT_H_
#define AIX_DAEMON_ENDPOINT_HTTP_ENDPOINT_H_

#include <memory>
#include <optional>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/listen_address.h"
#include "daemon/endpoint/token_store.h"
#include "daemon/web/sign_in.h"

namespace aix::mcp {
class Hub;
}  // namespace aix::mcp

namespace aix::endpoint {

class HttpEndpoint {
 public:
  // `token` must outlive the endpoint; `channel` is aixd's in-process one,
  // and `secret` the in-process header's value (PeerRegistry).
  // `mcp` serves POST /mcp, and `sign_in` keeps the web page's sessions;
  // both must outlive the endpoint.
  HttpEndpoint(std::shared_ptr<grpc::Channel> channel, std::string secret, TokenStore* token,
               mcp::Hub* mcp, web::SignIn* sign_in);
  ~HttpEndpoint();  // Shutdown(0)

  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // ServeUnix serves the listening Unix socket `fd` (taken over).
  absl::Status ServeUnix(int fd, const std::string& path);

  // Listen makes the TCP door match `address`: started, moved, or (nullopt)
  // stopped. Unchanged: nothing happens. On error the previous state stays.
  // Port 0 picks a free port; the address returned is the one served.
  absl::StatusOr<std::optional<ListenAddress>> Listen(const std::optional<ListenAddress>& address);

  // Where clients find the doors ("" when closed).
  std::string socket_path() const;
  std::string url() const;

  // Shutdown stops accepting, lets streams in flight finish for up to
  // `grace`, then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_HTTP_ENDPOINT_H_
