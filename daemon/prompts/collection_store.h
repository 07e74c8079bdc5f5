// Collections: named groups of prompts with a description, tags, an author
// and a system prompt. One YAML file per collection,
// <storage>/collections/NAME.yaml (0600, written atomically), listing its
// prompts by name; a prompt may be in several. The loaded collection's name
// is kept in <storage>/collections/loaded. (The Python aix kept its
// collections as NAME.xml in the same directory; those are only read by
// import and migration.)
#ifndef AIX_DAEMON_PROMPTS_COLLECTION_STORE_H_
#define AIX_DAEMON_PROMPTS_COLLECTION_STORE_H_

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aix::prompts {

struct Collection {
  std::string name;
  std::string description;
  std::string author;
  std::vector<std::string> tags;
  std::optional<std::string> system;  // sent with its prompts' runs
  std::vector<std::string> prompts;   // names, in the order added
  absl::Time created = absl::UnixEpoch();
  absl::Time updated = absl::UnixEpoch();
};

std::string CollectionToYaml(const Collection& c);
absl::StatusOr<Collection> CollectionFromYaml(const std::string& text, const std::string& source);

class CollectionStore {
 public:
  // `dir` is <storage>/collections; created 0700 on first write.
  explicit CollectionStore(std::string dir) : dir_(std::move(dir)) {}

  std::string PathOf(absl::string_view name) const;

  // Create stores a new collection. AlreadyExists if the name is taken.
  absl::StatusOr<Collection> Create(Collection c);
  // Get loads one. NotFound (with the fix) if there is none.
  absl::StatusOr<Collection> Get(absl::string_view name) const;
  // Put replaces (or creates) one, keeping its creation time.
  absl::StatusOr<Collection> Put(Collection c);
  // Delete removes one (and unloads it if loaded).
  absl::Status Delete(absl::string_view name);
  // List returns every collection, sorted; unreadable files in `problems`.
  std::vector<Collection> List(std::vector<absl::Status>* problems) const;

  // SystemFor is the system prompt that goes with `prompt`'s runs: the
  // loaded collection's if it holds the prompt and has one, else that of
  // the only collection holding the prompt that has one. `from` names it.
  std::optional<std::string> SystemFor(absl::string_view prompt, std::string* from) const;

  // PythonFiles lists the Python aix's collection files (NAME.xml) here.
  std::vector<std::string> PythonFiles() const;
  // PythonUnmigrated: there are Python collection files and `aix migrate`
  // has not run since.
  bool PythonUnmigrated() const;
  void MarkPythonMigrated();

  // Loaded is the loaded collection's name, or nullopt.
  std::optional<std::string> Loaded() const;
  absl::Status Load(absl::string_view name);
  absl::Status Unload();

 private:
  const std::string dir_;
  std::mutex write_mu_;  // serialises writes
};

}  // namespace aix::prompts

#endif  // AIX_DAEMON_PROMPTS_COLLECTION_STORE_H_
