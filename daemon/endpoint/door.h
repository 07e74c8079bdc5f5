// Door: one listening socket of the HTTP endpoint, served by libmicrohttpd
// on one epoll thread. The door decides who may come in (on the Unix
// socket a peer running as aixd's uid, on the loopback port the bearer
// token, or for the web page under /ui a signed-in browser: web/gate.h), bounds what a connection may cost (how many at once, memory for
// headers, idle time, the header deadline), finds the route and hands the
// request to the exchange the route makes. Nothing a peer does reaches
// aixd's other parts as an exception: each MHD callback catches.
#ifndef AIX_DAEMON_ENDPOINT_DOOR_H_
#define AIX_DAEMON_ENDPOINT_DOOR_H_

#include <microhttpd.h>

#include <memory>

#include "absl/status/statusor.h"
#include "common/listen_address.h"
#include "daemon/endpoint/connections.h"
#include "daemon/endpoint/live_exchanges.h"
#include "daemon/endpoint/routes.h"
#include "daemon/endpoint/token_store.h"
#include "daemon/web/sign_in.h"

namespace aix::endpoint {

// What a door shares with the endpoint's other doors; all outlive it.
struct DoorParts {
  const Routes* routes = nullptr;
  TokenStore* token = nullptr;  // the TCP door's bearer token
  Connections* connections = nullptr;
  LiveExchanges* live = nullptr;
  web::SignIn* sign_in = nullptr;  // the web page's sessions (TCP door)
};

class Door {
 public:
  // Start serves the listening socket `fd` (taken over, closed on error).
  static absl::StatusOr<std::unique_ptr<Door>> Start(int fd, bool tcp, DoorParts parts);

  // Stops MHD: call only once none of the door's connections is suspended
  // (LiveExchanges::WaitRuns).
  ~Door();

  Door(const Door&) = delete;
  Door& operator=(const Door&) = delete;

  // Quiesce stops accepting; connections already in go on. Idempotent.
  void Quiesce();

  bool tcp() const { return tcp_; }

 private:
  Door(bool tcp, DoorParts parts) : tcp_(tcp), parts_(parts) {}

  static MHD_Result OnRequest(void* cls, MHD_Connection* conn, const char* url,
                              const char* method, const char* version, const char* upload,
                              size_t* upload_size, void** con_cls);
  static void OnCompleted(void* cls, MHD_Connection* conn, void** con_cls,
                          MHD_RequestTerminationCode why);
  static void OnConnection(void* cls, MHD_Connection* conn, void** socket_context,
                           MHD_ConnectionNotificationCode code);

  // Open makes the exchange for a request whose headers are in: the
  // route's, or an Answered one once the door has refused it.
  std::shared_ptr<Exchange> Open(MHD_Connection* conn, const char* url, const char* method);

  const bool tcp_;
  const DoorParts parts_;
  MHD_Daemon* daemon_ = nullptr;
  bool quiesced_ = false;
};

// BindTcp binds and listens on a loopback address for a TCP door; the
// error names the fix (another port).
absl::StatusOr<int> BindTcp(const ListenAddress& address);

// BoundPort is the port a bound TCP socket listens on (0 if unknown).
int BoundPort(int fd);

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_DOOR_H_
