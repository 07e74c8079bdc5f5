#include "daemon/daemon.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "absl/time/clock.h"
#include "common/paths.h"
#include "common/version.h"
#include "daemon/config/config_store.h"
#include "daemon/config/settings.h"
#include "daemon/endpoint/control.h"
#include "daemon/endpoint/http_endpoint.h"
#include "daemon/endpoint/token_store.h"
#include "daemon/web/sign_in.h"
#include "daemon/history/history_db.h"
#include "daemon/history/history_writer.h"
#include "daemon/http/pool.h"
#include "daemon/prompts/bundle.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/server/listener.h"
#include "daemon/server/log.h"
#include "daemon/server/peer_registry.h"
#include "daemon/server/server.h"
#include "daemon/services/collection_service.h"
#include "daemon/services/config_service.h"
#include "daemon/services/daemon_service.h"
#include "daemon/services/history_service.h"
#include "daemon/services/mcp_service.h"
#include "daemon/mcp/hub.h"
#include "daemon/mcp/self_backend.h"
#include "daemon/services/key_service.h"
#include "daemon/services/prompt_service.h"
#include "daemon/services/provider_service.h"
#include "daemon/services/run_service.h"

extern char** environ;

namespace aix {
namespace {

// How long in-flight calls may run after a shutdown request before they
// are cancelled.
constexpr absl::Duration kShutdownGrace = absl::Seconds(2);
// Past the grace, what shutdown may take before aixd leaves anyway (inside
// aixd.service's TimeoutStopSec of 10 s).
constexpr absl::Duration kShutdownSlack = absl::Seconds(6);

v1::StartMethod StartMethodOf(const DaemonOptions& options, bool socket_activated) {
  if (socket_activated) return v1::START_METHOD_SYSTEMD_SOCKET;
  if (options.started_by_client) return v1::START_METHOD_AUTO;
  if (std::getenv("INVOCATION_ID") != nullptr) return v1::START_METHOD_SYSTEMD_SERVICE;
  return v1::START_METHOD_FOREGROUND;
}

int Fail(const absl::Status& status) {
  Log(LogLevel::kError, status.message());
  return 1;
}

// RaiseDescriptorLimit lifts the soft limit on open descriptors to the hard
// one (at most 65,536): a daemon shared by all of a user's programs, with a
// port other users can reach, must not run out at the usual 1,024. The HTTP
// doors take only a share of what is left (daemon/endpoint).
void RaiseDescriptorLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  const rlim_t want = rl.rlim_max == RLIM_INFINITY ? 65536 : std::min<rlim_t>(rl.rlim_max, 65536);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rl.rlim_cur = want;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Harden is the first thing aixd does. It holds keys in memory, so it
// leaves no core dump (which would land in whatever directory it started
// from, readable by tools that index it) and cannot be ptrace'd by the
// user's other programs; it keeps no directory busy; and it drops provider
// keys from its own environment: keys sent by a client live for one
// request, and a daemon started from a shell that had OPENAI_API_KEY set
// must not keep it for its whole life.
void Harden() {
  if (chdir("/") != 0) Log(LogLevel::kWarning, "chdir /: failed");
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  std::vector<std::string> keys;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view var(*e);
    absl::string_view name = var.substr(0, var.find('='));
    if (IsApiKeyVariable(name)) keys.emplace_back(name);
  }
  for (const std::string& k : keys) unsetenv(k.c_str());
  RaiseDescriptorLimit();
}

// ControlSlot hands the HTTP endpoint's control to gRPC's threads. gRPC
// serves a moment before the endpoint (a client of gRPC) is up: a call in
// that moment (aix endpoint right after aix started aixd) waits for it,
// bounded, instead of failing.
class ControlSlot {
 public:
  void Set(endpoint::Control* control) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      control_ = control;
    }
    ready_.notify_all();
  }

  // Wait returns the control, or null if it is not up within 10 s.
  endpoint::Control* Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait_for(lock, std::chrono::seconds(10), [this] { return control_ != nullptr; });
    return control_;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  endpoint::Control* control_ = nullptr;  // guarded by mu_
};

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  // Signals are taken synchronously by sigwait below; block them before any
  // thread exists so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Harden();

  const absl::Time started = absl::Now();
  EnvLookup env = ProcessEnv();
  std::string socket_path = options.socket_path;
  if (socket_path.empty()) {
    auto resolved = SocketPath(env);
    if (!resolved.ok()) return Fail(resolved.status());
    socket_path = *resolved;
  }
  auto storage = StorageDir(env);
  if (!storage.ok()) return Fail(storage.status());

  auto listener = SocketListener::Open(socket_path);
  if (!listener.ok()) return Fail(listener.status());
  const bool activated = (*listener)->socket_activated();
  socket_path = (*listener)->path();
  const std::string http_path = (*listener)->http_path();
  std::string http_error = (*listener)->http_error();
  const int http_fd = (*listener)->ReleaseHttpFd();

  config::ConfigStore store(*storage);
  // A writer killed mid-write (kill -9, power loss) leaves its temporary
  // file, which may hold keys.
  if (int n = RemoveStaleTempFiles(store.storage_dir()) + RemoveStaleTempFiles(store.storage_dir() + "/prompts")) {
    Log(LogLevel::kInfo, absl::StrCat("removed ", n, " stale temporary file(s) in ", store.storage_dir()));
  }
  PeerRegistry peers(geteuid());
  DaemonFacts facts{started, socket_path, StartMethodOf(options, activated),
                    store.storage_dir(), store.path()};
  // The HTTP endpoint's control is wired before the services that call it;
  // the endpoint itself starts once gRPC serves (it is a client of it).
  endpoint::TokenStore token(store.storage_dir() + "/endpoint_token");
  web::SignIn web_sign_in;  // the web page's sessions (aix ui)
  std::unique_ptr<endpoint::HttpEndpoint> http;
  std::unique_ptr<endpoint::Control> control;
  ControlSlot control_slot;  // read by gRPC's threads
  ConfigServiceImpl config_service(&store, &peers, [&control_slot](const std::string& key) {
    if (key != "http_listen" && !key.empty()) return absl::OkStatus();
    endpoint::Control* c = control_slot.Wait();
    return c == nullptr ? absl::OkStatus() : c->Apply();
  });
  KeyServiceImpl key_service(&store, &peers);
  prompts::PromptStore prompt_store(store.storage_dir() + "/prompts");
  // An import that aixd died in the middle of is undone before anything
  // reads the library: imports are all or nothing.
  if (auto undone = prompts::RecoverImport(prompt_store); !undone.ok()) {
    Log(LogLevel::kError, absl::StrCat("rolling back an unfinished import: ", undone.status().message()));
  } else if (*undone > 0) {
    Log(LogLevel::kInfo, absl::StrCat("rolled back an import that did not finish (", *undone, " file(s))"));
  }
  prompts::CollectionStore collection_store(store.storage_dir() + "/collections");
  PromptServiceImpl prompt_service(&prompt_store, &collection_store, &peers);
  CollectionServiceImpl collection_service(&collection_store, &prompt_store, &store, &peers);
  // The history outlives the pool: a transfer the pool ends at shutdown
  // still records its run.
  history::HistoryDb history_db(store.storage_dir());
  history::HistoryWriter history_writer(&history_db, [&store]() -> int64_t {
    auto doc = store.Document();
    return doc.ok() ? config::ReadRunSettings(*doc).history_keep_days : 0;
  });
  http::HttpPool pool;
  HistoryServiceImpl history_service(&history_db, &history_writer, &peers);
  RunServiceImpl run_service(&store, &prompt_store, &collection_store, &pool, &peers,
                             &history_writer);
  ProviderServiceImpl provider_service(&store, &pool, &peers);
  DaemonServiceImpl daemon_service(
      facts, &peers, [] { kill(getpid(), SIGTERM); },
      [&run_service] { return run_service.active_runs(); },
      [&control_slot](const v1::GetEndpointRequest& r) -> absl::StatusOr<v1::EndpointInfo> {
        endpoint::Control* c = control_slot.Wait();
        if (c == nullptr) return absl::UnavailableError(
            "aixd's HTTP endpoint did not come up within 10 s; see aixd's log (aix daemon status)");
        return c->Info(r);
      });

  // The MCP server calls the services above through the in-process
  // channel, so it gets its backend once gRPC serves.
  mcp::Hub mcp_hub;
  McpServiceImpl mcp_service(&mcp_hub, &peers);

  Server server(std::move(*listener), &peers,
                {&daemon_service, &config_service, &key_service, &prompt_service,
                 &collection_service, &run_service, &provider_service, &history_service,
                 &mcp_service});
  absl::Status s = server.Start();
  if (!s.ok()) return Fail(s);
  mcp_hub.Start(std::make_unique<mcp::SelfBackend>(server.InProcessChannel(), peers.in_process_secret()));
  http = std::make_unique<endpoint::HttpEndpoint>(server.InProcessChannel(),
                                                peers.in_process_secret(), &token, &mcp_hub,
                                                &web_sign_in);
  if (http_fd >= 0) {
    absl::Status served = http->ServeUnix(http_fd, http_path);
    if (!served.ok()) http_error = std::string(served.message());
  }
  if (!http_error.empty()) {
    Log(LogLevel::kWarning, absl::StrCat("OpenAI-compatible endpoint not on a socket: ", http_error));
  }
  control = std::make_unique<endpoint::Control>(&store, http.get(), &token, &web_sign_in,
                                               http_error);
  if (absl::Status applied = control->Apply(); !applied.ok()) {
    Log(LogLevel::kWarning, applied.message());
  }
  control_slot.Set(control.get());
  Log(LogLevel::kInfo,
      absl::StrCat("aixd ", kVersion, " serving ", kApiVersion, " on ", socket_path,
                   " (", v1::StartMethod_Name(facts.start_method), ", storage ",
                   store.storage_dir(), ")"));
  sd_notify(0, "READY=1");

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }
  Log(LogLevel::kInfo, absl::StrCat("received ", strsignal(sig), "; shutting down"));
  sd_notify(0, "STOPPING=1");
  // Shutdown is bounded whatever a handler does: one stuck in a system
  // call (a file that blocks, a disk that hangs) must not keep aixd alive
  // with SIGTERM pending. State on disk is always whole (atomic writes), so
  // leaving without the last goodbyes loses nothing.
  std::thread([] {
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(kShutdownGrace + kShutdownSlack));
    Log(LogLevel::kError, absl::StrCat("shutdown did not finish in ",
                                       absl::FormatDuration(kShutdownGrace + kShutdownSlack),
                                       " (a request is stuck); exiting anyway"));
    _exit(1);
  }).detach();
  // HTTP streams get the same grace as gRPC runs, then end; the endpoint
  // stops before the gRPC server its calls go through.
  // MCP sessions end first: their runs are cancelled, and their workers
  // stop calling the services before those stop.
  mcp_hub.Shutdown(kShutdownGrace);
  http->Shutdown(kShutdownGrace);
  server.Shutdown(kShutdownGrace);
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace aix
