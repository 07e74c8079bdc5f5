// PeerOf: who is at the other end of a connected Unix socket.
//
// aixd's gRPC listener, its HTTP socket and the client (checking that the
// daemon it reached is its own) all ask the kernel the same question; one
// place asks it, so the three cannot drift apart in what they accept.
#ifndef AIX_COMMON_PEER_CRED_H_
#define AIX_COMMON_PEER_CRED_H_

#include <sys/types.h>

#include "absl/status/statusor.h"

namespace aix {

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;

  // Whether the peer runs as this process's effective uid.
  bool IsSelf() const;
};

// PeerOf reads SO_PEERCRED of `fd` (credentials as of connect()/listen()).
// An error when `fd` is not a connected Unix socket.
absl::StatusOr<PeerCred> PeerOf(int fd);

}  // namespace aix

#endif  // AIX_COMMON_PEER_CRED_H_
