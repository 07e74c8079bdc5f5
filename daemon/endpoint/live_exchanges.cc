#include "daemon/endpoint/live_exchanges.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

namespace aix::endpoint {

bool Exchange::ClientLeft() const {
  if (fd() < 0) return false;
  char c;
  ssize_t n = recv(fd(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR))) return false;
  if (n == 0 && !tcp()) {
    pollfd p{fd(), POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, 0) >= 0 && (p.revents & (POLLHUP | POLLERR)) == 0) return false;
  }
  return true;
}

Exchange::~Exchange() {
  if (live_ != nullptr) live_->Remove(this);
}

void LiveExchanges::Add(const std::shared_ptr<Exchange>& ex) {
  std::lock_guard<std::mutex> lock(mu_);
  ex->live_ = this;
  live_[ex.get()] = ex;
}

void LiveExchanges::Remove(Exchange* ex) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(ex);
  if (live_.empty()) cv_.notify_all();
}

std::vector<std::shared_ptr<Exchange>> LiveExchanges::Snapshot() {
  std::vector<std::shared_ptr<Exchange>> all;
  std::lock_guard<std::mutex> lock(mu_);
  all.reserve(live_.size());
  for (auto& [p, weak] : live_) {
    if (auto ex = weak.lock()) all.push_back(std::move(ex));
  }
  return all;
}

void LiveExchanges::CheckPeers() {
  for (auto& ex : Snapshot()) ex->CheckPeer();
}

void LiveExchanges::Cancel(bool tcp, bool all) {
  for (auto& ex : Snapshot()) {
    if (all || ex->tcp() == tcp) ex->Cancel();
  }
}

void LiveExchanges::RunStarted(bool tcp) {
  std::lock_guard<std::mutex> lock(mu_);
  ++in_flight_[tcp];
}

void LiveExchanges::RunEnded(bool tcp) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_[tcp];
  cv_.notify_all();
}

bool LiveExchanges::WaitRuns(bool tcp, bool all, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] {
    return all ? in_flight_[0] + in_flight_[1] == 0 : in_flight_[tcp] == 0;
  });
}

bool LiveExchanges::WaitIdle(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [this] { return live_.empty(); });
}

}  // namespace aix::endpoint
