// The schema of config.json: which settings exist, their types, defaults and
// validation. Pure functions over a JSON document; no I/O.
//
// A settings key is either one of the fixed settings ("max_tokens") or
// "api_keys.PROVIDER". Provider names are those of common/provider_registry.h
// (a built-in one or "custom:NAME"); in api_keys a custom provider's key is
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
#include "common/settings_schema.h"

namespace aix::config {

using Json = nlohmann::json;

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

// UrlScheme checks `url` with libcurl's URL parser and returns its scheme,
// which must be http or https; InvalidArgument says what is wrong.
absl::StatusOr<std::string> UrlScheme(const std::string& url);

// IsHeaderToken: `s` is a valid HTTP header name.
bool IsHeaderToken(absl::string_view s);

// CheckCustomProvider validates one custom_providers entry (as `aix
// provider add` stores it, or as hand-edited): the name rule, base_url a
// valid http(s) URL, model a string, auth_type bearer|api-key|none, headers
// an object of single-line strings with valid names.
absl::Status CheckCustomProvider(const std::string& name, const Json& definition);

// RunSettings is the typed view of what a run needs from config.json, read
// once per run from a validated document (ValidateDocument): every default
// of the run path lives in FixedSettings and is applied here.
struct RunSettings {
  std::string default_provider;  // as stored: openrouter, custom:NAME, ...
  std::string default_model;     // may be empty
  int64_t max_tokens = defaults::kMaxTokens;
  double temperature = defaults::kTemperature;
  std::string ca_bundle;  // empty: the system's CAs
  int64_t connect_timeout_s = defaults::kConnectTimeoutSeconds;
  int64_t first_byte_timeout_s = defaults::kFirstByteTimeoutSeconds;
  int64_t idle_timeout_s = defaults::kIdleTimeoutSeconds;
  int64_t max_retries = defaults::kMaxRetries;
  std::vector<std::string> fallback_providers;  // PROVIDER or PROVIDER/MODEL
  bool history = true;            // record runs in the run history
  int64_t history_keep_days = defaults::kHistoryKeepDays;  // 0: keep every run
};

// ReadRunSettings fills RunSettings from `doc`, defaults for what is unset.
RunSettings ReadRunSettings(const Json& doc);

// ModelSetting returns `<provider>_default_model` for a built-in provider,
// or "" when unset or not built in.
std::string ModelSetting(const Json& doc, absl::string_view provider);

// SplitProviderList splits "a, b/model" into trimmed, non-empty items.
std::vector<std::string> SplitProviderList(absl::string_view text);

// CheckProviderSpec validates one PROVIDER or PROVIDER/MODEL item (syntax
// only: a custom provider may be added later).
absl::Status CheckProviderSpec(absl::string_view item);

// DisplayValue renders a JSON value for humans: strings bare, others in
// their JSON form.
std::string DisplayValue(const Json& value);

}  // namespace aix::config

#endif  // AIX_DAEMON_CONFIG_SETTINGS_H_
