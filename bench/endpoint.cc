// Benchmark client for aixd's OpenAI-compatible endpoint (bench/endpoint.sh).
//
//   endpoint ttft --socket HTTP_SOCK --fake URL [--runs N] [--api chat|messages|tools]
//     N streamed chat completions, one after another on one kept-alive
//     connection, through the endpoint and straight to the fake provider,
//     interleaved; prints the time to the first content delta of each.
//     --api messages asks through POST /v1/messages (Anthropic's API, its
//     first text_delta); --api tools offers a tool and times the first
//     tool-call delta (the fake answers with a call on its /tools/ path).
//   endpoint load --socket HTTP_SOCK --fake URL [--runs N] [--aixd-pid PID]
//     N streamed chat completions started at once, through the endpoint and
//     then straight to the provider; counts whole answers, prints latency
//     percentiles and aixd's peak RSS during the load.
//
// libcurl's multi interface drives every transfer from one thread, so the
// client costs little next to what it measures. Loopback and a Unix socket
// only.
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;
  Clock::time_point start;
  double first_token_ms = -1;
  double total_ms = -1;
  long status = 0;
  CURLcode rc = CURLE_OK;
  bool ok = false;
  const char* request = nullptr;  // the body to send
  const char* marker = nullptr;   // what the first token's event contains
  const char* end = nullptr;      // what the stream's end contains
};

// Api is one way of asking: where, with what, and how the answer's first
// token and end look.
struct Api {
  const char* path;
  const char* request;
  const char* marker;
  const char* end;
};

constexpr Api kChat = {
    "/v1/chat/completions",
    R"({"model":"m","stream":true,"messages":[{"role":"user","content":"Hello bench"}]})",
    "\"content\":\"word", "data: [DONE]"};
constexpr Api kMessages = {
    "/v1/messages",
    R"({"model":"m","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hello bench"}]})",
    "\"text\":\"word", "message_stop"};
constexpr Api kTools = {
    "/v1/chat/completions",
    R"({"model":"custom:tools/m","stream":true,"messages":[{"role":"user","content":"Oslo"}],)"
    R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",)"
    R"("properties":{"city":{"type":"string"}}}}}]})",
    "\"tool_calls\"", "data: [DONE]"};

size_t OnData(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->body.append(data, size * n);
  // The first content delta: the provider's (or the endpoint's) first
  // chunk with text in it.
  if (t->first_token_ms < 0 && t->body.find(t->marker) != std::string::npos) {
    t->first_token_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t->start).count();
  }
  return size * n;
}

void Setup(Transfer* t, const std::string& url, const std::string& socket, const Api& api = kChat) {
  if (t->easy == nullptr) t->easy = curl_easy_init();
  t->body.clear();
  t->first_token_ms = t->total_ms = -1;
  t->status = 0;
  t->ok = false;
  t->request = api.request;
  t->marker = api.marker;
  t->end = api.end;
  if (t->headers == nullptr) {
    t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
    t->headers = curl_slist_append(t->headers, "Authorization: Bearer test-key-bench-0000");
  }
  curl_easy_setopt(t->easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(t->easy, CURLOPT_UNIX_SOCKET_PATH, socket.empty() ? nullptr : socket.c_str());
  curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->request);
  curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, &OnData);
  curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(t->easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, 120L);
  t->start = Clock::now();
}

void Finish(Transfer* t, CURLcode rc) {
  t->rc = rc;
  t->total_ms = std::chrono::duration<double, std::milli>(Clock::now() - t->start).count();
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
  t->ok = rc == CURLE_OK && t->status == 200 && t->first_token_ms >= 0 &&
          t->body.find(t->end) != std::string::npos;
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

long StatusKb(int pid, const char* field) {
  if (pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + strlen(field));
  }
  return -1;
}

