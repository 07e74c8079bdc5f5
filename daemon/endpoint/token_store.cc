#include "daemon/endpoint/token_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/secrets.h"

namespace aix::endpoint {
namespace {

constexpr char kPrefix[] = "aixd-";

bool LooksLikeToken(absl::string_view t) {
  if (t.size() < 24 || t.size() > 256) return false;
  for (char c : t) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> TokenStore::LoadLocked() {
  const std::string fix = absl::StrCat("; make a new one with: aix endpoint token --rotate");
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return absl::NotFoundError("no token yet");
  if (fd < 0) return ErrnoStatus(errno, absl::StrCat("open ", path_, fix));
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            (st.st_mode & 077) == 0 && st.st_size <= 4096;
  std::string text;
  if (ok) {
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    ok = n > 0;
    if (ok) text.assign(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (!ok) {
    return absl::FailedPreconditionError(absl::StrCat(
        path_, " is not a private (0600) regular file of yours holding a token", fix));
  }
  std::string token(absl::StripAsciiWhitespace(text));
  if (!LooksLikeToken(token)) {
    return absl::FailedPreconditionError(absl::StrCat(path_, " does not hold a token", fix));
  }
  return token;
}

absl::StatusOr<std::string> TokenStore::MakeLocked() {
  auto bytes = RandomBytes(32);
  if (!bytes.ok()) return bytes.status();
  std::string token = absl::StrCat(kPrefix, absl::WebSafeBase64Escape(*bytes));
  absl::Status s = WriteFileAtomically(path_, token + "\n", 0600);
  if (!s.ok()) return s;
  token_ = token;
  RememberLocked();
  return token;
}

absl::StatusOr<std::string> TokenStore::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  // The file is read each time: a rotation by hand (deleting it) or by
  // another tool takes effect without a restart.
  auto loaded = LoadLocked();
  if (loaded.ok()) {
    token_ = *loaded;
    RememberLocked();
    return loaded;
  }
  if (!absl::IsNotFound(loaded.status())) return loaded.status();
  return MakeLocked();
}

absl::StatusOr<std::string> TokenStore::Rotate() {
  std::lock_guard<std::mutex> lock(mu_);
  return MakeLocked();
}

namespace {

bool Same(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

}  // namespace

void TokenStore::RememberLocked() {
  struct stat st;
  if (lstat(path_.c_str(), &st) != 0) {
    seen_ = Seen();
    return;
  }
  seen_ = Seen{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
}

bool TokenStore::Matches(absl::string_view presented) {
  std::string token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    struct stat st;
    if (lstat(path_.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0) {
      return false;  // deleted, replaced by something else, or readable by others
    }
    // A chmod changes ctime, an edit mtime; a replacement the inode.
    if (token_.empty() || st.st_dev != seen_.dev || st.st_ino != seen_.ino ||
        st.st_size != seen_.size || !Same(st.st_mtim, seen_.mtime) || !Same(st.st_ctim, seen_.ctime)) {
      auto loaded = LoadLocked();
      token_ = loaded.ok() ? *loaded : "";
      RememberLocked();
    }
    token = token_;
  }
  return !token.empty() && SecretEquals(presented, token);
}

}  // namespace aix::endpoint
