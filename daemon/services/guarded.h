// Guarded is how every aix.v1 handler runs: check the caller's uid, run the
// body (which speaks absl::Status), convert the result to grpc::Status.
#ifndef AIX_DAEMON_SERVICES_GUARDED_H_
#define AIX_DAEMON_SERVICES_GUARDED_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "common/grpc_status.h"
#include "daemon/server/peer_registry.h"

namespace aix {

template <typename Body>
grpc::Status Guarded(const PeerRegistry& peers, const grpc::ServerContextBase* context,
                     Body&& body) {
  absl::Status status = peers.Authorize(*context);
  if (status.ok()) status = body();
  return ToGrpcStatus(status);
}

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_GUARDED_H_
