#ifndef AIX_DAEMON_HISTORY_ANSWER_SPOOL_H_
#define AIX_DAEMON_HISTORY_ANSWER_SPOOL_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace aix::history {

// AnswerSpool collects a run's answer for the history while it streams.
// The first kInMemoryBytes stay in memory; the rest goes to a file without a
// name (O_TMPFILE, mode 0600) in `dir`. A run's answer may be megabytes by
// the time its reader stalls (gRPC lets a client take several MB before its
// window closes); kept in memory, that was what a stalled stream cost aixd.
// Up to `limit` bytes are kept, the rest dropped. Not thread-safe.
class AnswerSpool {
 public:
  static constexpr size_t kInMemoryBytes = 64 << 10;

  AnswerSpool(std::string dir, size_t limit) : dir_(std::move(dir)), limit_(limit) {}
  ~AnswerSpool();
  AnswerSpool(const AnswerSpool&) = delete;
  AnswerSpool& operator=(const AnswerSpool&) = delete;

  void Append(absl::string_view text);

  // cut is true once text was dropped (the limit was reached).
  bool cut() const { return cut_; }

  // size is how many bytes are kept so far (at most `limit`).
  size_t size() const { return size_; }

  // Take returns everything kept and empties the spool. Should the file
  // fail to read back, what is in memory is returned.
  std::string Take();

 private:
  // Spill moves head_ to a new file; false (and the answer stays in memory)
  // when no file can be made there.
  bool Spill();

  const std::string dir_;
  const size_t limit_;
  std::string head_;  // what is not in the file
  size_t size_ = 0;
  int fd_ = -1;
  bool spill_failed_ = false;
  bool cut_ = false;
};

}  // namespace aix::history

#endif  // AIX_DAEMON_HISTORY_ANSWER_SPOOL_H_
