#include "daemon/history/history_db.h"

#include "common/files.h"

namespace aix::history {

absl::StatusOr<HistoryStore*> HistoryDb::Store() {
  std::lock_guard<std::mutex> lock(mu_);
  if (store_ != nullptr) return store_.get();
  absl::Status dir = EnsurePrivateDir(dir_);
  if (!dir.ok()) return dir;
  auto opened = HistoryStore::Open(path());
  if (!opened.ok()) return opened.status();
  store_ = *std::move(opened);
  return store_.get();
}

}  // namespace aix::history
