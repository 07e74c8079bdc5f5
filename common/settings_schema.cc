#include "common/settings_schema.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/provider_registry.h"

namespace aix::config {

const std::vector<std::string>& BuiltinProviders() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>;
    for (const registry::BuiltinProvider& p : registry::Builtins()) v->push_back(p.name);
    return v;
  }();
  return *names;
}

const std::vector<SettingSpec>& FixedSettings() {
  static const auto* specs = [] {
    auto* specs = new std::vector<SettingSpec>{
        {"default_provider", SettingType::kProvider, registry::Default().name,
         "provider used when a run names none: " + registry::Choices()},
        {"default_model", SettingType::kString, nullptr,
         "model for the default provider when a run and its prompt name none"},
    };
    for (const registry::BuiltinProvider& p : registry::Builtins()) {
      specs->push_back({p.model_setting, SettingType::kString, nullptr,
                        absl::StrCat("model used with ", p.title, " when none is given")});
    }
    specs->insert(
        specs->end(),
        {
            {"max_tokens", SettingType::kPositiveInt, defaults::kMaxTokens,
             "most tokens a reply may have (integer > 0)"},
            {"temperature", SettingType::kTemperature, defaults::kTemperature, "sampling temperature, 0 to 2"},
            {"editor", SettingType::kString, "nano",
             "editor for 'aix edit' when $EDITOR is not set"},
            {"commands_enabled", SettingType::kBool, true,
             "whether a template's commands ($(cmd), {exec:cmd}, {cmd:cmd}) run, in the client, "
             "when a prompt is run (true/false)"},
            {"command_timeout", SettingType::kSeconds, defaults::kCommandTimeoutSeconds,
             "seconds a template command may run before the run fails"},
            {"disabled_commands", SettingType::kWordList, nullptr,
             "commands a template may not run, comma-separated (replaces the built-in list: rm, "
             "curl, sudo, ...; see aix cmd list)"},
        });
    for (const registry::BuiltinProvider& p : registry::Builtins()) {
      specs->push_back({p.base_url_setting, SettingType::kUrl, nullptr,
                        absl::StrCat(p.title, " API base URL (default ", p.base_url, ")")});
    }
    specs->insert(
        specs->end(),
        {
            {"ca_bundle", SettingType::kFile, nullptr,
             "CA certificates file for HTTPS to providers (default: the system's)"},
            {"connect_timeout", SettingType::kSeconds, defaults::kConnectTimeoutSeconds,
             "seconds to wait for a connection to a provider"},
            {"first_byte_timeout", SettingType::kSeconds, defaults::kFirstByteTimeoutSeconds,
             "seconds to wait, once a request is sent, for the answer to begin (slow free "
             "models queue for a while)"},
            {"idle_timeout", SettingType::kSeconds, defaults::kIdleTimeoutSeconds,
             "seconds an answer may stall mid-stream before the run fails"},
            {"max_retries", SettingType::kCount, defaults::kMaxRetries,
             "retries of a failed request before any text arrived (rate limits, 5xx, "
             "connection errors); 0 to 100"},
            {"fallback_providers", SettingType::kProviderList, nullptr,
             "providers that take over, in order, when one is rate-limited, failing or "
             "unreachable: PROVIDER or PROVIDER/MODEL, comma-separated"},
            {"history", SettingType::kBool, true,
             "whether aixd keeps every run in its run history (history.db in the storage "
             "directory; aix history, aix usage); true/false"},
            {"render", SettingType::kBool, false,
             "whether aix shows answers on a terminal as formatted Markdown (headings, lists, "
             "code set apart; aix run, reply, chat; --render/--no-render for one command); "
             "pipes always get the raw text; true/false"},
            {"history_keep_days", SettingType::kDays, defaults::kHistoryKeepDays,
             "days a conversation stays in the history after its last turn before it is "
             "pruned; 0 keeps every run"},
            {"http_listen", SettingType::kListen, nullptr,
             "loopback address where aixd also serves its OpenAI-compatible endpoint over TCP, "
             "e.g. 127.0.0.1:8791 (bearer token: aix endpoint token); unset: Unix socket only"},
            {"storage_path", SettingType::kPath, nullptr,
             "directory holding config.json and prompts (read-only: set "
             "AIX_STORAGE_PATH to move it)"},
        });
    return specs;
  }();
  return *specs;
}

const SettingSpec* FindSetting(absl::string_view key) {
  for (const SettingSpec& s : FixedSettings()) {
    if (key == s.key) return &s;
  }
  return nullptr;
}

std::string SettingKeysHelp() {
  std::vector<std::string> keys;
  for (const SettingSpec& s : FixedSettings()) keys.push_back(s.key);
  keys.push_back("api_keys.PROVIDER");
  return absl::StrJoin(keys, ", ");
}

}  // namespace aix::config
