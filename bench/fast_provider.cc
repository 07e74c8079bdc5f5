// A fake OpenAI-compatible provider for load benchmarks, on 127.0.0.1 only.
//
// tests/fakes/fake_provider.py is scriptable and hostile but, being Python
// with a thread per connection, it saturates at a few hundred streams a
// second and so hides what aixd itself adds. This one answers every POST
// whose path ends in /chat/completions with the same short SSE stream
// (role, a few text deltas, finish reason, usage, [DONE]) from one epoll
// thread (libmicrohttpd), and GET .../models with one model; nothing else.
// Under a path with /tools/ in it the stream is a tool call instead (its
// id and name, then argument fragments).
//
// Usage: fast_provider PORT_FILE [--deltas N]
// The port is written to PORT_FILE once it listens; SIGTERM stops it.
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

std::string StreamBody(int deltas) {
  auto event = [](const std::string& choice) {
    return "data: {\"id\":\"chatcmpl-fast\",\"object\":\"chat.completion.chunk\",\"model\":"
           "\"fast\",\"choices\":[" + choice + "]}\n\n";
  };
  std::string body = event(R"({"index":0,"delta":{"role":"assistant","content":""}})");
  for (int i = 0; i < deltas; ++i) {
    body += event(R"({"index":0,"delta":{"content":"word )" + std::to_string(i) + R"( "}})");
  }
  body += event(R"({"index":0,"delta":{},"finish_reason":"stop"})");
  body += "data: {\"id\":\"chatcmpl-fast\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
          "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + std::to_string(deltas) +
          ",\"total_tokens\":" + std::to_string(deltas + 5) + "}}\n\n";
  body += "data: [DONE]\n\n";
  return body;
}

std::string ToolStreamBody(int deltas) {
  auto event = [](const std::string& choice) {
    return "data: {\"id\":\"chatcmpl-fast\",\"object\":\"chat.completion.chunk\",\"model\":"
           "\"fast\",\"choices\":[" + choice + "]}\n\n";
  };
  std::string body = event(
      R"({"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,)"
      R"("id":"call_fast","type":"function","function":{"name":"get_weather","arguments":""}}]}})");
  for (int i = 0; i < deltas; ++i) {
    body += event(R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":")" +
                  std::string(i == 0 ? "{\\\"city\\\": \\\"" : "Oslo") + R"("}}]}})");
  }
  body += event(R"({"index":0,"delta":{},"finish_reason":"tool_calls"})");
  body += "data: [DONE]\n\n";
  return body;
}

struct Responses {
  MHD_Response* stream = nullptr;
  MHD_Response* tools = nullptr;
  MHD_Response* models = nullptr;
  MHD_Response* not_found = nullptr;
};

bool EndsWith(const char* s, const char* suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

MHD_Result Answer(void* cls, MHD_Connection* conn, const char* url, const char* method,
                  const char*, const char*, size_t* upload_size, void** state) {
  static int started;
  if (*state == nullptr) {  // headers only so far
    *state = &started;
    return MHD_YES;
  }
  if (*upload_size != 0) {  // the request body: read and ignored
    *upload_size = 0;
    return MHD_YES;
  }
  auto* r = static_cast<Responses*>(cls);
  if (strcmp(method, "POST") == 0 && EndsWith(url, "/chat/completions")) {
    return MHD_queue_response(conn, MHD_HTTP_OK, strstr(url, "/tools/") ? r->tools : r->stream);
  }
  if (strcmp(method, "GET") == 0 && EndsWith(url, "/models")) {
    return MHD_queue_response(conn, MHD_HTTP_OK, r->models);
  }
  return MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, r->not_found);
}

MHD_Response* Fixed(const std::string& body, const char* type) {
  MHD_Response* r = MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                                    MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, "Content-Type", type);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: fast_provider PORT_FILE [--deltas N]\n");
    return 2;
  }
  int deltas = 8;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--deltas") == 0) deltas = atoi(argv[i + 1]);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 4096) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    perror("fast_provider: listen on 127.0.0.1");
    return 1;
  }
  // Signals are taken by sigwait below, so libmicrohttpd's thread must
  // inherit them blocked.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  Responses r;
  r.stream = Fixed(StreamBody(deltas), "text/event-stream");
  r.tools = Fixed(ToolStreamBody(deltas), "text/event-stream");
  r.models = Fixed(R"({"object":"list","data":[{"id":"fast","object":"model"}]})",
                   "application/json");
  r.not_found = Fixed(R"({"error":{"message":"not found"}})", "application/json");
  MHD_Daemon* d = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr, &Answer, &r,
      MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 8000u,
      MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
  if (d == nullptr) {
    fprintf(stderr, "fast_provider: libmicrohttpd did not start\n");
    return 1;
  }
  {
    std::string tmp = std::string(argv[1]) + ".tmp";
    std::ofstream(tmp) << ntohs(addr.sin_port) << "\n";
    rename(tmp.c_str(), argv[1]);
  }
  int sig;
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
  return 0;
}
