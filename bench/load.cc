// N concurrent streamed runs through one aixd, against a baseline of the
// same N streamed requests sent straight to the provider (libcurl multi,
// same cap of 100 connections), measured in the same run. Prints success
// counts, p50/p99 latency of each, the difference (aixd's added latency),
// and aixd's peak resident memory. See bench/load.sh.
//
// Usage: load --socket PATH --fake URL [--ca FILE] --prompt NAME --runs N --aixd-pid PID
#include <curl/curl.h>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
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
std::vector<double> Direct(const std::string& url, const std::string& ca, int runs, int* ok) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
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
    if (!ca.empty()) {  // as aixd's pool does: HTTP/2 over TLS, multiplexed
      curl_easy_setopt(e, CURLOPT_CAINFO, ca.c_str());
      curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
      curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    }
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

// One run through aixd as a gRPC callback reactor: the load client holds
// no thread per run, so it does not compete with aixd for the two cores.
class RunReader : public grpc::ClientReadReactor<aix::v1::RunEvent> {
 public:
  struct Tally {
    std::mutex mu;
    std::condition_variable cv;
    int finished = 0;
    int ok = 0;
  };

  RunReader(aix::v1::RunService::Stub* stub, const std::string& prompt, int i, double* latency,
            Tally* tally)
      : latency_(latency), tally_(tally) {
    req_.set_prompt(prompt);
    (*req_.mutable_params())["who"] = std::to_string(i);
    start_ = Clock::now();
    stub->async()->Run(&ctx_, &req_, this);
    StartRead(&ev_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    done_ |= ev_.has_done();
    StartRead(&ev_);
  }

  void OnDone(const grpc::Status& status) override {
    *latency_ = Ms(Clock::now() - start_);
    {
      std::lock_guard<std::mutex> lock(tally_->mu);
      ++tally_->finished;
      if (status.ok() && done_) ++tally_->ok;
    }
    tally_->cv.notify_all();
    delete this;
  }

 private:
  grpc::ClientContext ctx_;
  aix::v1::RunRequest req_;
  aix::v1::RunEvent ev_;
  bool done_ = false;
  Clock::time_point start_;
  double* latency_;
  Tally* tally_;
};

// Through aixd: all runs started at once over a few channels.
std::vector<double> ThroughAixd(const std::string& socket, const std::string& prompt, int runs,
                                int* ok) {
  std::vector<std::unique_ptr<aix::v1::RunService::Stub>> stubs;
  for (int i = 0; i < 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // distinct channels, distinct connections
    stubs.push_back(aix::v1::RunService::NewStub(
        grpc::CreateCustomChannel("unix:" + socket, grpc::InsecureChannelCredentials(), args)));
  }
  std::vector<double> latency(runs, -1);
  RunReader::Tally tally;
  for (int i = 0; i < runs; ++i) {
    new RunReader(stubs[i % stubs.size()].get(), prompt, i, &latency[i], &tally);
  }
  std::unique_lock<std::mutex> lock(tally.mu);
  tally.cv.wait(lock, [&] { return tally.finished == runs; });
  *ok = tally.ok;
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

// CpuMs is the CPU time (user + system) process `pid` has used so far.
double CpuMs(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));  // after "(comm) "
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return (utime + stime) * 1000.0 / sysconf(_SC_CLK_TCK);
}

// ContextSwitches sums the voluntary and involuntary context switches of
// every live thread of process `pid`.
long ContextSwitches(int pid) {
  long total = 0;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(tasks.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(tasks + "/" + e->d_name + "/status");
    std::string line;
    while (std::getline(f, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        total += std::stol(line.substr(line.find(':') + 1));
      }
    }
  }
  closedir(d);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aixd concurrent-run load benchmark"};
  std::string socket, fake, ca, prompt = "greet";
  int runs = 1000, pid = 0;
  app.add_option("--socket", socket)->required();
  app.add_option("--fake", fake, "chat URL of the fake provider")->required();
  app.add_option("--prompt", prompt);
  app.add_option("--ca", ca, "CA file: the provider is HTTPS (HTTP/2 when it offers it)");
  app.add_option("--runs", runs)->check(CLI::Range(1, 5000));
  app.add_option("--aixd-pid", pid)->required();
  CLI11_PARSE(app, argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  int direct_ok = 0, aixd_ok = 0;
  auto direct = Direct(fake, ca, runs, &direct_ok);
  const double cpu0 = CpuMs(pid);
  const long switches0 = ContextSwitches(pid);
  auto t0 = Clock::now();
  auto through = ThroughAixd(socket, prompt, runs, &aixd_ok);
  double wall = Ms(Clock::now() - t0);
  const double aixd_cpu = CpuMs(pid) - cpu0;
  const long switches = ContextSwitches(pid) - switches0;
  printf("%d concurrent streamed runs (same run, same fake provider)\n", runs);
  printf("  direct to provider (libcurl, <=100 conns): %d ok  p50 %7.1f ms  p99 %7.1f ms\n",
         direct_ok, Percentile(direct, 0.5), Percentile(direct, 0.99));
  printf("  through aixd (aix.v1 Run streams):         %d ok  p50 %7.1f ms  p99 %7.1f ms"
         "  (all done in %.0f ms)\n",
         aixd_ok, Percentile(through, 0.5), Percentile(through, 0.99), wall);
  printf("  added by aixd:                             p50 %+7.1f ms  p99 %+7.1f ms\n",
         Percentile(through, 0.5) - Percentile(direct, 0.5),
         Percentile(through, 0.99) - Percentile(direct, 0.99));
  printf("  aixd CPU: %.0f ms for %d runs (%.0f us per run), %.1f context switches per run\n",
         aixd_cpu, runs, aixd_cpu * 1000 / runs, static_cast<double>(switches) / runs);
  printf("  aixd peak RSS: %.1f MB\n", PeakRssKb(pid) / 1024.0);
  return aixd_ok == runs ? 0 : 1;
}
