#include "daemon/server/peer_registry.h"

#include <string>

#include <sys/random.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace aix {

void PeerRegistry::Record(int fd, uid_t uid) {
  std::lock_guard<std::mutex> lock(mu_);
  uid_by_fd_[fd] = uid;
}

PeerRegistry::PeerRegistry(uid_t owner) : owner_(owner) {
  unsigned char bytes[16] = {};
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n <= 0) continue;  // EINTR; the kernel's pool is ready after boot
    got += static_cast<size_t>(n);
  }
  secret_ = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

bool PeerRegistry::InProcess(const grpc::ServerContextBase& context) const {
  // A connection from outside is always "fd:N" (our accept loop); only code
  // inside aixd knows the secret.
  if (absl::StartsWith(context.peer(), "fd:")) return false;
  const auto& md = context.client_metadata();
  auto it = md.find(kInProcessHeader);
  if (it == md.end() || it->second.size() != secret_.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < secret_.size(); ++i) diff |= static_cast<unsigned char>(it->second.data()[i] ^ secret_[i]);
  return diff == 0;
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
