#include "daemon/history/answer_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace aix::history {
namespace {

bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// OpenUnnamed opens a file in `dir` that no name reaches: O_TMPFILE where
// the file system has it, else a temporary name removed at once.
int OpenUnnamed(const std::string& dir) {
  int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
  std::string name = dir + "/.answer-XXXXXX";
  fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0) unlink(name.c_str());
  return fd;
}

}  // namespace

AnswerSpool::~AnswerSpool() {
  if (fd_ >= 0) close(fd_);
}

bool AnswerSpool::Spill() {
  if (fd_ < 0) {
    if (spill_failed_) return false;
    fd_ = OpenUnnamed(dir_);
    if (fd_ < 0) {
      spill_failed_ = true;
      return false;
    }
  }
  if (!WriteAll(fd_, head_)) {  // a full disk: the answer stays in memory
    close(fd_);
    fd_ = -1;
    spill_failed_ = true;
    return false;
  }
  head_.clear();
  head_.shrink_to_fit();
  return true;
}

void AnswerSpool::Append(absl::string_view text) {
  if (cut_) return;
  if (text.size() > limit_ - size_) {
    // Cut at a character boundary: the history holds valid UTF-8 only.
    size_t end = limit_ - size_;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = text.substr(0, end);
    cut_ = true;
  }
  if (text.empty()) return;
  head_.append(text.data(), text.size());
  size_ += text.size();
  if (head_.size() >= kInMemoryBytes && !spill_failed_) Spill();
}

std::string AnswerSpool::Take() {
  std::string out;
  if (fd_ >= 0) {
    const size_t in_file = size_ - head_.size();
    out.resize(in_file);
    size_t got = 0;
    while (got < in_file) {
      const ssize_t n = pread(fd_, out.data() + got, in_file - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got < in_file) out.clear();  // a gap would be worse than the head alone
    close(fd_);
    fd_ = -1;
  }
  out += head_;
  head_.clear();
  head_.shrink_to_fit();
  size_ = 0;
  return out;
}

}  // namespace aix::history
