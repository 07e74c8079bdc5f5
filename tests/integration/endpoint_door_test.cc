// The HTTP endpoint's doors against hostile peers: another local user who
// floods the loopback port (no token) with idle and dribbling connections
// under a real descriptor limit, malformed requests that would flood the
// log, a deeply nested body, and a token revoked by deleting or exposing
// its file. Runs as root (no sandbox): the neighbour is uid 65534.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// The neighbour: opens N connections to PORT, sends a request line and then
// one header line on each every 2 s (never the blank line that ends the
// headers) for DURATION seconds, then reports how many aixd has closed.
constexpr char kSlowPeer[] = R"PY(
import socket, sys, time
port, n, duration = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    except OSError:
        s.close()
print("open", len(socks), flush=True)
end = time.time() + duration
while time.time() < end:
    time.sleep(2)
    for s in socks:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            pass
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print("closed", closed, flush=True)
)PY";

int CountFds(pid_t pid) {
  int n = 0;
  if (DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str())) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
  }
  return n - 2;
}

int CountLines(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class EndpointDoorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-door-0001").exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "p", "Hi"}).exit_code, 0);
    ASSERT_EQ(box_.Daemons().size(), 1u);
    pid_ = box_.Daemons()[0];
    http_sock_ = box_.dir + "/run/http.sock";
  }

  // Listen opens the loopback door and returns its URL.
  std::string Listen() {
    const int port = FreePort();
    Result on = box_.Aix({"config", "--set", "http_listen", "127.0.0.1:" + std::to_string(port)});
    EXPECT_EQ(on.exit_code, 0) << on.err;
    port_ = port;
    return "http://127.0.0.1:" + std::to_string(port) + "/v1";
  }

  std::string Token() {
    Result t = box_.Aix({"endpoint", "token"});
    EXPECT_EQ(t.exit_code, 0) << t.err;
    return t.out.substr(0, t.out.find('\n'));
  }

  int Status(const std::string& url, const std::string& token) {
    std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                     "--max-time", "10"};
    if (!token.empty()) argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
    argv.push_back(url + "/models");
    return std::atoi(RunProcess(argv, box_.env).out.c_str());
  }

  std::string Log() { return Sandbox::ReadFile(box_.AutoStartLog()); }

  Sandbox box_;
  FakeProvider fake_{box_.dir};
  pid_t pid_ = 0;
  int port_ = 0;
  std::string http_sock_;
};

