// HistoryWriter records runs on a thread of its own, so that writing to the
// database never delays a stream: Submit only queues. The queue is bounded;
// when the disk cannot keep up, the oldest waiting records are dropped and
// the loss is logged (a run never fails because it could not be recorded).
// A long answer waits in its spool (a file, answer_spool.h) rather than in
// memory, and is read back only when its record is written; once a backlog
// of such answers is written, freed memory is given back to the system.
#ifndef AIX_DAEMON_HISTORY_HISTORY_WRITER_H_
#define AIX_DAEMON_HISTORY_HISTORY_WRITER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "daemon/history/answer_spool.h"
#include "daemon/history/history_db.h"

namespace aix::history {

class HistoryWriter {
 public:
  static constexpr size_t kMaxQueued = 10000;

  // `db` must outlive the writer. keep_days() is the history_keep_days
  // setting (0: keep every run); runs older than that are pruned with the
  // first write after the daemon starts, then at most hourly.
  HistoryWriter(HistoryDb* db, std::function<int64_t()> keep_days);
  ~HistoryWriter();  // writes what is queued, then stops
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Submit queues `run`; its answer is `answer`'s contents when given.
  void Submit(RunRecord run, std::unique_ptr<AnswerSpool> answer = nullptr);

  // Flush waits until every record submitted so far is written (tests,
  // and commands that read the history right after a run).
  void Flush();

  // db is the database the writer writes to (for readers that Flush first).
  HistoryDb* db() const { return db_; }

 private:
  void Loop();

  void PruneIfDue(HistoryStore* store);

  HistoryDb* const db_;
  const std::function<int64_t()> keep_days_;
  absl::Time next_prune_ = absl::InfinitePast();  // writer thread only
  std::mutex mu_;
  std::condition_variable cv_;
  struct Pending {
    RunRecord run;
    std::unique_ptr<AnswerSpool> answer;
  };
  std::deque<Pending> queue_;    // guarded by mu_
  uint64_t submitted_ = 0;       // guarded by mu_
  uint64_t written_ = 0;         // guarded by mu_ (or dropped)
  bool stopping_ = false;        // guarded by mu_
  std::thread thread_;
};

}  // namespace aix::history

#endif  // AIX_DAEMON_HISTORY_HISTORY_WRITER_H_
