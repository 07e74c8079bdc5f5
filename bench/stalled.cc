// Streams that never read: opens N runs over C gRPC connections and never
// reads a message of any of them, while the provider streams without end.
// Samples aixd's memory (RSS and private memory, /proc/PID/smaps_rollup)
// before, while the streams are held for HOLD seconds, and after they are
// cancelled. See bench/stalled.sh.
//
// Usage: stalled --socket PATH --prompt NAME --streams N --connections C
//                --hold SECONDS --aixd-pid PID
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpcpp/create_channel.h>

#include "aix/v1/runs.grpc.pb.h"

namespace {

struct Memory {
  long rss_kb = 0;
  long private_kb = 0;  // Private_Clean + Private_Dirty: what aixd alone costs
};

Memory Sample(int pid) {
  Memory m;
  std::ifstream f("/proc/" + std::to_string(pid) + "/smaps_rollup");
  std::string line;
  while (std::getline(f, line)) {  // the first line names the range, not a field
    const long kb = std::atol(line.c_str() + std::min(line.size(), line.find(':') + 1));
    if (line.rfind("Rss:", 0) == 0) m.rss_kb = kb;
    if (line.rfind("Private_Clean:", 0) == 0 || line.rfind("Private_Dirty:", 0) == 0) {
      m.private_kb += kb;
    }
  }
  return m;
}

// A run whose reader never asks for a message: gRPC's flow control is all
// that stands between the provider and aixd's memory.
class Stalled : public grpc::ClientReadReactor<aix::v1::RunEvent> {
 public:
  Stalled(aix::v1::RunService::Stub* stub, const std::string& prompt, int i) {
    req_.set_prompt(prompt);
    (*req_.mutable_params())["who"] = std::to_string(i);
    stub->async()->Run(&ctx_, &req_, this);
    StartCall();
  }
  void Cancel() { ctx_.TryCancel(); }
  void OnDone(const grpc::Status&) override { done_ = true; }
  bool done() const { return done_; }

 private:
  grpc::ClientContext ctx_;
  aix::v1::RunRequest req_;
  std::atomic<bool> done_{false};
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"streams that never read"};
  std::string socket, prompt;
  int streams = 100, connections = 4, hold = 10, pid = 0;
  app.add_option("--socket", socket)->required();
  app.add_option("--prompt", prompt)->required();
  app.add_option("--streams", streams);
  app.add_option("--connections", connections);
  app.add_option("--hold", hold);
  app.add_option("--aixd-pid", pid)->required();
  CLI11_PARSE(app, argc, argv);

  const Memory idle = Sample(pid);
  std::vector<std::unique_ptr<aix::v1::RunService::Stub>> stubs;
  for (int i = 0; i < connections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // distinct channels, distinct connections
    stubs.push_back(aix::v1::RunService::NewStub(
        grpc::CreateCustomChannel("unix:" + socket, grpc::InsecureChannelCredentials(), args)));
  }
  std::vector<std::unique_ptr<Stalled>> runs;
  for (int i = 0; i < streams; ++i) {
    runs.push_back(std::make_unique<Stalled>(stubs[i % connections].get(), prompt, i));
  }
  Memory peak = idle;
  for (int t = 0; t < hold * 10; ++t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const Memory now = Sample(pid);
    peak.rss_kb = std::max(peak.rss_kb, now.rss_kb);
    peak.private_kb = std::max(peak.private_kb, now.private_kb);
  }
  const Memory held = Sample(pid);
  for (auto& r : runs) r->Cancel();
  for (int t = 0; t < 100; ++t) {  // bounded: 10 s for every OnDone
    bool all = true;
    for (auto& r : runs) all = all && r->done();
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(5));  // the history writes what they sent
  const Memory after = Sample(pid);
  const double per = streams > 0 ? 1.0 / streams : 0;
  std::printf("%d streams on %d connections, never read, held %d s\n", streams, connections, hold);
  std::printf("  aixd private %.1f MB idle, %.1f MB held (+%.1f MB, %.0f kB a stream), peak %.1f MB, "
              "%.1f MB after\n",
              idle.private_kb / 1024.0, held.private_kb / 1024.0,
              (held.private_kb - idle.private_kb) / 1024.0,
              (held.private_kb - idle.private_kb) * per, peak.private_kb / 1024.0,
              after.private_kb / 1024.0);
  std::printf("  aixd RSS     %.1f MB idle, %.1f MB held (+%.1f MB), peak %.1f MB, %.1f MB after\n",
              idle.rss_kb / 1024.0, held.rss_kb / 1024.0, (held.rss_kb - idle.rss_kb) / 1024.0,
              peak.rss_kb / 1024.0, after.rss_kb / 1024.0);
  return 0;
}
