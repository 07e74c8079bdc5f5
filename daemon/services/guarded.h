// Guarded is how every aix.v1 handler runs: check the caller's uid, run the
// body (which speaks absl::Status), convert the result to grpc::Status. An
// exception that escapes the body (a JSON library's type error on a file a
// user edited, say) becomes an Internal error that says what happened,
// instead of gRPC's bare "Unexpected error in RPC handling".
#ifndef AIX_DAEMON_SERVICES_GUARDED_H_
#define AIX_DAEMON_SERVICES_GUARDED_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <utility>

#include "absl/status/status.h"
#include "common/catching.h"
#include "common/grpc_status.h"
#include "daemon/server/peer_registry.h"

namespace aix {

// Checked is Guarded for the callback (streaming) handlers, which answer
// through a reactor: the caller's uid, then `body`, caught.
template <typename Body>
absl::Status Checked(const PeerRegistry& peers, const grpc::ServerContextBase* context,
                     Body&& body) {
  absl::Status status = peers.Authorize(*context);
  return status.ok() ? Catching(std::forward<Body>(body)) : status;
}

template <typename Body>
grpc::Status Guarded(const PeerRegistry& peers, const grpc::ServerContextBase* context,
                     Body&& body) {
  return ToGrpcStatus(Checked(peers, context, std::forward<Body>(body)));
}

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_GUARDED_H_
