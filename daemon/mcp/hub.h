// Hub: aixd's MCP server as a whole — the backend every session uses
// (set once gRPC serves, since it calls through gRPC), the sessions of
// the HTTP transport by Mcp-Session-Id, the worker threads that run
// requests, and the watcher that tells sessions the library changed.
#ifndef AIX_DAEMON_MCP_HUB_H_
#define AIX_DAEMON_MCP_HUB_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/mcp/backend.h"
#include "daemon/mcp/session.h"

namespace aix::mcp {

class Hub {
 public:
  // How many HTTP sessions are kept; the one idle longest makes room.
  static constexpr size_t kMaxHttpSessions = 64;
  // How many requests run at once over all sessions.
  static constexpr int kMaxWorkers = 256;
  // How often the watcher looks at the library while a client listens.
  static constexpr absl::Duration kWatchEvery = absl::Seconds(1);

  Hub() = default;
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Start gives the hub its backend and starts the watcher.
  void Start(std::unique_ptr<Backend> backend);
  Backend* backend();

  // Open starts a session; Unavailable while aixd stops.
  absl::StatusOr<std::shared_ptr<Session>> Open(std::shared_ptr<Outbox> unsolicited);

  // The HTTP transport's sessions: Keep gives one an id (and may end the
  // one idle longest), Find looks one up, End closes one.
  std::string Keep(std::shared_ptr<Session> session);
  std::shared_ptr<Session> Find(const std::string& id);
  bool End(const std::string& id);

  // Spawn runs `work` on a thread of its own; Unavailable (saying which)
  // when aixd stops or kMaxWorkers are busy.
  absl::Status Spawn(std::function<void()> work);

  // Shutdown closes every session and waits up to `grace` for the work in
  // flight to end.
  void Shutdown(absl::Duration grace);

 private:
  void Watch();

  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Backend> backend_;                              // set once by Start
  bool stopping_ = false;                                          // guarded by mu_
  int workers_ = 0;                                                // guarded by mu_
  std::vector<std::weak_ptr<Session>> sessions_;                   // guarded by mu_
  std::map<std::string, std::shared_ptr<Session>> http_sessions_;  // guarded by mu_
  std::thread watcher_;
};

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_HUB_H_