TEST_F(EndpointDoorTest, ANeighbourFloodingThePortLeavesTheOwnerServed) {
  if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0 || access("/usr/bin/prlimit", X_OK) != 0) {
    GTEST_SKIP() << "needs root, setpriv and prlimit";
  }
  // A real descriptor limit, as a stingy system would give aixd.
  const std::string pid = std::to_string(pid_);
  ASSERT_EQ(RunProcess({"/usr/bin/prlimit", "--pid", pid, "--nofile=512:512"}, box_.env).exit_code, 0);
  const std::string url = Listen();
  const std::string token = Token();
  ASSERT_EQ(Status(url, token), 200);
  const int log_before = CountLines(Log(), "http endpoint");

  // uid 65534 opens 600 connections and dribbles header lines on them.
  const std::string out = box_.dir + "/neighbour.out";
  pid_t neighbour = Spawn({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           "/usr/bin/python3", "-c", kSlowPeer, std::to_string(port_), "600", "14"},
                          {{"PATH", "/usr/bin:/bin"}}, out, "");
  for (int i = 0; i < 100 && Sandbox::ReadFile(out).find("open") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_THAT(Sandbox::ReadFile(out), HasSubstr("open 600"));

  // The owner is served meanwhile, over gRPC and over http.sock, at once.
  const auto t0 = std::chrono::steady_clock::now();
  Result list = box_.Aix({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  Result run = box_.Aix({"run", "p"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "Echo: Hi");
  Result models = RunProcess({"/usr/bin/curl", "-sS", "--max-time", "10", "--unix-socket", http_sock_,
                              "http://localhost/v1/models"},
                             box_.env);
  EXPECT_THAT(models.out, HasSubstr("prompt:p"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
  // The port takes a bounded share of the descriptors.
  const int fds = CountFds(pid_);
  EXPECT_LT(fds, 256) << "aixd holds " << fds << " descriptors";

  // Dribbling header lines does not keep a connection: aixd cuts off
  // those that have not sent their headers in 10 s.
  int status = box_.WaitExit(neighbour, 40);
  EXPECT_EQ(status, 0);
  std::string report = Sandbox::ReadFile(out);
  size_t at = report.find("closed ");
  ASSERT_NE(at, std::string::npos) << report;
  EXPECT_GE(std::atoi(report.c_str() + at + 7), 32) << report;
  // Once the neighbour has gone, the port serves its owner again, and the
  // log said little about all of it.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = Status(url, token) == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(served);
  EXPECT_LE(CountLines(Log(), "http endpoint") - log_before, 3) << Log();
  EXPECT_LT(CountFds(pid_), 100);
}

TEST_F(EndpointDoorTest, MalformedRequestsDoNotFloodTheLog) {
  const std::string url = Listen();
  const int log_before = CountLines(Log(), "http endpoint");
  // 70 requests MHD cannot take: broken request lines, broken headers, a
  // header line over the connection's memory.
  const std::string script = R"PY(
import socket, sys
port = int(sys.argv[1])
bad = [b"NONSENSE\r\n\r\n", b"GET /v1/models HTTP/1.1\r\nno colon here\r\n\r\n",
       b"GET /v1/models HTTP/1.1\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n",
       b"GET /v1/models HTTP/9.9\r\n\r\n", b"\x00\x01\x02\r\n\r\n"]
for i in range(70):
    s = socket.create_connection(("127.0.0.1", port), timeout=0.3)
    try:
        s.sendall(bad[i % len(bad)])
        s.recv(4096)
    except OSError:
        pass
    s.close()
)PY";
  const auto t0 = std::chrono::steady_clock::now();
  Result r = RunProcess({"/usr/bin/python3", "-c", script, std::to_string(port_)}, box_.env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // One line per 10 s at most (and the first), whatever the peer sends.
  const int most = 1 + static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::steady_clock::now() - t0).count() / 10);
  EXPECT_LE(CountLines(Log(), "http endpoint") - log_before, most) << Log();
  EXPECT_EQ(Status(url, Token()), 200);
}

TEST_F(EndpointDoorTest, ADeeplyNestedBodyIsRefusedCheaply) {
  const long idle_kb = StatusKb(pid_, "VmRSS");
  const std::string file = box_.dir + "/deep.json";
  {
    std::ofstream f(file, std::ios::binary);
    f << std::string(16 << 20, '[');
  }
  const auto t0 = std::chrono::steady_clock::now();
  Result r = RunProcess({"/usr/bin/curl", "-sS", "--max-time", "30", "--unix-socket", http_sock_, "-H",
                         "Content-Type: application/json", "--data-binary", "@" + file,
                         "http://localhost/v1/chat/completions"},
                        box_.env);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_THAT(r.out, HasSubstr("levels deep")) << r.err;
  EXPECT_LT(took, std::chrono::seconds(10));
  // The body is held while it arrives (16 MiB), never a parser's tree of it
  // (over a gigabyte), and is given back afterwards.
  const long peak_kb = StatusKb(pid_, "VmHWM");
  EXPECT_LT(peak_kb, idle_kb + 150 * 1024) << "peak RSS " << peak_kb << " kB, idle " << idle_kb << " kB";
  // Given back: not measurable under the sanitizers, whose allocators keep
  // freed memory in quarantine.
  if (!Sanitized()) {
    EXPECT_LT(StatusKb(pid_, "VmRSS"), idle_kb + 40 * 1024);
  }
  EXPECT_EQ(box_.Aix({"run", "p"}).exit_code, 0);
}

TEST_F(EndpointDoorTest, DeletingOrExposingTheTokenFileRevokesIt) {
  const std::string url = Listen();
  const std::string token = Token();
  ASSERT_EQ(Status(url, token), 200);
  const std::string file = box_.storage + "/endpoint_token";
  // Readable by others: refused until it is private again.
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  EXPECT_EQ(Status(url, token), 401);
  ASSERT_EQ(chmod(file.c_str(), 0600), 0);
  EXPECT_EQ(Status(url, token), 200);
  // Deleted: refused at once, with no command run in between.
  ASSERT_EQ(unlink(file.c_str()), 0);
  EXPECT_EQ(Status(url, token), 401);
  // aix endpoint token makes a new one; the old one stays dead.
  const std::string fresh = Token();
  EXPECT_NE(fresh, token);
  EXPECT_EQ(Status(url, token), 401);
  EXPECT_EQ(Status(url, fresh), 200);
}

}  // namespace
}  // namespace aix::testing
