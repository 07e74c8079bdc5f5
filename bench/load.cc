// N concurrent streamed runs through one aixd, against a baseline of the
// same N streamed requests sent straight to the provider (libcurl multi,
// same cap of 100 connections), measured in the same run. Prints success
// counts, p50/p99 latency of each, the difference (aixd's added latency),
// and aixd's peak resident memory. See bench/load.sh.
//
// Usage: load --socket PATH --fake URL --prompt NAME --runs N --aixd-pid PID
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpcpp/create_channel.h>

#include "aix/v1/runs.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

// Baseline: all requests at once through one multi handle.
std::vector<double> Direct(const std::string& url, int runs, int* ok) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 100L);
  const std::string body =
      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]})";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::vector<Clock::time_point> start(runs);
  std::vector<double> latency;
  for (int i = 0; i < runs; ++i) {
    CURL* e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(e, CURLOPT_PRIVATE, reinterpret_cast<char*>(static_cast<intptr_t>(i)));
    start[i] = Clock::now();
    curl_multi_add_handle(multi, e);
  }
  int running = 1;
  *ok = 0;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int queued;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      char* p;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
      latency.push_back(Ms(Clock::now() - start[reinterpret_cast<intptr_t>(p)]));
      if (m->data.result == CURLE_OK) ++*ok;
      curl_multi_remove_handle(multi, m->easy_handle);
      curl_easy_cleanup(m->easy_handle);
    }
    curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  return latency;
}

// Through aixd: one thread per run, all released at once.
std::vector<double> ThroughAixd(const std::string& socket, const std::string& prompt, int runs,
                                int* ok) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // distinct channels, distinct connections
    channels.push_back(grpc::CreateCustomChannel("unix:" + socket,
                                                 grpc::InsecureChannelCredentials(), args));
  }
  std::vector<double> latency(runs, -1);
  std::atomic<int> good{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < runs; ++i) {
    threads.emplace_back([&, i] {
      auto stub = aix::v1::RunService::NewStub(channels[i % channels.size()]);
      while (!go.load()) std::this_thread::yield();
      auto t0 = Clock::now();
      grpc::ClientContext ctx;
      aix::v1::RunRequest req;
      req.set_prompt(prompt);
      (*req.mutable_params())["who"] = std::to_string(i);
      auto reader = stub->Run(&ctx, req);
      aix::v1::RunEvent ev;
      bool done = false;
      while (reader->Read(&ev)) done |= ev.has_done();
      if (reader->Finish().ok() && done) ++good;
      latency[i] = Ms(Clock::now() - t0);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  *ok = good;
  return latency;
}

long PeakRssKb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aixd concurrent-run load benchmark"};
  std::string socket, fake, prompt = "greet";
  int runs = 1000, pid = 0;
  app.add_option("--socket", socket)->required();
  app.add_option("--fake", fake, "chat URL of the fake provider")->required();
  app.add_option("--prompt", prompt);
  app.add_option("--runs", runs)->check(CLI::Range(1, 5000));
  app.add_option("--aixd-pid", pid)->required();
  CLI11_PARSE(app, argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  int direct_ok = 0, aixd_ok = 0;
  auto direct = Direct(fake, runs, &direct_ok);
  auto t0 = Clock::now();
  auto through = ThroughAixd(socket, prompt, runs, &aixd_ok);
  double wall = Ms(Clock::now() - t0);
  printf("%d concurrent streamed runs (same run, same fake provider)\n", runs);
  printf("  direct to provider (libcurl, <=100 conns): %d ok  p50 %7.1f ms  p99 %7.1f ms\n",
         direct_ok, Percentile(direct, 0.5), Percentile(direct, 0.99));
  printf("  through aixd (aix.v1 Run streams):         %d ok  p50 %7.1f ms  p99 %7.1f ms"
         "  (all done in %.0f ms)\n",
         aixd_ok, Percentile(through, 0.5), Percentile(through, 0.99), wall);
  printf("  added by aixd:                             p50 %+7.1f ms  p99 %+7.1f ms\n",
         Percentile(through, 0.5) - Percentile(direct, 0.5),
         Percentile(through, 0.99) - Percentile(direct, 0.99));
  printf("  aixd peak RSS: %.1f MB\n", PeakRssKb(pid) / 1024.0);
  return aixd_ok == runs ? 0 : 1;
}
