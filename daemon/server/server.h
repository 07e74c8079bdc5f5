// Server runs the gRPC services on a SocketListener: it accepts each
// connection itself (to read SO_PEERCRED into the PeerRegistry), then hands
// the descriptor to gRPC. It also serves grpc.health.v1.Health and server
// reflection, so generic gRPC tools can find and call aixd.
#ifndef AIX_DAEMON_SERVER_SERVER_H_
#define AIX_DAEMON_SERVER_SERVER_H_

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "daemon/server/listener.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class Server {
 public:
  // `services` must outlive the Server.
  Server(std::unique_ptr<SocketListener> listener, PeerRegistry* peers,
         std::vector<grpc::Service*> services);
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Start builds the gRPC server and begins accepting connections.
  absl::Status Start();

  // InProcessChannel is a channel to these services from inside aixd (the
  // HTTP endpoint's); calls on it are the owner's. Valid after Start.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Shutdown stops accepting, waits up to `grace` for in-flight calls, then
  // cancels the rest, and finally removes the socket. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  void AcceptLoop();

  std::unique_ptr<SocketListener> listener_;
  PeerRegistry* peers_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  std::thread accept_thread_;
  absl::Time last_fd_warning_ = absl::InfinitePast();  // accept thread only
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVER_SERVER_H_
