#include "common/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/paths.h"

namespace aix {
namespace {

// UniqueFd closes its descriptor on scope exit.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write");
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ErrnoStatus(int err, const std::string& what) {
  std::string msg = absl::StrCat(what, ": ", strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    default:
      return absl::InternalError(msg);
  }
}

absl::Status EnsurePrivateDir(const std::string& path, Links links) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoStatus(errno, "inspect " + path);
    std::string parent = Dirname(path);
    if (parent != path && parent != "/" && parent != ".") {
      struct stat pst;
      if (stat(parent.c_str(), &pst) != 0) {
        absl::Status s = EnsurePrivateDir(parent, Links::kFollow);
        if (!s.ok()) return s;
      }
    }
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "create directory " + path);
    }
    if (lstat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "inspect " + path);
  }
  if (S_ISLNK(st.st_mode)) {
    if (links == Links::kRefuse) {
      return absl::PermissionDeniedError(absl::StrCat(
          path, " is a symbolic link; aixd keeps its socket only in a real directory of its "
          "own. Remove the link (the directory is created 0700), or choose another place: "
          "export AIX_SOCKET=/path/to/private/dir/aixd.sock"));
    }
    if (stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "follow " + path);
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " exists but is not a directory; move it away"));
  }
  const std::string fix = "; aix keeps its files only in a directory of your own. Use another "
                          "place (AIX_SOCKET, AIX_STORAGE_PATH), or remove this one";
  if (st.st_uid != geteuid()) {
    return absl::PermissionDeniedError(absl::StrCat(
        path, " belongs to uid ", st.st_uid, ", not to you (uid ", geteuid(), ")", fix));
  }
  if ((st.st_mode & S_ISVTX) != 0 || (st.st_mode & 022) != 0) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return absl::PermissionDeniedError(absl::StrCat(
        path, " is shared (mode ", mode, ": others may create files in it)", fix,
        " (or, if it is yours alone: chmod 700 ", path, ")"));
  }
  if ((st.st_mode & 077) != 0 && chmod(path.c_str(), 0700) != 0) {
    return ErrnoStatus(errno, "chmod 0700 " + path);
  }
  return absl::OkStatus();
}

int RemoveStaleTempFiles(const std::string& dir, int min_age_s) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  int removed = 0;
  const time_t now = time(nullptr);
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    size_t at = name.rfind(".tmp-");
    if (at == std::string::npos || name.size() != at + 11) continue;  // ".tmp-" + 6
    std::string full = dir + "/" + name;
    struct stat st;
    if (lstat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) continue;
    if (now - st.st_mtime < min_age_s) continue;
    if (unlink(full.c_str()) == 0) ++removed;
  }
  closedir(d);
  return removed;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open " + path);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::StatusOr<std::string> ReadRegularFile(const std::string& path, size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return ErrnoStatus(errno, "open " + path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "stat " + path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is not a regular file (a pipe, device or socket); move it away or replace it "
              "with a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is ", st.st_size >> 10, " KiB, over the ", max_bytes >> 10,
        " KiB aix reads from such a file; shorten it or move it away"));
  }
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read " + path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {  // it grew while read
      return absl::FailedPreconditionError(absl::StrCat(path, " grew past ", max_bytes >> 10,
                                                        " KiB while being read; try again"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status SyncFilesystem(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open " + path);
  if (syncfs(fd.get()) != 0) return ErrnoStatus(errno, "sync the file system of " + path);
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents, mode_t mode, bool durable) {
  std::string tmpl = path + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  // mkstemp creates the file 0600, so a secret is never readable by others,
  // not even for an instant.
  UniqueFd fd(mkostemp(name.data(), O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "create temporary file " + tmpl);
  std::string tmp(name.data());
  auto fail = [&tmp](absl::Status s) {
    unlink(tmp.c_str());
    return s;
  };
  if (fchmod(fd.get(), mode) != 0) return fail(ErrnoStatus(errno, "chmod " + tmp));
  absl::Status s = WriteAll(fd.get(), contents);
  if (!s.ok()) return fail(s);
  if (durable && fsync(fd.get()) != 0) return fail(ErrnoStatus(errno, "fsync " + tmp));
  if (close(fd.release()) != 0) return fail(ErrnoStatus(errno, "close " + tmp));
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(ErrnoStatus(errno, "rename " + tmp + " to " + path));
  }
  if (!durable) return absl::OkStatus();
  // The rename is durable only once the directory entry is.
  UniqueFd dir(open(Dirname(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || fsync(dir.get()) != 0) {
    return ErrnoStatus(errno, "fsync directory of " + path);
  }
  return absl::OkStatus();
}

}  // namespace aix
