#include "daemon/server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_posix.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/files.h"
#include "common/limits.h"
#include "common/peer_cred.h"
#include "daemon/server/log.h"
#include "daemon/server/version_interceptor.h"

namespace aix {
namespace {

// Back-off of the accept loop when descriptors run out, and how often that
// is logged.
constexpr absl::Duration kFdBackoff = absl::Milliseconds(100);
constexpr absl::Duration kFdWarningInterval = absl::Seconds(10);

}  // namespace

Server::Server(std::unique_ptr<SocketListener> listener, PeerRegistry* peers,
               std::vector<grpc::Service*> services)
    : listener_(std::move(listener)), peers_(peers), services_(std::move(services)) {}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  return server_->InProcessChannel(args);
}

absl::Status Server::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // No listening port: connections arrive through AddInsecureChannelFromFd.
  for (grpc::Service* s : services_) builder.RegisterService(s);
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxRequestBytes));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(VersionInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) return absl::InternalError("gRPC server failed to start");
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return ErrnoStatus(errno, "pipe");
  }
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
}

void Server::AcceptLoop() {
  pollfd fds[2] = {{listener_->fd(), POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
  while (!stopping_.load()) {
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      Log(LogLevel::kError, absl::StrCat("poll: ", strerror(errno)));
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    // gRPC needs non-blocking descriptors; with a blocking one the first
    // call hangs.
    int fd = accept4(listener_->fd(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      int err = errno;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors: the pending connection stays queued and the
        // listener stays readable, so polling it again would spin. Wait for
        // calls to finish and free some, and say so once in a while.
        absl::Time now = absl::Now();
        if (now - last_fd_warning_ > kFdWarningInterval) {
          last_fd_warning_ = now;
          Log(LogLevel::kError,
              absl::StrCat("accept: ", strerror(err),
                           "; new connections wait until some close (raise the limit: "
                           "ulimit -n, or LimitNOFILE= in aixd.service)"));
        }
        pollfd wake = {wake_pipe_[0], POLLIN, 0};
        poll(&wake, 1, static_cast<int>(absl::ToInt64Milliseconds(kFdBackoff)));
        continue;
      }
      if (err != EAGAIN && err != EINTR && err != ECONNABORTED) {
        Log(LogLevel::kWarning, absl::StrCat("accept: ", strerror(err)));
      }
      continue;
    }
    absl::StatusOr<PeerCred> peer = PeerOf(fd);
    if (!peer.ok()) {
      Log(LogLevel::kWarning, absl::StrCat(peer.status().message(), "; closing the connection"));
      close(fd);
      continue;
    }
    if (!peer->IsSelf()) {
      Log(LogLevel::kWarning,
          absl::StrCat("connection from uid ", peer->uid, " (pid ", peer->pid,
                       "); its calls will be refused"));
    }
    peers_->Record(fd, peer->uid);
    grpc::AddInsecureChannelFromFd(server_.get(), fd);
  }
}

void Server::Shutdown(absl::Duration grace) {
  if (stopping_.exchange(true)) return;
  if (wake_pipe_[1] >= 0) {
    char c = 0;
    ssize_t ignored = write(wake_pipe_[1], &c, 1);
    (void)ignored;
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  // The listener goes first: a command arriving during the grace period
  // finds no socket and starts a new daemon, instead of waiting on one that
  // is leaving.
  listener_.reset();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoNanoseconds(grace));
    server_->Wait();
  }
  for (int& fd : wake_pipe_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  listener_.reset();
}

}  // namespace aix
