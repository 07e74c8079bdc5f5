// Collection bundles: one .tar.gz holding a collection and its prompts.
//
// Ours: manifest.json ({"format": "aix-collection-bundle", "version": 1,
// "collection": NAME, "prompts": [...]}), collection.yaml, prompts/NAME.yaml.
// The Python aix's: manifest.json ({"collection_name": NAME, ...}) and
// NAME.xml. Both are read in memory (never extracted to disk), and every
// entry is checked: regular files only (no links, devices or fifos), no
// absolute or ".." paths, bounded sizes and counts. Any refusal names the
// entry and changes nothing.
#ifndef AIX_DAEMON_PROMPTS_BUNDLE_H_
#define AIX_DAEMON_PROMPTS_BUNDLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/prompts/python_import.h"

namespace aix::prompts {

inline constexpr size_t kMaxBundleEntries = 5000;
inline constexpr size_t kMaxBundleEntryBytes = 8 << 20;
inline constexpr size_t kMaxBundleBytes = 64 << 20;  // all entries, uncompressed

// WriteBundle makes our .tar.gz of `c` and `prompts`.
absl::StatusOr<std::string> WriteBundle(const Collection& c, const std::vector<Prompt>& prompts);

// ReadImport reads what `aix collection import` is given: a bundle (ours
// or the Python aix's) or a Python collection .xml file.
absl::StatusOr<ImportSet> ReadImport(absl::string_view data, const std::string& source);

// ApplyImport stores `set`: its prompts (marked with `origin`, untrusted;
// an empty origin marks them as the user's own) and its collection. Everything is checked before anything is written:
// an existing collection, or an existing prompt whose template differs,
// is refused (naming them) unless `overwrite`.
//
// All or nothing also when aixd dies half-way: the files are journaled
// first (import_journal.h), written without a sync each, then synced at
// once; RecoverImport, at start-up, undoes an import that did not finish.
absl::Status ApplyImport(ImportSet& set, const std::string& origin, bool overwrite,
                         PromptStore* prompts, CollectionStore* collections);

// RecoverImport rolls back an import a crash interrupted; returns how many
// files it put back (0: none was interrupted).
absl::StatusOr<int> RecoverImport(const PromptStore& prompts);

}  // namespace aix::prompts

#endif  // AIX_DAEMON_PROMPTS_BUNDLE_H_
