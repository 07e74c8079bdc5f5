#include "daemon/server/peer_registry.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace aix {

void PeerRegistry::Record(int fd, uid_t uid) {
  std::lock_guard<std::mutex> lock(mu_);
  uid_by_fd_[fd] = uid;
}

absl::Status PeerRegistry::Authorize(const grpc::ServerContextBase& context) const {
  std::string peer = context.peer();
  int fd = -1;
  if (!absl::StartsWith(peer, "fd:") || !absl::SimpleAtoi(peer.substr(3), &fd)) {
    return absl::PermissionDeniedError(
        absl::StrCat("aixd cannot tell who is calling (peer '", peer, "')"));
  }
  uid_t uid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = uid_by_fd_.find(fd);
    if (it == uid_by_fd_.end()) {
      return absl::PermissionDeniedError("aixd has no credentials for this connection");
    }
    uid = it->second;
  }
  if (uid != owner_) {
    return absl::PermissionDeniedError(absl::StrCat(
        "this aixd belongs to uid ", owner_, " and refuses uid ", uid,
        "; run your own daemon (set AIX_SOCKET to a path you own)"));
  }
  return absl::OkStatus();
}

}  // namespace aix
