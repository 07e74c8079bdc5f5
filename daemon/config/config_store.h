// ConfigStore owns config.json for the daemon.
//
// The file is the source of truth: every operation first checks whether the
// file changed on disk (device, inode, size, mtime) and re-reads it if so,
// which is how a hand edit reaches a running daemon without a restart.
//
// A malformed file (bad JSON, wrong types) fails every operation with
// FailedPrecondition naming file, line and problem; it is never
// overwritten. A missing file is created with the defaults (0600, in a 0700
// directory). Changes are serialised by one mutex and written atomically
// (see WriteFileAtomically): when a call returns OK the change is on disk.
//
// API keys are stored in clear in the file (mode 0600) but leave this class
// only masked, except through ApiKey(), which provider code uses to
// authenticate.
#ifndef AIX_DAEMON_CONFIG_CONFIG_STORE_H_
#define AIX_DAEMON_CONFIG_CONFIG_STORE_H_

#include <sys/types.h>

#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "daemon/config/settings.h"

namespace aix::config {

// kMaxConfigBytes bounds config.json (a hand edit may paste anything in).
inline constexpr size_t kMaxConfigBytes = 4 << 20;

// SettingView is one setting as it may be shown: secrets already masked.
struct SettingView {
  std::string key;
  Json value;  // null when !is_set
  bool is_set = false;
  bool is_default = false;
  bool secret = false;
  std::string description;
};

// KeyView is a stored API key, masked.
struct KeyView {
  std::string provider;  // canonical name
  std::string masked;
};

class ConfigStore {
 public:
  // `storage_dir` holds config.json; it is created 0700 on first use.
  explicit ConfigStore(std::string storage_dir);

  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;

  const std::string& storage_dir() const { return storage_dir_; }
  const std::string& path() const { return path_; }

  // List returns every fixed setting, then api_keys.* sorted by provider.
  absl::StatusOr<std::vector<SettingView>> List();

  // Get returns one setting. InvalidArgument for an unknown key; NotFound
  // for an optional setting or API key that is not set.
  absl::StatusOr<SettingView> Get(absl::string_view key);

  // Set validates `text` for `key` and stores it.
  absl::StatusOr<SettingView> Set(absl::string_view key, absl::string_view text);

  // Unset restores the default or removes the value.
  absl::StatusOr<SettingView> Unset(absl::string_view key);

  // Reset replaces the whole file with the defaults (keys included).
  absl::Status Reset();

  // MigrateFromPython converts a config.json in the Python aix's shape
  // (python_config.h) into ours, keeping the original as config.json.python;
  // the report says what changed. Nothing to do (an empty report) when the
  // file is ours already. With `dry_run` nothing is written.
  absl::StatusOr<std::vector<std::string>> MigrateFromPython(bool dry_run);

  // SetKey stores the API key for `provider` (any accepted spelling).
  absl::StatusOr<KeyView> SetKey(absl::string_view provider, absl::string_view key);

  // DeleteKey removes it; NotFound if there is none.
  absl::Status DeleteKey(absl::string_view provider);

  // ListKeys returns the stored keys, masked, sorted by provider.
  absl::StatusOr<std::vector<KeyView>> ListKeys();

  // AddCustomProvider stores `definition` under custom_providers.NAME.
  // AlreadyExists if NAME is taken. The caller validates the definition.
  absl::Status AddCustomProvider(const std::string& name, const Json& definition);

  // RemoveCustomProvider deletes it and its key (api_keys["custom:NAME"]);
  // NotFound if absent, FailedPrecondition while it is default_provider.
  // `removed_key` tells whether a key was deleted.
  absl::Status RemoveCustomProvider(const std::string& name, bool* removed_key);

  // Document returns the whole validated configuration, keys in clear. For
  // the run path only: never log it or send it to a client.
  absl::StatusOr<Json> Document();

  // ApiKey returns the clear key for `provider`, NotFound if none. For the
  // provider layer only: never log or return the result to a client.
  absl::StatusOr<std::string> ApiKey(absl::string_view provider);

 private:
  struct FileIdentity {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const FileIdentity& o) const {
      return dev == o.dev && ino == o.ino && size == o.size &&
             mtime_ns == o.mtime_ns;
    }
  };

  // RefreshLocked makes doc_ match the file, creating it if missing.
  absl::Status RefreshLocked();
  absl::Status ParseLocked(const std::string& text);
  // SaveLocked writes `doc` atomically and makes it current.
  absl::Status SaveLocked(Json doc);
  absl::StatusOr<FileIdentity> StatLocked() const;
  absl::Status Malformed(const std::string& text, size_t byte,
                         const std::string& problem) const;
  SettingView ViewLocked(const SettingSpec& spec) const;
  SettingView KeyViewLocked(const std::string& provider) const;
  // ResolveApiKeyLocked maps "api_keys.X" to X's canonical provider name.
  absl::StatusOr<std::string> ResolveApiKeyLocked(absl::string_view key) const;

  const std::string storage_dir_;
  const std::string path_;

  std::mutex mu_;
  Json doc_;                 // guarded by mu_; valid when loaded_
  bool loaded_ = false;      // guarded by mu_
  FileIdentity identity_;    // guarded by mu_; of the file doc_ came from
};

}  // namespace aix::config

#endif  // AIX_DAEMON_CONFIG_CONFIG_STORE_H_
