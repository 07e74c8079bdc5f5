#include "client/command_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/files.h"

namespace aix {
namespace {

constexpr size_t kStderrTail = 2000;

void CloseBoth(int fds[2]) {
  close(fds[0]);
  close(fds[1]);
}

}  // namespace

absl::StatusOr<std::string> RunCommand(const std::string& command, absl::Duration timeout) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  if (pipe2(err, O_CLOEXEC) != 0) {
    CloseBoth(out);
    return ErrnoStatus(errno, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    CloseBoth(out);
    CloseBoth(err);
    return ErrnoStatus(errno, "fork");
  }
  if (pid == 0) {
    // Its own process group, so a timeout ends everything it started.
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  close(out[1]);
  close(err[1]);
  std::string stdout_text, stderr_text;
  const absl::Time deadline = absl::Now() + timeout;
  bool timed_out = false, too_big = false;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      timed_out = true;
      break;
    }
    int n = poll(fds, 2, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      ssize_t got = read(fds[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
        continue;
      }
      std::string& into = k == 0 ? stdout_text : stderr_text;
      into.append(buf, static_cast<size_t>(got));
      if (k == 1 && stderr_text.size() > 4 * kStderrTail) {
        stderr_text.erase(0, stderr_text.size() - kStderrTail);
      }
    }
    if (stdout_text.size() > kMaxCommandOutput) {
      too_big = true;
      break;
    }
  }
  if (timed_out || too_big) kill(-pid, SIGKILL);
  for (pollfd& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return absl::InternalError(absl::StrCat(
        "the template command `", command, "` did not finish within ",
        absl::FormatDuration(timeout), " and was stopped; raise command_timeout (aix config "
        "command_timeout 120) or fix the command"));
  }
  if (too_big) {
    return absl::InternalError(absl::StrCat(
        "the template command `", command, "` printed more than ", kMaxCommandOutput >> 20,
        " MiB; narrow what it prints"));
  }
  std::string tail(absl::StripAsciiWhitespace(
      stderr_text.size() > kStderrTail ? stderr_text.substr(stderr_text.size() - kStderrTail)
                                       : stderr_text));
  if (WIFSIGNALED(status)) {
    return absl::InternalError(absl::StrCat("the template command `", command,
                                            "` was killed by signal ", WTERMSIG(status),
                                            tail.empty() ? "" : ": ", tail));
  }
  if (WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("the template command `", command,
                                            "` failed with exit status ", WEXITSTATUS(status),
                                            tail.empty() ? "" : ": ", tail));
  }
  return std::string(absl::StripAsciiWhitespace(stdout_text));
}

}  // namespace aix
