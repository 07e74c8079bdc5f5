// LiveExchanges: every HTTP exchange still alive on any door, and the runs
// in flight by door. The watcher checks their peers through it; stopping a
// door (or aixd) cancels their runs and waits for them through it, because
// MHD must not stop while one of its connections is suspended, and a
// connection waits suspended only while its run is in flight.
#ifndef AIX_DAEMON_ENDPOINT_LIVE_EXCHANGES_H_
#define AIX_DAEMON_ENDPOINT_LIVE_EXCHANGES_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "daemon/endpoint/exchange.h"

namespace aix::endpoint {

class LiveExchanges {
 public:
  // Add registers `ex` until it is destroyed.
  void Add(const std::shared_ptr<Exchange>& ex);
  // Remove is called by ~Exchange.
  void Remove(Exchange* ex);

  // CheckPeers calls CheckPeer on each live exchange.
  void CheckPeers();
  // Cancel cancels the exchanges of one door (tcp or not) or, with `all`,
  // of every door.
  void Cancel(bool tcp, bool all);

  // A run (or work that stands for one, such as parsing a large body on a
  // thread of its own) in flight on a door.
  void RunStarted(bool tcp);
  void RunEnded(bool tcp);
  // WaitRuns waits until no run is in flight on the door (or any door);
  // false on timeout.
  bool WaitRuns(bool tcp, bool all, absl::Duration timeout);
  // WaitIdle waits until no exchange is alive; false on timeout.
  bool WaitIdle(absl::Duration timeout);

 private:
  std::vector<std::shared_ptr<Exchange>> Snapshot();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Exchange*, std::weak_ptr<Exchange>> live_;  // guarded by mu_
  int in_flight_[2] = {0, 0};                          // guarded by mu_; [tcp]
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_LIVE_EXCHANGES_H_
