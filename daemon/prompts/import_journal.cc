#include "daemon/prompts/import_journal.h"

#include <errno.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/json_text.h"
#include "common/status_macros.h"

namespace aix::prompts {
namespace {

using Json = nlohmann::json;

// A journal holds an import's prior state: at most what an import may
// replace (16 MiB of request, a little more as YAML and JSON).
constexpr size_t kMaxJournalBytes = 256 << 20;

}  // namespace

absl::Status ImportJournal::Begin(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& before) {
  if (access(path_.c_str(), F_OK) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "an earlier import did not finish (", path_, " is there); restart aixd to roll it back: "
        "aix daemon stop"));
  }
  Json files = Json::array();
  for (const auto& [path, contents] : before) {
    files.push_back({{"path", path}, {"before", contents ? Json(*contents) : Json(nullptr)}});
  }
  Json doc = {{"version", 1}, {"files", std::move(files)}};
  return WriteFileAtomically(path_, JsonText(doc), 0600);
}

absl::Status ImportJournal::Commit() {
  AIX_RETURN_IF_ERROR(SyncFilesystem(root_));
  if (unlink(path_.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, "remove " + path_);
  return SyncFilesystem(root_);
}

absl::StatusOr<int> ImportJournal::Recover() {
  auto text = ReadRegularFile(path_, kMaxJournalBytes);
  if (absl::IsNotFound(text.status())) return 0;
  AIX_RETURN_IF_ERROR(text.status());
  Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const Json* files = doc.is_object() && doc.contains("files") ? &doc["files"] : nullptr;
  if (files == nullptr || !files->is_array()) {
    // A journal is written whole before the import writes anything, so a
    // torn one means nothing was changed yet.
    unlink(path_.c_str());
    return 0;
  }
  int restored = 0;
  for (const Json& f : *files) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string()) continue;
    const std::string path = f["path"].get<std::string>();
    // Only files of ours: a journal never names anything outside the root.
    if (!absl::StartsWith(path, root_ + "/") || absl::StrContains(path, "/../")) continue;
    const Json& before = f.contains("before") ? f["before"] : Json();
    if (before.is_string()) {
      AIX_RETURN_IF_ERROR(WriteFileAtomically(path, before.get<std::string>(), 0600, false));
    } else if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "remove " + path);
    }
    ++restored;
  }
  AIX_RETURN_IF_ERROR(SyncFilesystem(root_));
  unlink(path_.c_str());
  AIX_RETURN_IF_ERROR(SyncFilesystem(root_));
  return restored;
}

}  // namespace aix::prompts
