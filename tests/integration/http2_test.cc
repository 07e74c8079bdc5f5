// HTTP/2 against a real HTTP/2 server: Debian's nghttpd (nghttp2-server)
// on 127.0.0.1 with TLS and ALPN, serving an OpenAI-format stream.
//
// The pool asks for HTTP/2 over TLS and waits for a connection to
// multiplex on; this shows that a hundred runs started at once from a cold
// daemon travel as streams of one connection, several at a time, and all
// arrive whole. nghttpd's verbose log is the witness: each connection is a
// session "[id=N]", each request a stream.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

constexpr char kNghttpd[] = "/usr/sbin/nghttpd";

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  close(fd);
  return ok;
}

// The answer nghttpd serves for POST /v1/chat/completions: `words` text
// deltas, large enough that a transfer lasts while others start.
std::string Answer(int words, std::string* text) {
  auto event = [](const std::string& choice) {
    return "data: {\"id\":\"h2\",\"object\":\"chat.completion.chunk\",\"model\":\"h2\","
           "\"choices\":[" + choice + "]}\n\n";
  };
  std::string body = event(R"({"index":0,"delta":{"role":"assistant","content":""}})");
  for (int i = 0; i < words; ++i) {
    std::string w = "w" + std::to_string(i) + " ";
    *text += w;
    body += event(R"({"index":0,"delta":{"content":")" + w + R"("}})");
  }
  body += event(R"({"index":0,"delta":{},"finish_reason":"stop"})");
  return body + "data: [DONE]\n\n";
}

struct StreamStats {
  std::set<std::string> sessions;  // HTTP/2 connections (our probes' plain TCP ones are not)
  int streams = 0;                 // requests
  int most_open = 0;               // streams open at once on one connection
};

// StreamId is N from "...stream_id=N>" in `line`, or "".
std::string StreamId(const std::string& line) {
  size_t at = line.rfind("stream_id=");
  if (at == std::string::npos) return "";
  at += strlen("stream_id=");
  size_t end = line.find('>', at);
  return end == std::string::npos ? "" : line.substr(at, end - at);
}

// Reads nghttpd -v output: a stream opens when its request HEADERS arrive
// and closes when a DATA frame with END_STREAM (flags 0x01) is sent.
StreamStats ReadLog(const std::string& log) {
  StreamStats s;
  std::set<std::string> open;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("[id=", 0) != 0) continue;
    const std::string id = line.substr(4, line.find(']') - 4);
    if (line.find("recv SETTINGS frame") != std::string::npos) s.sessions.insert(id);
    if (line.find("recv HEADERS frame <") != std::string::npos) {
      open.insert(id + "/" + StreamId(line));
      ++s.streams;
      s.most_open = std::max(s.most_open, static_cast<int>(open.size()));
    } else if (line.find("send DATA frame <") != std::string::npos &&
               line.find("flags=0x01,") != std::string::npos) {
      open.erase(id + "/" + StreamId(line));
    }
  }
  return s;
}

TEST(Http2, AHundredConcurrentRunsShareOneConnection) {
  ASSERT_EQ(access(kNghttpd, X_OK), 0)
      << "nghttpd is missing: install Debian's nghttp2-server (tools/install-deps.sh)";
  Sandbox sb;
  const std::string certs = sb.dir + "/certs";
  ASSERT_EQ(std::system((Runfile("tests/fakes/make_certs.sh") + " " + certs).c_str()), 0);
  const std::string htdocs = sb.dir + "/htdocs";
  ASSERT_EQ(std::system(("mkdir -p " + htdocs + "/v1/chat").c_str()), 0);
  std::string text;
  std::ofstream(htdocs + "/v1/chat/completions") << Answer(500, &text);

  int port = 0;
  pid_t server = 0;
  const std::string log = sb.dir + "/nghttpd.log";
  for (int attempt = 0; attempt < 5 && server == 0; ++attempt) {
    port = FreePort();
    pid_t pid = Spawn({kNghttpd, "-v", "-a", "127.0.0.1", "-d", htdocs, std::to_string(port),
                       certs + "/server.key", certs + "/server.pem"},
                      {{"PATH", "/usr/bin:/bin"}}, log, log);
    for (int i = 0; i < 200 && !Accepts(port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (Accepts(port)) {
      server = pid;
    } else {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  ASSERT_NE(server, 0) << Sandbox::ReadFile(log);

  const std::string base = "https://127.0.0.1:" + std::to_string(port) + "/v1";
  ASSERT_EQ(sb.Aix({"config", "--set", "openrouter_base_url", base}).exit_code, 0);
  ASSERT_EQ(sb.Aix({"config", "--set", "ca_bundle", certs + "/ca.pem"}).exit_code, 0);
  ASSERT_EQ(sb.Aix({"api-key", "openrouter"}, "test-key-h2-not-real").exit_code, 0);
  ASSERT_EQ(sb.Aix({"create", "greet", "Hello {who}"}).exit_code, 0);
  ASSERT_EQ(sb.Aix({"daemon", "start"}).exit_code, 0);  // cold: no provider connection yet

  constexpr int kRuns = 100;
  std::vector<pid_t> runs;
  for (int i = 0; i < kRuns; ++i) {
    std::vector<std::string> argv = {AixPath(), "run", "greet", "-p", "who=" + std::to_string(i)};
    const std::string out = sb.dir + "/run" + std::to_string(i);
    runs.push_back(Spawn(argv, sb.env, out + ".out", out + ".err"));
  }
  for (int i = 0; i < kRuns; ++i) {
    EXPECT_EQ(sb.WaitExit(runs[i], 120), 0)
        << "run " << i << ": " << Sandbox::ReadFile(sb.dir + "/run" + std::to_string(i) + ".err");
    EXPECT_EQ(Sandbox::ReadFile(sb.dir + "/run" + std::to_string(i) + ".out"), text)
        << "run " << i;
  }
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);

  StreamStats s = ReadLog(Sandbox::ReadFile(log));
  EXPECT_EQ(s.streams, kRuns);
  EXPECT_EQ(s.sessions.size(), 1u) << "each session is a TCP connection";
  EXPECT_GT(s.most_open, 1) << "the runs were multiplexed, not merely sent one after another";
  std::cout << "streams " << s.streams << " on " << s.sessions.size()
            << " connection(s); at most " << s.most_open << " open at once\n";
}

}  // namespace
}  // namespace aix::testing
