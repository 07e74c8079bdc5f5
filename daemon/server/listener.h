// SocketListener owns the daemon's listening Unix socket and the lock that
// makes it the only daemon for that socket.
//
// Single instance: a lock file next to the socket ("<socket>.lock") is held
// with flock(2) for the daemon's whole life. The kernel drops the lock when
// the process dies, however it dies, so a socket file found while holding
// the lock is stale (left by a killed daemon) and is replaced. A second
// daemon fails to take the lock and reports the holder's pid, which the
// lock file records.
//
// Socket activation: when systemd passes a listening socket (LISTEN_FDS),
// that socket is adopted instead of binding a new one, and it is left in
// place at exit for systemd to keep listening on.
//
// Beside the gRPC socket, the listener opens `http.sock` in the same
// directory for the OpenAI-compatible endpoint (or adopts it from systemd:
// the passed socket bound to a path ending in /http.sock). It is replaced
// only when stale: a socket nobody answers on.
#ifndef AIX_DAEMON_SERVER_LISTENER_H_
#define AIX_DAEMON_SERVER_LISTENER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace aix {

class SocketListener {
 public:
  // Open takes the lock and returns a listening socket for `socket_path`.
  // FailedPrecondition ("already running (pid N)") when another daemon holds
  // the lock; InvalidArgument for a path over the Unix limit.
  static absl::StatusOr<std::unique_ptr<SocketListener>> Open(
      const std::string& socket_path);

  // Removes the socket file (unless systemd owns it), then drops the lock.
  ~SocketListener();

  SocketListener(const SocketListener&) = delete;
  SocketListener& operator=(const SocketListener&) = delete;

  int fd() const { return listen_fd_; }
  const std::string& path() const { return path_; }
  bool socket_activated() const { return socket_activated_; }

  // The HTTP endpoint's socket: -1 when it could not be opened, and then
  // http_error() says why (the gRPC socket serves regardless).
  int http_fd() const { return http_fd_; }
  const std::string& http_path() const { return http_path_; }
  const std::string& http_error() const { return http_error_; }

  // ReleaseHttpFd hands the HTTP socket's descriptor to its server, which
  // closes it; the file is still removed by this listener.
  int ReleaseHttpFd() {
    int fd = http_fd_;
    http_fd_ = -1;
    return fd;
  }

 private:
  SocketListener(std::string path, int lock_fd, int listen_fd, bool activated)
      : path_(std::move(path)),
        lock_fd_(lock_fd),
        listen_fd_(listen_fd),
        socket_activated_(activated) {}

  const std::string path_;
  const int lock_fd_;
  const int listen_fd_;
  const bool socket_activated_;
  int http_fd_ = -1;
  std::string http_path_;
  std::string http_error_;
  bool http_bound_ = false;  // we made the file, so we remove it
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVER_LISTENER_H_
