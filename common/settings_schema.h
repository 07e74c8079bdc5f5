// The schema of aix's settings: their names, types, defaults and help.
// The one definition: aixd validates config.json against it and the client
// builds its help text and completions from it.
#ifndef AIX_COMMON_SETTINGS_SCHEMA_H_
#define AIX_COMMON_SETTINGS_SCHEMA_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"
#include "common/setting_defaults.h"

namespace aix::config {

using Json = nlohmann::json;

enum class SettingType {
  kString,       // any non-empty string
  kProvider,     // a built-in provider or custom:NAME (common/provider_registry.h)
  kPositiveInt,  // integer > 0
  kTemperature,  // number in [0, 2]
  kBool,         // true | false
  kPath,         // read-only, shown for information
  kUrl,          // http:// or https:// URL
  kFile,         // absolute path of a file
  kCount,        // integer >= 0
  kSeconds,      // integer number of seconds, 1 to 86400
  kProviderList, // comma list of PROVIDER or PROVIDER/MODEL
  kWordList,     // JSON array of words (no whitespace); typed as a comma list
  kDays,         // integer number of days, 0 to 36500 (0: no limit)
  kListen,       // loopback HOST:PORT (common/listen_address.h)
};

// SettingSpec describes one fixed setting.
struct SettingSpec {
  const char* key;
  SettingType type;
  // default_value is null for optional settings that have no default.
  Json default_value;
  std::string description;
};

// BuiltinProviders lists the built-in providers' names, the default first
// (from common/provider_registry.h).
const std::vector<std::string>& BuiltinProviders();

// FixedSettings lists the fixed settings in display order.
const std::vector<SettingSpec>& FixedSettings();

// FindSetting returns the spec of a fixed setting, or nullptr.
const SettingSpec* FindSetting(absl::string_view key);

// SettingKeysHelp is "a, b, c, api_keys.PROVIDER": every key users can name.
std::string SettingKeysHelp();

}  // namespace aix::config

#endif  // AIX_COMMON_SETTINGS_SCHEMA_H_
