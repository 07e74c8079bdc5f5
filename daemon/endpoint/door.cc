#include "daemon/endpoint/door.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <exception>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/files.h"
#include "common/peer_cred.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/endpoint/respond.h"
#include "daemon/endpoint/web_exchange.h"
#include "daemon/server/log.h"
#include "daemon/web/gate.h"

namespace aix::endpoint {
namespace {

// Descriptors the doors never take: gRPC clients (aix itself), provider
// connections, the history and prompt files. A neighbour who fills the
// loopback port must not leave aixd without descriptors for its owner.
constexpr rlim_t kReservedDescriptors = 256;

// ConnectionLimit is how many connections a door takes at once: a share of
// the descriptors left after kReservedDescriptors (the loopback port, which
// other users can reach, a smaller one), well above 1,000 concurrent
// streams on the socket when descriptors allow.
unsigned ConnectionLimit(bool tcp) {
  rlimit rl{};
  rlim_t soft = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
  if (soft == RLIM_INFINITY) soft = 1 << 20;
  const rlim_t spare = soft > kReservedDescriptors + 64 ? soft - kReservedDescriptors : 64;
  const rlim_t share = tcp ? spare / 4 : spare / 2;
  const rlim_t most = tcp ? 1024 : 4096;
  return static_cast<unsigned>(std::max<rlim_t>(8, std::min(share, most)));
}

// Memory per connection for the request line, headers and buffers (MHD's
// default is 32 KiB). Bodies pass through in pieces, so this bounds
// headers only: 16 KiB is eight times what an SDK sends, and halves what
// a thousand open streams cost.
constexpr size_t kConnectionMemory = 16 << 10;

// Seconds an idle or stuck HTTP connection is kept. A connection waiting
// for the provider is suspended, and suspended connections do not time
// out (the run's own timeouts bound them).
constexpr unsigned kConnectionTimeout = 120;

// MHD's own messages, and exceptions caught at the callbacks: a peer can
// make them happen (malformed requests, a flood of connections), so at
// most one line per 10 s reaches the log.
LogLimiter door_log(absl::Seconds(10));

void OnLog(void* /*cls*/, const char* fmt, va_list ap) {
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  absl::string_view text(line);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  // A client that leaves mid-answer is not aixd's problem to report.
  if (absl::StrContains(text, "no longer available") ||
      absl::StrContains(text, "Connection reset") ||
      absl::StrContains(text, "detected connection closure")) {
    return;
  }
  door_log.Log(LogLevel::kWarning, absl::StrCat("http endpoint: ", text));
}

void LogCaught(const char* where, const char* what) {
  door_log.Log(LogLevel::kError,
               absl::StrCat("http endpoint: ", where, " failed (", what, "); connection closed"));
}

absl::string_view Header(MHD_Connection* conn, const char* name) {
  const char* v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
  return v != nullptr ? v : "";
}

int ConnectionFd(MHD_Connection* conn) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  return info != nullptr ? info->connect_fd : -1;
}

using Holder = std::shared_ptr<Exchange>;

}  // namespace

absl::StatusOr<std::unique_ptr<Door>> Door::Start(int fd, bool tcp, DoorParts parts) {
  std::unique_ptr<Door> door(new Door(tcp, parts));
  door->daemon_ = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG,
      0, nullptr, nullptr, &Door::OnRequest, door.get(), MHD_OPTION_EXTERNAL_LOGGER, &OnLog,
      nullptr, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, ConnectionLimit(tcp),
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory, MHD_OPTION_CONNECTION_TIMEOUT,
      kConnectionTimeout, MHD_OPTION_NOTIFY_COMPLETED, &Door::OnCompleted, door.get(),
      MHD_OPTION_NOTIFY_CONNECTION, &Door::OnConnection, door.get(), MHD_OPTION_END);
  if (door->daemon_ == nullptr) {
    close(fd);
    return absl::InternalError("the HTTP server (libmicrohttpd) did not start; see aixd's log");
  }
  return door;
}

Door::~Door() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

void Door::Quiesce() {
  if (quiesced_) return;
  quiesced_ = true;
  // MHD hands the listening socket back.
  MHD_socket fd = MHD_quiesce_daemon(daemon_);
  if (fd != MHD_INVALID_SOCKET) close(fd);
}

