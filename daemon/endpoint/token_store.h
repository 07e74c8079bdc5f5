// TokenStore: the bearer token that guards the endpoint's loopback TCP
// listener. aixd makes it (32 random bytes) the first time it is needed and
// keeps it in a 0600 file beside config.json, written atomically; the
// Unix socket needs no token (its peer's uid is checked instead).
#ifndef AIX_DAEMON_ENDPOINT_TOKEN_STORE_H_
#define AIX_DAEMON_ENDPOINT_TOKEN_STORE_H_

#include <sys/stat.h>

#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aix::endpoint {

class TokenStore {
 public:
  explicit TokenStore(std::string path) : path_(std::move(path)) {}

  // Get returns the token, making and storing one if there is none.
  // FailedPrecondition when the file is not a private regular file of
  // ours, or not a token (the message names the fix).
  absl::StatusOr<std::string> Get();

  // Rotate replaces the token; the old one stops working at once.
  absl::StatusOr<std::string> Rotate();

  // Matches compares in constant time. The file is looked at each time
  // (one lstat; read again only when it changed): false when it is gone
  // (deleting it revokes the token at once), is no longer a private regular
  // file of ours (chmod 644 refuses every request), or holds no token.
  bool Matches(absl::string_view presented);

  const std::string& path() const { return path_; }

 private:
  absl::StatusOr<std::string> LoadLocked();
  absl::StatusOr<std::string> MakeLocked();

  // Remember notes what the token was read from, to see a change.
  void RememberLocked();

  const std::string path_;
  std::mutex mu_;
  std::string token_;  // guarded by mu_; empty until loaded
  // guarded by mu_: the file as token_ was read from (or written to).
  struct Seen {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{}, ctime{};
  } seen_;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_TOKEN_STORE_H_
