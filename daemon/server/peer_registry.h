// PeerRegistry remembers who is on the other end of each accepted
// connection, so every call can be checked against the daemon's owner.
//
// aixd accepts connections itself and reads the peer's credentials with
// SO_PEERCRED before handing the descriptor to gRPC. gRPC reports such a
// connection's peer as "fd:N"; Authorize looks N up here. The socket's 0600
// mode already keeps other users out; this check also covers a socket
// whose directory or mode someone loosened, and a socket passed by systemd
// with a broader SocketMode.
#ifndef AIX_DAEMON_SERVER_PEER_REGISTRY_H_
#define AIX_DAEMON_SERVER_PEER_REGISTRY_H_

#include <sys/types.h>

#include <mutex>
#include <string>
#include <unordered_map>

#include <grpcpp/server_context.h>

#include "absl/status/status.h"

namespace aix {

class PeerRegistry {
 public:
  // Makes the in-process secret (16 random bytes).
  explicit PeerRegistry(uid_t owner);

  // Record notes the uid behind a freshly accepted descriptor. A descriptor
  // number is reused only after gRPC closed the previous connection, so the
  // latest record for N is the live one.
  void Record(int fd, uid_t uid);

  // Authorize returns PermissionDenied unless the call came over a
  // connection from the owner's uid.
  // A call made in-process (the HTTP endpoint's channel, which checked its
  // own peer) is the owner's.
  absl::Status Authorize(const grpc::ServerContextBase& context) const;

  // InProcess is true for a call over the daemon's in-process channel: it
  // carries kInProcessHeader with this registry's secret, which never
  // leaves the process (gRPC gives such calls no peer to check).
  bool InProcess(const grpc::ServerContextBase& context) const;
  const std::string& in_process_secret() const { return secret_; }
  static constexpr char kInProcessHeader[] = "aixd-in-process";
  // kViaHeader names which in-process caller made a call ("mcp"), for the
  // history's client column; read only on in-process calls.
  static constexpr char kViaHeader[] = "aixd-via";

 private:
  const uid_t owner_;
  std::string secret_;
  mutable std::mutex mu_;
  std::unordered_map<int, uid_t> uid_by_fd_;  // guarded by mu_
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVER_PEER_REGISTRY_H_
