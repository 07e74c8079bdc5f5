#include "daemon/server/peer_registry.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/secrets.h"

namespace aix {

void PeerRegistry::Record(int fd, uid_t uid) {
  std::lock_guard<std::mutex> lock(mu_);
  uid_by_fd_[fd] = uid;
}

PeerRegistry::PeerRegistry(uid_t owner) : owner_(owner) {
  // getrandom(2) does not fail for 16 bytes once the kernel's pool is
  // ready, which it is long before a user session starts.
  secret_ = absl::BytesToHexString(RandomBytes(16).value_or(""));
}

bool PeerRegistry::InProcess(const grpc::ServerContextBase& context) const {
  // A connection from outside is always "fd:N" (our accept loop); only code
  // inside aixd knows the secret.
  if (absl::StartsWith(context.peer(), "fd:")) return false;
  const auto& md = context.client_metadata();
  auto it = md.find(kInProcessHeader);
  return !secret_.empty() && it != md.end() &&
         SecretEquals(absl::string_view(it->second.data(), it->second.size()), secret_);
}

absl::Status PeerRegistry::Authorize(const grpc::ServerContextBase& context) const {
  std::string peer = context.peer();
  if (InProcess(context)) return absl::OkStatus();
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
