#include "client/socket_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/files.h"
#include "common/paths.h"
#include "common/peer_cred.h"
#include "common/status_macros.h"

namespace aix {
namespace {

std::string Fix(const std::string& socket_path) {
  return absl::StrCat(
      "\nUse a socket only you control: export AIX_SOCKET=$HOME/.aix/aixd.sock "
      "(or run inside a login session, which sets XDG_RUNTIME_DIR). The current one is ",
      socket_path);
}

absl::Status CheckOwned(const std::string& what, const std::string& path, const struct stat& st,
                        const std::string& socket_path) {
  if (st.st_uid != geteuid()) {
    return absl::PermissionDeniedError(absl::StrCat(
        what, " ", path, " belongs to uid ", st.st_uid, ", not to you (uid ", geteuid(),
        "); another user may be listening there, so aix sends nothing.", Fix(socket_path)));
  }
  if ((st.st_mode & 022) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s %s is writable by others (mode %04o), so someone else could replace it; "
        "aix sends nothing. Tighten it (chmod go-w %s) or remove it.%s",
        what, path, st.st_mode & 07777, path, Fix(socket_path)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSocketPlace(const std::string& socket_path) {
  const std::string dir = Dirname(socket_path);
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::UnavailableError(absl::StrCat("aixd is not running on ", socket_path));
    return ErrnoStatus(errno, "inspect " + dir);
  }
  if (S_ISLNK(st.st_mode)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the socket directory ", dir, " is a symbolic link; aix sends nothing through it.",
        Fix(socket_path)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(dir, " is not a directory"));
  }
  AIX_RETURN_IF_ERROR(CheckOwned("the socket directory", dir, st, socket_path));
  if (lstat(socket_path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::UnavailableError(absl::StrCat("aixd is not running on ", socket_path));
    return ErrnoStatus(errno, "inspect " + socket_path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::PermissionDeniedError(absl::StrCat(
        socket_path, " is not a socket (", S_ISLNK(st.st_mode) ? "a symbolic link" : "a file",
        "); aix sends nothing to it.", Fix(socket_path)));
  }
  return CheckOwned("the socket", socket_path, st, socket_path);
}

absl::StatusOr<int> ConnectTrusted(const std::string& socket_path) {
  AIX_RETURN_IF_ERROR(CheckSocketPlace(socket_path));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, socket_path.data(), std::min(socket_path.size(), sizeof addr.sun_path - 1));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    close(fd);
    if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
      return absl::UnavailableError(absl::StrCat("aixd is not running on ", socket_path));
    }
    if (err == EACCES || err == EPERM) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot connect to ", socket_path, ": permission denied.", Fix(socket_path)));
    }
    return ErrnoStatus(err, "connect to " + socket_path);
  }
  absl::StatusOr<PeerCred> peer = PeerOf(fd);
  if (!peer.ok() || !peer->IsSelf()) {
    close(fd);
    const std::string who =
        peer.ok() ? absl::StrCat("runs as uid ", peer->uid) : std::string(peer.status().message());
    return absl::PermissionDeniedError(absl::StrCat("the process serving ", socket_path, " ", who,
                                                    ", not as you (uid ", geteuid(),
                                                    "); aix sends nothing to it.", Fix(socket_path)));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

}  // namespace aix
