#include "daemon/web/sign_in.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "common/secrets.h"

namespace aix::web {
namespace {

// 32 random bytes, URL-safe: nothing to guess in the lifetime of a code.
absl::StatusOr<std::string> NewSecret() {
  auto bytes = RandomBytes(32);
  if (!bytes.ok()) return bytes.status();
  return absl::WebSafeBase64Escape(*bytes);
}

}  // namespace

void SignIn::Forget(std::map<std::string, absl::Time>* m, absl::Time now, size_t most) {
  for (auto it = m->begin(); it != m->end();) {
    it = it->second <= now ? m->erase(it) : std::next(it);
  }
  while (m->size() > most) {
    // The one that would expire first goes: the oldest.
    auto oldest = std::min_element(m->begin(), m->end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    m->erase(oldest);
  }
}

absl::StatusOr<std::string> SignIn::NewCode(absl::Time now) {
  auto code = NewSecret();
  if (!code.ok()) return code.status();
  std::lock_guard<std::mutex> lock(mu_);
  codes_[*code] = now + kCodeLife;
  Forget(&codes_, now, kMaxCodes);
  return code;
}

absl::StatusOr<std::string> SignIn::Redeem(absl::string_view code, absl::Time now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Forget(&codes_, now, kMaxCodes);
    // The map's lookup compares bytes; what it leaks by timing is only
    // which codes are near this one, and every code dies on first use.
    auto it = codes_.find(std::string(code));
    if (it == codes_.end()) {
      return absl::PermissionDeniedError(
          "this sign-in link was already used or has expired (links last a minute and work "
          "once); run `aix ui` again for a new one");
    }
    codes_.erase(it);
  }
  auto session = NewSecret();
  if (!session.ok()) return session.status();
  std::lock_guard<std::mutex> lock(mu_);
  sessions_[*session] = now + kSessionIdle;
  Forget(&sessions_, now, kMaxSessions);
  return session;
}

bool SignIn::Valid(absl::string_view session, absl::Time now) {
  if (session.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(std::string(session));
  if (it == sessions_.end()) return false;
  if (it->second <= now) {
    sessions_.erase(it);
    return false;
  }
  it->second = now + kSessionIdle;
  return true;
}

void SignIn::End(absl::string_view session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(std::string(session));
}

}  // namespace aix::web
