#include "client/connect.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/create_channel_posix.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/socket_trust.h"
#include "client/version_check.h"
#include "common/files.h"
#include "common/limits.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

extern char** environ;

namespace aix {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(10);

bool IsExecutable(const std::string& path) {
  return !path.empty() && access(path.c_str(), X_OK) == 0;
}

std::string SelfDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  return Dirname(std::string(buf, static_cast<size_t>(n)));
}

// Spawn runs `binary` in a new session, detached from this process (double
// fork, so it is never our zombie), with stdout/stderr appended to `log`.
absl::Status Spawn(const std::string& binary, const std::string& log) {
  pid_t child = fork();
  if (child < 0) return ErrnoStatus(errno, "fork");
  if (child == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    int devnull = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (out >= 0) {
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
    }
    // The daemon outlives this command: it must not keep our working
    // directory busy, nor inherit the keys in our environment (those are
    // sent with each request and live for that request only).
    if (chdir("/") != 0) _exit(127);
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
      absl::string_view var(*e);
      absl::string_view name = var.substr(0, var.find('='));
      if (!IsApiKeyVariable(name)) envp.push_back(*e);
    }
    envp.push_back(nullptr);
    const char* argv[] = {binary.c_str(), "--started-by-client", nullptr};
    execve(binary.c_str(), const_cast<char* const*>(argv), envp.data());
    dprintf(STDERR_FILENO, "aix: cannot run %s: %s\n", binary.c_str(), strerror(errno));
    _exit(127);
  }
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ProbeSocket(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  close(fd);
  if (rc == 0) return absl::OkStatus();
  if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
    return absl::UnavailableError(absl::StrCat("aixd is not running on ", path));
  }
  if (err == EACCES || err == EPERM) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot connect to ", path,
        ": permission denied (the socket belongs to another user). Use your "
        "own daemon: unset AIX_SOCKET, or set it to a path you own"));
  }
  return ErrnoStatus(err, "connect to " + path);
}

absl::StatusOr<std::string> FindDaemonBinary(const EnvLookup& env) {
  std::vector<std::string> tried;
  if (auto explicit_path = env("AIXD")) {
    if (IsExecutable(*explicit_path)) return *explicit_path;
    return absl::NotFoundError(absl::StrCat(
        "AIXD is set to '", *explicit_path,
        "', which is not an executable file; fix or unset AIXD"));
  }
  std::string beside = SelfDir() + "/aixd";
  if (IsExecutable(beside)) return beside;
  tried.push_back(beside);
  if (auto path = env("PATH")) {
    for (absl::string_view dir : absl::StrSplit(*path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(dir, "/aixd");
      if (IsExecutable(candidate)) return candidate;
    }
    tried.push_back("$PATH");
  }
  return absl::NotFoundError(absl::StrCat(
      "cannot find the aixd program (looked in ", absl::StrJoin(tried, ", "),
      "); install it beside aix or on PATH, or set AIXD=/path/to/aixd"));
}

absl::StatusOr<std::string> StartDaemon(const std::string& socket_path,
                                        const EnvLookup& env) {
  AIX_ASSIGN_OR_RETURN(std::string binary, FindDaemonBinary(env));
  AIX_ASSIGN_OR_RETURN(std::string state_dir, StateDir(env));
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(state_dir));
  std::string log = state_dir + "/aixd.log";
  AIX_RETURN_IF_ERROR(Spawn(binary, log));

  absl::Time deadline = absl::Now() + kStartTimeout;
  absl::Duration wait = absl::Milliseconds(5);
  absl::Status probe;
  for (;;) {
    probe = ProbeSocket(socket_path);
    if (probe.ok()) return log;
    if (probe.code() != absl::StatusCode::kUnavailable) return probe;
    if (absl::Now() + wait > deadline) break;
    absl::SleepFor(wait);
    wait = std::min(wait * 2, absl::Milliseconds(200));
  }
  return absl::UnavailableError(absl::StrCat(
      "started ", binary, " but it did not serve ", socket_path, " within ",
      absl::FormatDuration(kStartTimeout), ". Its log is ", log,
      "; run it in the foreground to see why: ", binary));
}

// The process keeps its channel until QuickExit, so no command's return
// path runs gRPC's shutdown.
std::shared_ptr<grpc::Channel>* KeptChannel() {
  static auto* kept = new std::shared_ptr<grpc::Channel>();
  return kept;
}

void QuickExit(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(code);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(AutoStart autostart) {
  EnvLookup env = ProcessEnv();
  AIX_ASSIGN_OR_RETURN(std::string socket_path, SocketPath(env));
  absl::StatusOr<int> fd = ConnectTrusted(socket_path);
  if (fd.status().code() == absl::StatusCode::kUnavailable && autostart == AutoStart::kYes) {
    auto started = StartDaemon(socket_path, env);
    if (!started.ok()) {
      return absl::Status(started.status().code(),
                          absl::StrCat("aixd is not running and could not be started: ",
                                       started.status().message()));
    }
    fd = ConnectTrusted(socket_path);
  }
  if (fd.status().code() == absl::StatusCode::kUnavailable) {
    return absl::UnavailableError(
        absl::StrCat(fd.status().message(), "; start it with: aix daemon start"));
  }
  AIX_RETURN_IF_ERROR(fd.status());
  grpc::ChannelArguments args;
  // A short-lived client: no retries or keepalive pings needed, and a fast
  // first connect matters more than anything else.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetMaxReceiveMessageSize(static_cast<int>(kMaxResponseBytes));
  // The channel uses the descriptor whose peer was verified: nothing can be
  // swapped in between the check and the first byte sent.
  *KeptChannel() = grpc::experimental::CreateCustomInsecureChannelWithInterceptorsFromFd(
      "aixd", *fd, args, VersionInterceptors());
  return *KeptChannel();
}

std::shared_ptr<grpc::Channel> CurrentChannel() { return *KeptChannel(); }

void PrepareCall(grpc::ClientContext* context, absl::Duration deadline) {
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
}

absl::Status CallStatus(const grpc::Status& status) {
  absl::Status s = FromGrpcStatus(status);
  // gRPC's own size limits come back as RESOURCE_EXHAUSTED, which aix
  // otherwise reserves for a provider's rate limit.
  if (s.code() == absl::StatusCode::kResourceExhausted &&
      absl::StrContains(s.message(), "message larger than max")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a message to or from aixd is over the API's size limit (", s.message(),
        "); requests may be at most ", kMaxRequestBytes >> 20, " MiB: pass less input"));
  }
  if (s.code() == absl::StatusCode::kUnavailable) {
    return absl::UnavailableError(absl::StrCat(
        "lost the connection to aixd (", s.message(),
        "); it may have stopped or crashed. Check with: aix daemon status"));
  }
  if (s.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::UnavailableError(
        "aixd did not answer in time; check it with: aix daemon status");
  }
  return s;
}

}  // namespace aix