int Ttft(const std::string& socket, const std::string& fake, int runs, const Api& api) {
  Transfer through, direct;
  // The direct request is always chat completions, to the fake.
  const Api direct_api = &api == &kTools ? kTools : kChat;
  std::vector<double> t_ep, t_direct;
  // Warm both connections first.
  for (int i = 0; i < runs + 5; ++i) {
    Setup(&through, std::string("http://localhost") + api.path, socket, api);
    Finish(&through, curl_easy_perform(through.easy));
    Setup(&direct, fake, "", direct_api);
    Finish(&direct, curl_easy_perform(direct.easy));
    if (!through.ok || !direct.ok) {
      std::fprintf(stderr, "run %d failed: endpoint %ld, direct %ld\n%s\n", i, through.status,
                   direct.status, through.body.c_str());
      return 1;
    }
    if (i < 5) continue;
    t_ep.push_back(through.first_token_ms);
    t_direct.push_back(direct.first_token_ms);
  }
  std::vector<double> diff;
  for (size_t i = 0; i < t_ep.size(); ++i) diff.push_back(t_ep[i] - t_direct[i]);
  std::printf("time to first %s over %d streamed requests to %s (kept-alive connections)\n",
              &api == &kTools ? "tool-call delta" : "token", runs, api.path);
  std::printf("  straight to the provider: median %.3f ms, p90 %.3f ms\n", Pct(t_direct, 50),
              Pct(t_direct, 90));
  std::printf("  through aixd's endpoint:  median %.3f ms, p90 %.3f ms\n", Pct(t_ep, 50),
              Pct(t_ep, 90));
  std::printf("  added by the endpoint:    median %.3f ms, p90 %.3f ms (paired)\n", Pct(diff, 50),
              Pct(diff, 90));
  return 0;
}

struct LoadResult {
  int ok = 0;
  std::string first_failure;
  std::vector<double> total, first;
  double wall_ms = 0;
  long peak_kb = -1;
};

LoadResult Load(const std::string& url, const std::string& socket, int runs, int aixd_pid) {
  LoadResult out;
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(runs + 10));
  std::vector<Transfer> transfers(static_cast<size_t>(runs));
  auto start = Clock::now();
  for (Transfer& t : transfers) {
    Setup(&t, url, socket);
    curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
    curl_multi_add_handle(multi, t.easy);
  }
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int left;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Transfer* t;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
      Finish(t, m->data.result);
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 50, nullptr);
    long rss = StatusKb(aixd_pid, "VmRSS:");
    out.peak_kb = std::max(out.peak_kb, rss);
  }
  out.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  for (Transfer& t : transfers) {
    if (t.ok) {
      ++out.ok;
      out.total.push_back(t.total_ms);
      out.first.push_back(t.first_token_ms);
    } else if (out.first_failure.empty()) {
      out.first_failure = std::string(curl_easy_strerror(t.rc)) + ", HTTP " +
                          std::to_string(t.status) + ": " + t.body.substr(0, 200);
    }
    curl_multi_remove_handle(multi, t.easy);
    curl_easy_cleanup(t.easy);
    curl_slist_free_all(t.headers);
  }
  curl_multi_cleanup(multi);
  return out;
}

void Print(const char* what, const LoadResult& r, int runs) {
  std::printf("  %-26s %d/%d whole; first token p50 %.1f p99 %.1f ms; whole answer p50 %.1f p99 %.1f "
              "ms; all done in %.0f ms\n",
              what, r.ok, runs, Pct(r.first, 50), Pct(r.first, 99), Pct(r.total, 50),
              Pct(r.total, 99), r.wall_ms);
  if (!r.first_failure.empty()) std::printf("    first failure: %s\n", r.first_failure.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  std::string socket, fake, api = "chat";
  int runs = 0, pid = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--socket") socket = argv[i + 1];
    if (flag == "--fake") fake = argv[i + 1];
    if (flag == "--runs") runs = std::atoi(argv[i + 1]);
    if (flag == "--aixd-pid") pid = std::atoi(argv[i + 1]);
    if (flag == "--api") api = argv[i + 1];
  }
  if ((mode != "ttft" && mode != "load") || socket.empty() || fake.empty()) {
    std::fprintf(stderr, "usage: endpoint ttft|load --socket HTTP_SOCK --fake URL [--runs N] [--aixd-pid PID]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (mode == "ttft") {
    const Api& chosen = api == "messages" ? kMessages : api == "tools" ? kTools : kChat;
    // The tool stream comes from the fake's /tools/ path.
    std::string url = fake;
    if (&chosen == &kTools) url.replace(url.find("/api/v1"), 7, "/tools/v1");
    return Ttft(socket, url, runs > 0 ? runs : 500, chosen);
  }
  runs = runs > 0 ? runs : 1000;
  std::printf("%d streamed chat completions started at once\n", runs);
  LoadResult direct = Load(fake, "", runs, 0);
  Print("straight to the provider:", direct, runs);
  LoadResult through = Load("http://localhost/v1/chat/completions", socket, runs, pid);
  Print("through aixd's endpoint:", through, runs);
  if (pid > 0) {
    std::printf("  aixd RSS: peak during the load %.1f MB (sampled), now %.1f MB\n",
                static_cast<double>(through.peak_kb) / 1024, static_cast<double>(StatusKb(pid, "VmRSS:")) / 1024);
  }
  return through.ok == runs && direct.ok == runs ? 0 : 1;
}