std::shared_ptr<Exchange> Door::Open(MHD_Connection* conn, const char* url, const char* method) {
  const ExchangeStart start{conn, url, ConnectionFd(conn), tcp_};
  auto refuse = [&](int status, absl::string_view message, absl::string_view code = "") {
    RespondErrorOn(conn, url, status, message, code);
    return std::make_shared<Answered>(start);
  };
  if (!tcp_) {
    absl::StatusOr<PeerCred> peer = PeerOf(start.fd);
    if (!peer.ok()) return refuse(403, "aixd cannot tell who is calling on its HTTP socket");
    if (!peer->IsSelf()) {
      return refuse(403, absl::StrCat("this aixd belongs to uid ", geteuid(), " and refuses uid ",
                                      peer->uid, "; run your own daemon"));
    }
  } else {
    // The token comes as OpenAI's SDKs send a key (Authorization: Bearer)
    // or as Anthropic's do (x-api-key).
    const char* auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char* api_key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "x-api-key");
    absl::string_view presented = auth != nullptr ? auth : "";
    const bool bearer = absl::ConsumePrefix(&presented, "Bearer ") && parts_.token->Matches(presented);
    const bool token_ok = bearer || (api_key != nullptr && parts_.token->Matches(api_key));
    if (web::WebPath(url)) {
      absl::Status admitted = web::Admit(
          web::WebRequest{method, url, Header(conn, "Host"), Header(conn, "Origin"),
                          Header(conn, "Cookie"), token_ok},
          parts_.sign_in, absl::Now());
      if (!admitted.ok()) {
        const int status = absl::IsUnauthenticated(admitted) ? 401 : 403;
        if (absl::StartsWith(url, "/ui/api/")) {
          RespondWebJson(conn, status, ErrorJson(status, admitted.message()));
        } else {
          RespondSignInPage(conn, status, admitted.message());
        }
        return std::make_shared<Answered>(start);
      }
    } else if (!token_ok) {
      return refuse(401,
                    "missing or wrong token; send Authorization: Bearer TOKEN, or x-api-key: "
                    "TOKEN (print it with: aix endpoint token)",
                    "invalid_api_key");
    }
  }
  absl::StatusOr<const MakeExchange*> route = parts_.routes->Find(method, url);
  if (!route.ok()) {
    const bool unknown = absl::IsNotFound(route.status());
    return refuse(unknown ? 404 : 405, route.status().message(), unknown ? "unknown_url" : "");
  }
  return (**route)(start);
}

MHD_Result Door::OnRequest(void* cls, MHD_Connection* conn, const char* url, const char* method,
                           const char* /*version*/, const char* upload, size_t* upload_size,
                           void** con_cls) {
  Door* door = static_cast<Door*>(cls);
  try {
    auto* holder = static_cast<Holder*>(*con_cls);
    if (holder == nullptr) {
      door->parts_.connections->HeadersSeen(conn);
      // The holder is set before the exchange may throw, so OnCompleted
      // always finds and frees it.
      *con_cls = holder = new Holder();
      *holder = door->Open(conn, url, method);
      door->parts_.live->Add(*holder);
      // The first call is for the headers; the body (if any) comes next.
      return MHD_YES;
    }
    if (*holder == nullptr) return MHD_NO;  // its exchange was never made
    return (*holder)->Continue(upload, upload_size);
  } catch (const std::exception& e) {
    LogCaught("a request", e.what());
  } catch (...) {
    LogCaught("a request", "unknown exception");
  }
  return MHD_NO;  // MHD closes the connection
}

void Door::OnCompleted(void* /*cls*/, MHD_Connection* /*conn*/, void** con_cls,
                       MHD_RequestTerminationCode /*why*/) {
  auto* holder = static_cast<Holder*>(*con_cls);
  if (holder == nullptr) return;
  *con_cls = nullptr;
  try {
    if (*holder != nullptr) (*holder)->Closed();
  } catch (const std::exception& e) {
    LogCaught("closing a request", e.what());
  } catch (...) {
    LogCaught("closing a request", "unknown exception");
  }
  delete holder;
}

void Door::OnConnection(void* cls, MHD_Connection* conn, void** /*socket_context*/,
                        MHD_ConnectionNotificationCode code) {
  Connections* connections = static_cast<Door*>(cls)->parts_.connections;
  try {
    if (code == MHD_CONNECTION_NOTIFY_STARTED) connections->Opened(conn, ConnectionFd(conn));
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) connections->Closed(conn);
  } catch (const std::exception& e) {
    LogCaught("tracking a connection", e.what());
  } catch (...) {
    LogCaught("tracking a connection", "unknown exception");
  }
}

int BoundPort(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return 0;
  if (sa.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&sa)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&sa)->sin_port);
}

absl::StatusOr<int> BindTcp(const ListenAddress& a) {
  int fd = socket(a.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (a.ipv6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(static_cast<uint16_t>(a.port));
    inet_pton(AF_INET6, a.host.c_str(), &sa.sin6_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(a.port));
    inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }
  if (rc != 0 || listen(fd, SOMAXCONN) != 0) {
    int err = errno;
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "aixd cannot listen on ", a.host, ":", a.port, ": ", strerror(err),
        "; choose another port: aix config --set http_listen 127.0.0.1:PORT"));
  }
  return fd;
}

}  // namespace aix::endpoint
