// The schema of config.json: which settings exist, their types, defaults and
// validation. Pure functions over a JSON document; no I/O.
//
// A settings key is either one of the fixed settings ("max_tokens") or
// "api_keys.PROVIDER". Provider names are "openrouter", "openai",
// "anthropic" or "custom:NAME"; in api_keys a custom provider's key is
// stored under its canonical name "custom:NAME".
#ifndef AIX_DAEMON_CONFIG_SETTINGS_H_
#define AIX_DAEMON_CONFIG_SETTINGS_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aix::config {

using Json = nlohmann::json;

enum class SettingType {
  kString,       // any non-empty string
  kProvider,     // openrouter | openai | anthropic | custom:NAME
  kPositiveInt,  // integer > 0
  kTemperature,  // number in [0, 2]
  kBool,         // true | false
  kPath,         // read-only, shown for information
  kUrl,          // http:// or https:// URL
  kFile,         // absolute path of a file
};

// SettingSpec describes one fixed setting.
struct SettingSpec {
  const char* key;
  SettingType type;
  // default_value is null for optional settings that have no default.
  Json default_value;
  const char* description;
};

// FixedSettings lists the fixed settings in display order.
const std::vector<SettingSpec>& FixedSettings();

// FindSetting returns the spec of a fixed setting, or nullptr.
const SettingSpec* FindSetting(absl::string_view key);

// kApiKeysPrefix starts every API-key settings key.
inline constexpr absl::string_view kApiKeysPrefix = "api_keys.";

// DefaultDocument is the configuration written on first use.
Json DefaultDocument(const std::string& storage_path);

// ValidSettingsHelp lists every valid key, for "unknown setting" errors.
std::string ValidSettingsHelp();

// CanonicalProvider turns a user-supplied provider name into its canonical
// form: built-in names as they are, "custom:NAME" for custom providers. A
// plain NAME is accepted when `doc` has a custom provider of that name.
// InvalidArgument, listing the valid names, otherwise.
absl::StatusOr<std::string> CanonicalProvider(absl::string_view name,
                                              const Json& doc);

// ParseValue parses what the user typed for `spec` into a JSON value, or
// returns InvalidArgument naming the key, the bad value and what is valid.
absl::StatusOr<Json> ParseValue(const SettingSpec& spec, absl::string_view text,
                                const Json& doc);

// ValidateApiKey checks a key before it is stored: non-empty, no whitespace
// or control characters. The message never contains the key.
absl::Status ValidateApiKey(absl::string_view provider, absl::string_view key);

// ValidateDocument checks a parsed config.json: the root is an object and
// every setting present has the right type and a valid value. Unknown
// top-level fields are allowed and kept, so a newer release's additions
// survive. On failure the message names the field and what is valid;
// `problem_key` receives the JSON member name at fault, for locating it.
absl::Status ValidateDocument(const Json& doc, std::string* problem_key);

// DisplayValue renders a JSON value for humans: strings bare, others in
// their JSON form.
std::string DisplayValue(const Json& value);

}  // namespace aix::config

#endif  // AIX_DAEMON_CONFIG_SETTINGS_H_
