#include "common/peer_cred.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace aix {

bool PeerCred::IsSelf() const { return uid == geteuid(); }

absl::StatusOr<PeerCred> PeerOf(int fd) {
  if (fd < 0) return absl::InvalidArgumentError("no socket to ask for its peer");
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot tell who is at the other end of the socket: ", strerror(errno)));
  }
  PeerCred peer;
  peer.pid = cred.pid;
  peer.uid = cred.uid;
  peer.gid = cred.gid;
  return peer;
}

}  // namespace aix
