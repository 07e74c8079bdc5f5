#include "daemon/endpoint/connections.h"

#include <poll.h>
#include <sys/socket.h>

#include <vector>

#include "absl/time/clock.h"

namespace aix::endpoint {

void Connections::Opened(MHD_Connection* c, int fd) {
  open_.Enter();
  std::lock_guard<std::mutex> lock(mu_);
  waiting_[c] = Pending{fd, absl::Now()};
}

void Connections::HeadersSeen(MHD_Connection* c) {
  std::lock_guard<std::mutex> lock(mu_);
  waiting_.erase(c);
}

void Connections::Closed(MHD_Connection* c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_.erase(c);
  }
  open_.Leave();
}

void Connections::ExpireSlowHeaders() {
  const absl::Time too_old = absl::Now() - kHeaderDeadline;
  std::lock_guard<std::mutex> lock(mu_);
  if (waiting_.empty()) return;
  // A peer that closed before its headers were in will never send them.
  // MHD may not notice (a connection accepted with its data and its end
  // already queued gets no further wake-up), so it is cut off now too.
  std::vector<pollfd> fds;
  fds.reserve(waiting_.size());
  for (const auto& [c, p] : waiting_) fds.push_back(pollfd{p.fd, POLLRDHUP, 0});
  poll(fds.data(), fds.size(), 0);
  size_t i = 0;
  for (auto it = waiting_.begin(); it != waiting_.end(); ++i) {
    const bool ended = (fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    if (!ended && it->second.opened > too_old) {
      ++it;
      continue;
    }
    // MHD sees the end of the stream at once and closes the connection.
    if (it->second.fd >= 0) shutdown(it->second.fd, SHUT_RDWR);
    it = waiting_.erase(it);
  }
}

}  // namespace aix::endpoint
