// The prompt library on disk: one YAML file per prompt,
// <storage>/prompts/NAME.yaml, written atomically (0600).
//
// Names are letters, digits, '.', '_' and '-', at most 64 characters, and
// not "." or "..", so a name is always a plain file name. A file that does
// not parse, or whose fields have the wrong types, yields an error naming
// the file and line; it never stops the other prompts from loading.
#ifndef AIX_DAEMON_PROMPTS_PROMPT_STORE_H_
#define AIX_DAEMON_PROMPTS_PROMPT_STORE_H_

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aix::prompts {

// kMaxPromptFileBytes bounds a prompt or collection file read from the
// library (a hand-copied 100 MB file cost 18 s and 700 MB to parse): far
// above any template, below what would stall a listing.
inline constexpr size_t kMaxPromptFileBytes = 4 << 20;

struct Prompt {
  std::string name;
  std::string template_text;
  std::string description;
  std::vector<std::string> tags;
  absl::Time created = absl::UnixEpoch();
  absl::Time updated = absl::UnixEpoch();
  // Optional run settings; unset means "use the configuration's".
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<std::string> system;
  std::optional<int64_t> max_tokens;
  std::optional<double> temperature;
  // fallback: providers that take over this prompt's runs, in order
  // (PROVIDER or PROVIDER/MODEL); empty: the configuration's.
  std::vector<std::string> fallback;
  // origin says where a prompt came from when nobody here wrote it (an
  // import: "bundle work-bundle.tar.gz", "repo https://..."). Its commands
  // run, and its own provider and fallbacks are used, only once trusted:
  // trusted_commands (the file's key, kept from before trust covered
  // providers) is the TrustDigest the user trusted (aix trust NAME); an edit
  // of the commands or of where the prompt sends its input changes it.
  std::optional<std::string> origin;
  std::optional<std::string> trusted_commands;
};

// CommandsDigest identifies a template's commands as written (FNV-1a of
// their sources): what trust is given to. Empty when there are none.
std::string CommandsDigest(const std::string& template_text);

// TrustDigest identifies what trust is given to: the commands and, when
// the prompt names them, its provider and fallbacks (where its input goes).
// For a prompt without either it is CommandsDigest, so trust given before
// providers were covered still holds.
std::string TrustDigest(const Prompt& p);

// CommandsTrusted: the prompt's commands may run without asking (it was
// not imported, has no commands, or the user trusted exactly these).
bool CommandsTrusted(const Prompt& p);

// DestinationTrusted: the prompt's own provider and fallbacks may be used
// (it was not imported, names none, or the user trusted exactly these).
bool DestinationTrusted(const Prompt& p);

// ValidateName returns InvalidArgument stating the naming rule.
absl::Status ValidateName(absl::string_view name);

// ToYaml / FromYaml convert one prompt. FromYaml's errors name `source`
// (a file path) and the line; text that is not UTF-8 is refused with the
// line and byte where it stops being so.
std::string ToYaml(const Prompt& prompt);
absl::StatusOr<Prompt> FromYaml(const std::string& text, const std::string& source);

class PromptStore {
 public:
  // `dir` is <storage>/prompts; created 0700 on first write.
  explicit PromptStore(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  std::string PathOf(absl::string_view name) const;

  // Create stores a new prompt (created = updated = now). AlreadyExists if
  // the name is taken; InvalidArgument for a bad name or template. With
  // `durable` false the caller syncs (an import: see import_journal.h).
  absl::StatusOr<Prompt> Create(Prompt prompt, bool durable = true);

  // Get loads one prompt. NotFound if there is none.
  absl::StatusOr<Prompt> Get(absl::string_view name) const;

  // Update replaces an existing prompt, keeping its creation time.
  absl::StatusOr<Prompt> Update(Prompt prompt, bool durable = true);

  // ReplaceYaml validates edited file text for prompt `name` and stores it
  // through Update. InvalidArgument (with the line) if the text is not a
  // valid prompt or renames it; nothing is written then.
  absl::StatusOr<Prompt> ReplaceYaml(absl::string_view name, const std::string& yaml);

  // Delete removes a prompt. NotFound if there is none.
  absl::Status Delete(absl::string_view name);

  // List returns the prompts (sorted by name) carrying `tag` (all if
  // empty); files that fail to load are reported in `problems`.
  std::vector<Prompt> List(absl::string_view tag, std::vector<absl::Status>* problems) const;

 private:
  // A parsed file, kept while the file's identity (inode, size, times)
  // stays the same: listing and completion re-read only what changed.
  struct Cached {
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns, ctime_ns;
    Prompt prompt;
  };

  const std::string dir_;
  std::mutex write_mu_;  // serialises Create/Update/Delete
  mutable std::mutex cache_mu_;
  mutable std::map<std::string, Cached> cache_;  // guarded by cache_mu_
};

}  // namespace aix::prompts

#endif  // AIX_DAEMON_PROMPTS_PROMPT_STORE_H_
