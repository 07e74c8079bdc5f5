// SignIn: how a browser becomes the user's without typing a secret. `aix ui`
// asks aixd for a code and opens a URL that carries it; the page exchanges
// the code, once and within a minute, for a session that its cookie
// names. The code passes through the browser's history and the process
// list, so it must be worthless by the time anyone else could read it:
// single use, short-lived, and the URL that carries it is replaced at once
// by a redirect.
//
// Sessions live in aixd's memory: a restart signs every browser out (run
// `aix ui` again). Both maps are bounded; the oldest entry makes room.
#ifndef AIX_DAEMON_WEB_SIGN_IN_H_
#define AIX_DAEMON_WEB_SIGN_IN_H_

#include <map>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aix::web {

class SignIn {
 public:
  static constexpr absl::Duration kCodeLife = absl::Seconds(60);
  // A session ends after this long without a request.
  static constexpr absl::Duration kSessionIdle = absl::Hours(12);
  static constexpr size_t kMaxCodes = 16;
  static constexpr size_t kMaxSessions = 32;

  // NewCode makes a single-use code that Redeem takes until `now` +
  // kCodeLife.
  absl::StatusOr<std::string> NewCode(absl::Time now);

  // Redeem spends `code` for a new session id. PermissionDenied, with the
  // fix, for a code that is unknown, used or expired.
  absl::StatusOr<std::string> Redeem(absl::string_view code, absl::Time now);

  // Valid says whether `session` names a live session (and keeps it alive).
  bool Valid(absl::string_view session, absl::Time now);

  // End signs a session out.
  void End(absl::string_view session);

 private:
  // Forget drops expired entries, then the oldest while over `most`.
  static void Forget(std::map<std::string, absl::Time>* m, absl::Time now, size_t most);

  std::mutex mu_;
  std::map<std::string, absl::Time> codes_;     // guarded by mu_; code -> expiry
  std::map<std::string, absl::Time> sessions_;  // guarded by mu_; id -> expiry
};

}  // namespace aix::web

#endif  // AIX_DAEMON_WEB_SIGN_IN_H_
