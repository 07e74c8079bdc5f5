// aix config: list, get, set, unset and reset settings.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aix/v1/config.grpc.pb.h"
#include "client/cli/subcommand.h"
#include "client/call.h"
#include "client/terminal.h"
#include "common/json_text.h"
#include "common/settings_schema.h"
#include "common/status_macros.h"

namespace aix {
namespace {

using Json = nlohmann::json;

struct ConfigArgs {
  // The Python tool's positional form: `aix config KEY` gets, `aix config
  // KEY VALUE` sets.
  std::vector<std::string> positional;
  bool list = false;
  std::string get;
  // --set KEY VALUE, or --set KEY=VALUE as the Python tool spelled it.
  std::vector<std::string> set;
  std::string unset;
  bool reset = false;
  bool yes = false;
  bool json = false;
};

Json ValueOf(const v1::Setting& s) {
  if (!s.is_set()) return nullptr;
  return Json::parse(s.value_json(), nullptr, /*allow_exceptions=*/false);
}

void PrintSetting(const v1::Setting& s, bool json) {
  if (json) {
    std::cout << JsonText(Json{{"key", s.key()}, {"value", ValueOf(s)}, {"is_default", s.is_default()},
                      {"secret", s.secret()}})
              << "\n";
    return;
  }
  std::cout << s.key() << " = " << (s.is_set() ? s.value() : "(not set)")
            << (s.is_default() ? " (default)" : "") << "\n";
}

// PrintList prints `key = value` lines, or with --json one object shaped
// like config.json (api_keys nested, masked; unset settings null).
void PrintList(const v1::ListSettingsResponse& r, bool json) {
  if (!json) {
    for (const v1::Setting& s : r.settings()) {
      std::cout << s.key() << " = " << (s.is_set() ? s.value() : "(not set)") << "\n";
    }
    return;
  }
  Json out = Json::object();
  out["api_keys"] = Json::object();
  for (const v1::Setting& s : r.settings()) {
    if (absl::StartsWith(s.key(), "api_keys.")) {
      out["api_keys"][s.key().substr(9)] = ValueOf(s);
    } else {
      out[s.key()] = ValueOf(s);
    }
  }
  std::cout << JsonText(out, 2) << "\n";
}

// SetPair reads --set's one or two values: KEY VALUE or KEY=VALUE.
absl::Status SetPair(const std::vector<std::string>& values, std::string* key,
                     std::string* value) {
  if (values.size() == 2) {
    *key = values[0];
    *value = values[1];
    return absl::OkStatus();
  }
  size_t eq = values.empty() ? std::string::npos : values[0].find('=');
  if (eq == std::string::npos || eq == 0) {
    return absl::InvalidArgumentError(
        "--set takes KEY VALUE or KEY=VALUE, e.g. aix config --set max_tokens 2048");
  }
  *key = values[0].substr(0, eq);
  *value = values[0].substr(eq + 1);
  return absl::OkStatus();
}

absl::Status Run(ConfigArgs a) {
  int actions = !a.positional.empty() + a.list + !a.get.empty() + !a.set.empty() +
                !a.unset.empty() + a.reset;
  if (actions > 1) {
    return absl::InvalidArgumentError(
        "give only one of KEY [VALUE], --list, --get, --set, --unset, --reset");
  }
  if (a.positional.size() == 1) a.get = a.positional[0];
  if (a.positional.size() == 2) a.set = a.positional;
  if (a.reset && !a.yes) {
    if (!IsTerminal(STDIN_FILENO)) {
      return absl::InvalidArgumentError(
          "--reset deletes every setting and API key; confirm with: aix config --reset --yes");
    }
    if (!Confirm("Reset every setting to its default and delete all stored API keys?")) {
      std::cerr << "Nothing changed.\n";
      return absl::OkStatus();
    }
  }
  v1::Setting setting;
  if (!a.get.empty()) {
    v1::GetSettingRequest req;
    req.set_key(a.get);
    AIX_RETURN_IF_ERROR(Call(&v1::ConfigService::Stub::GetSetting, req, &setting));
    if (a.json) {
      PrintSetting(setting, true);
    } else {
      std::cout << setting.value() << "\n";
    }
    return absl::OkStatus();
  }
  if (!a.set.empty()) {
    v1::SetSettingRequest req;
    AIX_RETURN_IF_ERROR(SetPair(a.set, req.mutable_key(), req.mutable_value()));
    if (absl::StartsWith(req.key(), "api_keys.") && IsTerminal(STDERR_FILENO)) {
      std::cerr << "warning: the key is now in your shell history. Next time use: aix api-key "
                << req.key().substr(9) << "\n";
    }
    AIX_RETURN_IF_ERROR(Call(&v1::ConfigService::Stub::SetSetting, req, &setting));
    PrintSetting(setting, a.json);
    return absl::OkStatus();
  }
  if (!a.unset.empty()) {
    v1::UnsetSettingRequest req;
    req.set_key(a.unset);
    AIX_RETURN_IF_ERROR(Call(&v1::ConfigService::Stub::UnsetSetting, req, &setting));
    PrintSetting(setting, a.json);
    return absl::OkStatus();
  }
  v1::ListSettingsResponse list;
  if (a.reset) {
    AIX_RETURN_IF_ERROR(
        Call(&v1::ConfigService::Stub::ResetConfig, v1::ResetConfigRequest(), &list));
    if (!a.json) std::cerr << "Configuration reset to defaults.\n";
  } else {
    AIX_RETURN_IF_ERROR(
        Call(&v1::ConfigService::Stub::ListSettings, v1::ListSettingsRequest(), &list));
  }
  PrintList(list, a.json);
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddConfig(CLI::App& root) {
  auto args = std::make_shared<ConfigArgs>();
  CLI::App* cmd = root.add_subcommand(
      "config",
      "Show or change settings (stored in config.json; API keys shown masked). "
      "With no option, lists every setting.");
  cmd->add_option("key_value", args->positional,
                  "KEY to print one setting, KEY VALUE to set it (as --get / --set)")
      ->type_name("KEY [VALUE]")
      ->expected(0, 2);
  cmd->add_flag("-l,--list", args->list, "List every setting");
  cmd->add_option("-g,--get", args->get, "Print one setting's value")->type_name("KEY");
  cmd->add_option("-s,--set", args->set,
                  "Set a setting: KEY VALUE or KEY=VALUE (validated; nothing is written on "
                  "error)")
      ->type_name("KEY VALUE")
      ->expected(1, 2);
  cmd->add_option("--unset", args->unset, "Return a setting to its default (or remove it)")
      ->type_name("KEY");
  cmd->add_flag("--reset", args->reset,
                "Reset all settings to defaults and delete stored API keys");
  cmd->add_flag("-y,--yes", args->yes, "Do not ask for confirmation (with --reset)");
  cmd->add_flag("--json", args->json, "Print JSON for machines");
  cmd->footer(absl::StrCat(
      "Settings: ", config::SettingKeysHelp(),
      ".\nExamples:\n  aix config default_provider openai\n"
      "  aix config --set max_tokens=2048\n  aix config max_tokens\n"
      "  aix config --list --json"));
  return {{cmd, [args] { return Run(*args); }}};
}

}  // namespace aix
