#include "daemon/mcp/hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/secrets.h"
#include "daemon/server/log.h"

namespace aix::mcp {
namespace {

// Fingerprint is what a client's prompt listing shows; when it changes,
// the listing did.
std::string Fingerprint(const v1::ListPromptsResponse& listing) {
  std::string f;
  for (const v1::Prompt& p : listing.prompts()) {
    absl::StrAppend(&f, p.name(), "\t", p.updated_unix_ms(), "\t", p.description(), "\t");
    for (const std::string& v : p.variables()) absl::StrAppend(&f, v, ",");
    f += "\n";
  }
  return f;
}

}  // namespace

Hub::~Hub() { Shutdown(absl::ZeroDuration()); }

void Hub::Start(std::unique_ptr<Backend> backend) {
  std::lock_guard<std::mutex> lock(mu_);
  backend_ = std::move(backend);
  watcher_ = std::thread([this] { Watch(); });
}

Backend* Hub::backend() {
  std::lock_guard<std::mutex> lock(mu_);
  return backend_.get();
}

absl::StatusOr<std::shared_ptr<Session>> Hub::Open(std::shared_ptr<Outbox> unsolicited) {
  auto session = std::make_shared<Session>(this, std::move(unsolicited));
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return absl::UnavailableError("aixd is stopping");
  // Forget sessions that have ended, so the list stays as long as the live ones.
  sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                 [](const std::weak_ptr<Session>& s) { return s.expired(); }),
                  sessions_.end());
  sessions_.push_back(session);
  if (session->can_push()) cv_.notify_all();  // the watcher notes the library as this client first sees it
  return session;
}

std::string Hub::Keep(std::shared_ptr<Session> session) {
  // Unguessable: on the loopback port another local user could otherwise
  // talk into a session (the token still guards the door).
  std::string id = absl::BytesToHexString(RandomBytes(16).value_or(""));
  std::shared_ptr<Session> evicted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (http_sessions_.size() >= kMaxHttpSessions) {
      auto idle = std::min_element(http_sessions_.begin(), http_sessions_.end(), [](const auto& a, const auto& b) {
        return a.second->last_used() < b.second->last_used();
      });
      evicted = std::move(idle->second);
      http_sessions_.erase(idle);
    }
    http_sessions_[id] = std::move(session);
  }
  if (evicted != nullptr) evicted->Close();
  return id;
}

std::shared_ptr<Session> Hub::Find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = http_sessions_.find(id);
  return it == http_sessions_.end() ? nullptr : it->second;
}

bool Hub::End(const std::string& id) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = http_sessions_.find(id);
    if (it == http_sessions_.end()) return false;
    session = std::move(it->second);
    http_sessions_.erase(it);
  }
  session->Close();
  return true;
}

absl::Status Hub::Spawn(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return absl::UnavailableError("aixd is stopping; send the request again once it is back");
    if (workers_ >= kMaxWorkers) {
      return absl::UnavailableError(absl::StrCat(kMaxWorkers, " MCP requests are running in aixd at once; "
                                                 "send this one again shortly"));
    }
    ++workers_;
  }
  std::thread([this, work = std::move(work)] {
    try {
      work();
    } catch (const std::exception& e) {
      Log(LogLevel::kError, absl::StrCat("an MCP request failed: ", e.what()));
    }
    std::lock_guard<std::mutex> lock(mu_);
    --workers_;
    cv_.notify_all();
  }).detach();
  return absl::OkStatus();
}

void Hub::Shutdown(absl::Duration grace) {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& w : sessions_) {
      if (auto s = w.lock()) open.push_back(std::move(s));
    }
    sessions_.clear();
    http_sessions_.clear();
    cv_.notify_all();
  }
  for (auto& s : open) s->Close();
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoNanoseconds(grace), [this] { return workers_ == 0; });
  }
  if (watcher_.joinable()) watcher_.join();
}

void Hub::Watch() {
  std::string seen;
  bool known = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, absl::ToChronoNanoseconds(kWatchEvery));
    if (stopping_) break;
    std::vector<std::shared_ptr<Session>> listening;
    for (auto& w : sessions_) {
      auto s = w.lock();
      if (s != nullptr && s->can_push()) listening.push_back(std::move(s));
    }
    if (listening.empty()) {
      known = false;  // nobody heard the old state; start again when someone listens
      continue;
    }
    Backend* backend = backend_.get();
    lock.unlock();
    CallControl control;
    auto listing = backend->ListPrompts(&control);
    if (listing.ok()) {
      std::string now = Fingerprint(*listing);
      if (known && now != seen) {
        for (auto& s : listening) s->PromptsChanged();
      }
      seen = std::move(now);
      known = true;
    }
    listening.clear();
    lock.lock();
  }
}

}  // namespace aix::mcp
