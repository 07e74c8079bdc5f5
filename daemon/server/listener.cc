#include "daemon/server/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/files.h"
#include "common/paths.h"
#include "common/status_macros.h"

namespace aix {
namespace {

// TakeLock returns the locked lock file's fd, with our pid written in it.
absl::StatusOr<int> TakeLock(const std::string& socket_path) {
  std::string lock_path = socket_path + ".lock";
  // O_NOFOLLOW: a link planted at the lock's name must not make us create
  // or truncate a file elsewhere.
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno == ELOOP) {
    return absl::PermissionDeniedError(absl::StrCat(
        lock_path, " is a symbolic link; remove it (aixd makes its own lock file)"));
  }
  if (fd < 0) return ErrnoStatus(errno, "open lock file " + lock_path);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
    close(fd);
    return absl::PermissionDeniedError(absl::StrCat(
        lock_path, " is not a regular file of yours; remove it"));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string pid = "unknown";
    auto text = ReadFile(lock_path);
    if (text.ok()) pid = std::string(absl::StripAsciiWhitespace(*text));
    close(fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat(
          "aixd is already running (pid ", pid, ") on ", socket_path,
          "; stop it first with: aix daemon stop"));
    }
    return ErrnoStatus(err, "lock " + lock_path);
  }
  std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    int err = errno;
    close(fd);
    return ErrnoStatus(err, "write lock file " + lock_path);
  }
  return fd;
}

absl::StatusOr<int> BindFresh(const std::string& path) {
  // We hold the lock, so a socket found here is a dead daemon's. Anything
  // else (a mistyped AIX_SOCKET naming a file) is not ours to delete.
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " exists and is not a socket; aixd will not delete it. Set AIX_SOCKET to "
          "another path, or move that file away"));
    }
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "remove stale socket " + path);
    }
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.data(), path.size());
  // umask makes the socket 0600 from the moment it exists.
  mode_t old = umask(0177);
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  umask(old);
  if (rc != 0) {
    close(fd);
    return ErrnoStatus(err, "bind " + path);
  }
  if (listen(fd, 128) != 0) {
    err = errno;
    close(fd);
    return ErrnoStatus(err, "listen on " + path);
  }
  return fd;
}

// ActivatedSocket returns the socket systemd passed, or -1 if none.
absl::StatusOr<int> ActivatedSocket() {
  int n = sd_listen_fds(/*unset_environment=*/1);
  if (n < 0) return ErrnoStatus(-n, "sd_listen_fds");
  if (n == 0) return -1;
  if (n > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "systemd passed ", n, " sockets; aixd.socket must declare exactly one "
        "ListenStream"));
  }
  int fd = SD_LISTEN_FDS_START;
  if (sd_is_socket_unix(fd, SOCK_STREAM, /*listening=*/1, nullptr, 0) <= 0) {
    return absl::InvalidArgumentError(
        "the socket systemd passed is not a listening Unix stream socket");
  }
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

std::string BoundPath(int fd) {
  sockaddr_un addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  return std::string(addr.sun_path, strnlen(addr.sun_path, sizeof addr.sun_path));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SocketListener>> SocketListener::Open(
    const std::string& socket_path) {
  AIX_ASSIGN_OR_RETURN(int activated, ActivatedSocket());
  std::string path = socket_path;
  if (activated >= 0) {
    std::string bound = BoundPath(activated);
    if (!bound.empty()) path = bound;
  }
  AIX_RETURN_IF_ERROR(CheckSocketPath(path));
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(Dirname(path), Links::kRefuse));
  AIX_ASSIGN_OR_RETURN(int lock_fd, TakeLock(path));
  if (activated >= 0) {
    return std::unique_ptr<SocketListener>(
        new SocketListener(path, lock_fd, activated, true));
  }
  auto listen_fd = BindFresh(path);
  if (!listen_fd.ok()) {
    close(lock_fd);
    return listen_fd.status();
  }
  return std::unique_ptr<SocketListener>(
      new SocketListener(path, lock_fd, *listen_fd, false));
}

SocketListener::~SocketListener() {
  close(listen_fd_);
  // Unlink before unlocking: once the lock is free a new daemon may bind,
  // and we must not remove its socket.
  if (!socket_activated_) unlink(path_.c_str());
  close(lock_fd_);
}

}  // namespace aix
