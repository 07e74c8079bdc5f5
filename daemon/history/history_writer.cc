#include "daemon/history/history_writer.h"

#include <malloc.h>

#include "absl/time/clock.h"
#include "common/limits.h"
#include "daemon/server/log.h"

namespace aix::history {

HistoryWriter::HistoryWriter(HistoryDb* db, std::function<int64_t()> keep_days)
    : db_(db), keep_days_(std::move(keep_days)) {
  thread_ = std::thread([this] { Loop(); });
}

HistoryWriter::~HistoryWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HistoryWriter::Submit(RunRecord run, std::unique_ptr<AnswerSpool> answer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++submitted_;
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++written_;
      Log(LogLevel::kWarning, "run history: the disk is not keeping up; a record was dropped");
    }
    queue_.push_back(Pending{std::move(run), std::move(answer)});
  }
  cv_.notify_all();
}

void HistoryWriter::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = submitted_;
  cv_.wait(lock, [&] { return written_ >= target; });
}

void HistoryWriter::Loop() {
  // glibc keeps what a backlog of long answers freed; past this much, the
  // writer gives it back once the queue is empty.
  constexpr size_t kTrimAfterBytes = 4 << 20;
  size_t since_trim = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (queue_.empty() && since_trim >= kTrimAfterBytes) {
      since_trim = 0;
      lock.unlock();
      malloc_trim(0);
      lock.lock();
    }
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, all written
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    RunRecord& run = pending.run;
    if (pending.answer != nullptr) {
      run.answer = pending.answer->Take();
      // Marked like a cut input: a conversation with this turn cannot be
      // sent again as it was.
      if (pending.answer->cut()) run.answer += kHistoryCutMark;
      pending.answer.reset();
    }
    since_trim += run.answer.size();
    absl::StatusOr<HistoryStore*> store = db_->Store();
    absl::StatusOr<int64_t> id = store.ok() ? (*store)->Add(run) : store.status();
    if (store.ok()) PruneIfDue(*store);
    if (!id.ok()) {
      Log(LogLevel::kWarning,
          "run history: a run was not recorded: " + std::string(id.status().message()));
    }
    lock.lock();
    ++written_;
    cv_.notify_all();
  }
}

void HistoryWriter::PruneIfDue(HistoryStore* store) {
  const absl::Time now = absl::Now();
  if (now < next_prune_) return;
  next_prune_ = now + absl::Hours(1);
  const int64_t days = keep_days_ ? keep_days_() : 0;
  if (days <= 0) return;
  absl::StatusOr<int> pruned = store->Prune(now - absl::Hours(24 * days));
  if (!pruned.ok()) {
    Log(LogLevel::kWarning, "run history: pruning failed: " + std::string(pruned.status().message()));
  } else if (*pruned > 0) {
    Log(LogLevel::kInfo, "run history: pruned " + std::to_string(*pruned) + " run(s) older than " +
                             std::to_string(days) + " days (history_keep_days)");
  }
}

}  // namespace aix::history
