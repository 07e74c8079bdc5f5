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

#include <algorithm>

#include "absl/strings/match.h"
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
    auto text = ReadRegularFile(lock_path, 4096);
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

// Answers is true when something accepts connections on the socket `path`.
bool Answers(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

absl::StatusOr<int> BindFresh(const std::string& path, bool probe) {
  // We hold the lock, so a socket found here is a dead daemon's. Anything
  // else (a mistyped AIX_SOCKET naming a file) is not ours to delete.
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " exists and is not a socket; aixd will not delete it. Set AIX_SOCKET to "
          "another path, or move that file away"));
    }
    // http.sock is not covered by our lock: another daemon whose socket
    // shares this directory may be serving it.
    if (probe && Answers(path)) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " is served by another process (a second aixd in the same directory?); give "
          "each daemon its own directory"));
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
  // A burst of clients (a thousand streams opened at once) must queue, not
  // be refused: a full Unix-socket backlog fails connect() at once.
  if (listen(fd, SOMAXCONN) != 0) {
    err = errno;
    close(fd);
    return ErrnoStatus(err, "listen on " + path);
  }
  return fd;
}

std::string BoundPath(int fd) {
  sockaddr_un addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  return std::string(addr.sun_path, strnlen(addr.sun_path, sizeof addr.sun_path));
}

constexpr absl::string_view kHttpSocketName = "http.sock";

bool IsHttpSocket(const std::string& path) {
  return absl::EndsWith(path, absl::StrCat("/", kHttpSocketName));
}

struct Activated {
  int grpc = -1;
  int http = -1;
};

// ActivatedSockets returns the sockets systemd passed (-1 where none): the
// one bound to .../http.sock is the HTTP endpoint's, the other gRPC's.
absl::StatusOr<Activated> ActivatedSockets() {
  int n = sd_listen_fds(/*unset_environment=*/1);
  if (n < 0) return ErrnoStatus(-n, "sd_listen_fds");
  Activated out;
  if (n > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "systemd passed ", n, " sockets; aixd.socket declares aixd.sock and http.sock only"));
  }
  for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; ++fd) {
    if (sd_is_socket_unix(fd, SOCK_STREAM, /*listening=*/1, nullptr, 0) <= 0) {
      return absl::InvalidArgumentError(
          "a socket systemd passed is not a listening Unix stream socket");
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    int& slot = IsHttpSocket(BoundPath(fd)) ? out.http : out.grpc;
    if (slot >= 0) {
      return absl::InvalidArgumentError(
          "systemd passed two sockets of the same kind; aixd.socket declares aixd.sock and "
          "http.sock");
    }
    slot = fd;
  }
  if (out.grpc < 0 && out.http >= 0) {
    return absl::InvalidArgumentError(
        "systemd passed http.sock without aixd's gRPC socket; declare both in aixd.socket");
  }
  return out;
}

}  // namespace

namespace {

struct HttpSocket {
  int fd = -1;
  std::string path;
  std::string error;
  bool bound = false;  // we made the file, so we remove it
};

// OpenHttpSocket opens (or adopts from systemd) http.sock beside the gRPC
// socket at `grpc_path`. A failure is reported, not fatal: gRPC serves
// regardless.
HttpSocket OpenHttpSocket(const std::string& grpc_path, int activated_fd) {
  HttpSocket out;
  if (activated_fd >= 0) {
    out.fd = activated_fd;
    out.path = BoundPath(activated_fd);
    return out;
  }
  out.path = absl::StrCat(Dirname(grpc_path), "/", kHttpSocketName);
  absl::Status s = CheckSocketPath(out.path);
  if (s.ok()) {
    auto fd = BindFresh(out.path, /*probe=*/true);
    if (fd.ok()) {
      out.fd = *fd;
      out.bound = true;
      return out;
    }
    s = fd.status();
  }
  out.error = std::string(s.message());
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SocketListener>> SocketListener::Open(
    const std::string& socket_path) {
  AIX_ASSIGN_OR_RETURN(Activated activated, ActivatedSockets());
  std::string path = socket_path;
  if (activated.grpc >= 0) {
    std::string bound = BoundPath(activated.grpc);
    if (!bound.empty()) path = bound;
  }
  AIX_RETURN_IF_ERROR(CheckSocketPath(path));
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(Dirname(path), Links::kRefuse));
  AIX_ASSIGN_OR_RETURN(int lock_fd, TakeLock(path));
  // http.sock first: once the gRPC socket accepts (which is what clients
  // and scripts wait for), the HTTP one exists too.
  HttpSocket http = OpenHttpSocket(path, activated.http);
  int listen_fd = activated.grpc;
  if (listen_fd < 0) {
    auto fresh = BindFresh(path, /*probe=*/false);
    if (!fresh.ok()) {
      if (http.fd >= 0 && http.bound) {
        close(http.fd);
        unlink(http.path.c_str());
      }
      close(lock_fd);
      return fresh.status();
    }
    listen_fd = *fresh;
  }
  std::unique_ptr<SocketListener> listener(
      new SocketListener(path, lock_fd, listen_fd, activated.grpc >= 0));
  listener->http_fd_ = http.fd;
  listener->http_path_ = std::move(http.path);
  listener->http_error_ = std::move(http.error);
  listener->http_bound_ = http.bound;
  return listener;
}

SocketListener::~SocketListener() {
  if (http_fd_ >= 0) close(http_fd_);
  if (http_bound_) unlink(http_path_.c_str());
  close(listen_fd_);
  // Unlink before unlocking: once the lock is free a new daemon may bind,
  // and we must not remove its socket.
  if (!socket_activated_) unlink(path_.c_str());
  close(lock_fd_);
}

}  // namespace aix
