#include "tests/integration/harness.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace aix::testing {

bool Sanitized() { return std::getenv("AIX_SANITIZER") != nullptr; }

int Scaled(int plain, int sanitized) { return Sanitized() ? sanitized : plain; }

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  std::string base = srcdir ? srcdir : ".";
  return base + "/" + (ws ? ws : "aix") + "/" + rel;
}

namespace {

std::string RealPath(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : p;
}

bool CanConnect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// ExecWithEnv replaces this (forked) process with argv and exactly `env`.
[[noreturn]] void ExecWithEnv(const std::vector<std::string>& argv,
                              const std::map<std::string, std::string>& env) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  execve(args[0], args.data(), envp.data());
  dprintf(2, "exec %s: %s\n", args[0], strerror(errno));
  _exit(127);
}

}  // namespace

pid_t Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& stdout_path, const std::string& stderr_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    if (!stdout_path.empty()) dup2(open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600), 1);
    if (!stderr_path.empty()) dup2(open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600), 2);
    ExecWithEnv(argv, env);
  }
  return pid;
}

std::string AixPath() { return Runfile("client/aix"); }
std::string AixdPath() { return Runfile("daemon/aixd"); }

Result RunProcess(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env,
                  const std::string& input, int timeout_s) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) abort();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    ExecWithEnv(argv, env);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  signal(SIGPIPE, SIG_IGN);
  if (!input.empty()) {
    ssize_t ignored = write(in[1], input.data(), input.size());
    (void)ignored;
  }
  close(in[1]);
  Result r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  bool killed = false;
  while (open_fds > 0) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    if (left <= 0 && !killed) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (poll(fds, 2, left > 0 ? left : 100) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = DecodeStatus(status);
  return r;
}

long StatusKb(pid_t pid, const std::string& field) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

Sandbox::Sandbox() {
  char tmpl[] = "/tmp/aixt-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) abort();
  dir = tmpl;
  socket = dir + "/run/aixd.sock";
  storage = dir + "/store";
  home = dir + "/home";
  env = {
      {"PATH", "/usr/bin:/bin"},
      {"HOME", home},
      {"AIX_SOCKET", socket},
      {"AIX_STORAGE_PATH", storage},
      {"AIXD", AixdPath()},
  };
  // Sanitizer builds pass their options down to the binaries under test;
  // TSan also gets the suppressions for gRPC's inline code (tools/tsan.supp).
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(name)) env[name] = v;
  }
  if (env.count("TSAN_OPTIONS") != 0) {
    env["TSAN_OPTIONS"] += ":suppressions=" + Runfile("tools/tsan.supp");
  }
}

Sandbox::~Sandbox() {
  // A failed test shows what aixd said (a sanitizer report, a crash): the
  // directory is gone afterwards.
  if (::testing::Test::HasFailure()) {
    for (const std::string& log : {home + "/.local/state/aix/aixd.log", dir + "/aixd.stderr"}) {
      if (access(log.c_str(), R_OK) != 0) continue;
      std::string text = ReadFile(log);
      if (text.size() > 20000) text = text.substr(text.size() - 20000);
      fprintf(stderr, "---- %s (end) ----\n%s\n---- end of %s ----\n", log.c_str(), text.c_str(),
              log.c_str());
    }
  }
  for (pid_t pid : Daemons()) kill(pid, SIGKILL);
  std::string cmd = "rm -rf '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) fprintf(stderr, "cleanup of %s failed\n", dir.c_str());
}

Result Sandbox::Aix(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv = {AixPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, env, input);
}

pid_t Sandbox::StartDaemon(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {AixdPath()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_t pid = Spawn(argv, env, "", dir + "/aixd.stderr");
  WaitForSocket();
  return pid;
}

int Sandbox::WaitExit(pid_t pid, int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeStatus(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

bool Sandbox::WaitForSocket(int timeout_s) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (CanConnect(socket)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

bool Sandbox::WaitSocketGone(int timeout_s) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!CanConnect(socket)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

pid_t Sandbox::LockPid() const { return atoi(ReadFile(socket + ".lock").c_str()); }

std::vector<pid_t> Sandbox::Daemons() const {
  std::vector<pid_t> out;
  const std::string exe = RealPath(AixdPath());
  const std::string needle = "AIX_SOCKET=" + socket;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* d = readdir(proc)) {
    pid_t pid = atoi(d->d_name);
    if (pid <= 0) continue;
    std::string base = "/proc/" + std::string(d->d_name);
    char buf[PATH_MAX];
    ssize_t n = readlink((base + "/exe").c_str(), buf, sizeof buf - 1);
    if (n <= 0 || std::string(buf, static_cast<size_t>(n)) != exe) continue;
    std::string stat = ReadFile(base + "/stat");
    size_t paren = stat.rfind(')');
    if (paren != std::string::npos && stat.compare(paren, 3, ") Z") == 0) continue;
    std::string environ = ReadFile(base + "/environ");
    std::string cmdline = ReadFile(base + "/cmdline");
    std::stringstream ss(environ);
    bool ours = cmdline.find(socket) != std::string::npos;
    for (std::string var; !ours && std::getline(ss, var, '\0');) ours = var == needle;
    if (ours) out.push_back(pid);
  }
  closedir(proc);
  return out;
}

std::string Sandbox::ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace aix::testing
