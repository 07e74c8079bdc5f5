// ImportJournal makes an import of many prompts all-or-nothing, also when
// aixd is killed in the middle of it, without an fsync per file.
//
// Before anything is written, the journal (one small file, written
// durably) records every file the import will change and what it held
// before (or that it did not exist). The files are then written, each
// atomically but not synced; one syncfs makes them durable; only then does
// the journal go. A journal found at start-up is an import that did not
// finish: Recover puts every file it names back as it was.
#ifndef AIX_DAEMON_PROMPTS_IMPORT_JOURNAL_H_
#define AIX_DAEMON_PROMPTS_IMPORT_JOURNAL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace aix::prompts {

class ImportJournal {
 public:
  // `path` is the journal's file; every file it names must lie in `root`.
  ImportJournal(std::string path, std::string root) : path_(std::move(path)), root_(std::move(root)) {}

  // Begin records the files about to change: each path with its contents
  // now (nullopt: it does not exist yet). FailedPrecondition when another
  // import's journal is still there.
  absl::Status Begin(const std::vector<std::pair<std::string, std::optional<std::string>>>& before);

  // Commit makes what was written durable, then removes the journal.
  absl::Status Commit();

  // Recover rolls back an import a crash interrupted (files restored or
  // removed, then the journal) and returns how many files it put back; 0
  // when there was no journal.
  absl::StatusOr<int> Recover();

 private:
  const std::string path_;
  const std::string root_;
};

}  // namespace aix::prompts

#endif  // AIX_DAEMON_PROMPTS_IMPORT_JOURNAL_H_
