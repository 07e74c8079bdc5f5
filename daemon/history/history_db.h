// HistoryDb opens the run history on first use, not at daemon start: a
// daemon that never runs a prompt creates no database, and a database that
// cannot be opened (a newer schema, a full disk) costs the history only,
// never the daemon. Thread-safe.
#ifndef AIX_DAEMON_HISTORY_HISTORY_DB_H_
#define AIX_DAEMON_HISTORY_HISTORY_DB_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/history/history_store.h"

namespace aix::history {

class HistoryDb {
 public:
  // `dir` is the storage directory; the database is dir/history.db.
  explicit HistoryDb(std::string dir) : dir_(std::move(dir)) {}

  // Store opens the database if it is not open yet. An error is returned
  // again on the next call after trying again.
  absl::StatusOr<HistoryStore*> Store();

  std::string path() const { return dir_ + "/history.db"; }

 private:
  const std::string dir_;
  std::mutex mu_;
  std::unique_ptr<HistoryStore> store_;  // guarded by mu_
};

}  // namespace aix::history

#endif  // AIX_DAEMON_HISTORY_HISTORY_DB_H_
