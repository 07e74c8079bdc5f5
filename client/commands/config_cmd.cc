// aix config: list, get, set, unset and reset settings.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aix/v1/config.grpc.pb.h"
#include "client/commands/command.h"
#include "client/connect.h"
#include "client/terminal.h"
#include "common/status_macros.h"

namespace aix {
namespace {

using Json = nlohmann::json;

struct ConfigArgs {
  bool list = false;
  std::string get;
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
    std::cout << Json{{"key", s.key()}, {"value", ValueOf(s)}, {"is_default", s.is_default()},
                      {"secret", s.secret()}}.dump()
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
  std::cout << out.dump(2) << "\n";
}

absl::Status Run(const ConfigArgs& a) {
  int actions = a.list + !a.get.empty() + !a.set.empty() + !a.unset.empty() + a.reset;
  if (actions > 1) {
    return absl::InvalidArgumentError(
        "give only one of --list, --get, --set, --unset, --reset");
  }
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
  if (!a.set.empty() && absl::StartsWith(a.set[0], "api_keys.") && IsTerminal(STDERR_FILENO)) {
    std::cerr << "warning: the key is now in your shell history. Next time use: aix api-key "
              << a.set[0].substr(9) << "\n";
  }

  AIX_ASSIGN_OR_RETURN(auto channel, Connect(AutoStart::kYes));
  auto stub = v1::ConfigService::NewStub(channel);
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  v1::Setting setting;
  if (!a.get.empty()) {
    v1::GetSettingRequest req;
    req.set_key(a.get);
    AIX_RETURN_IF_ERROR(CallStatus(stub->GetSetting(&ctx, req, &setting)));
    if (a.json) {
      PrintSetting(setting, true);
    } else {
      std::cout << setting.value() << "\n";
    }
    return absl::OkStatus();
  }
  if (!a.set.empty()) {
    v1::SetSettingRequest req;
    req.set_key(a.set[0]);
    req.set_value(a.set[1]);
    AIX_RETURN_IF_ERROR(CallStatus(stub->SetSetting(&ctx, req, &setting)));
    PrintSetting(setting, a.json);
    return absl::OkStatus();
  }
  if (!a.unset.empty()) {
    v1::UnsetSettingRequest req;
    req.set_key(a.unset);
    AIX_RETURN_IF_ERROR(CallStatus(stub->UnsetSetting(&ctx, req, &setting)));
    PrintSetting(setting, a.json);
    return absl::OkStatus();
  }
  v1::ListSettingsResponse list;
  if (a.reset) {
    AIX_RETURN_IF_ERROR(CallStatus(stub->ResetConfig(&ctx, v1::ResetConfigRequest(), &list)));
    if (!a.json) std::cerr << "Configuration reset to defaults.\n";
  } else {
    AIX_RETURN_IF_ERROR(CallStatus(stub->ListSettings(&ctx, v1::ListSettingsRequest(), &list)));
  }
  PrintList(list, a.json);
  return absl::OkStatus();
}

}  // namespace

Command AddConfigCommand(CLI::App& root) {
  auto args = std::make_shared<ConfigArgs>();
  CLI::App* cmd = root.add_subcommand(
      "config",
      "Show or change settings (stored in config.json; API keys shown masked). "
      "With no option, lists every setting.");
  cmd->add_flag("-l,--list", args->list, "List every setting");
  cmd->add_option("--get", args->get, "Print one setting's value")->type_name("KEY");
  cmd->add_option("--set", args->set, "Set a setting (validated; nothing is written on error)")
      ->type_name("KEY VALUE")
      ->expected(2);
  cmd->add_option("--unset", args->unset, "Return a setting to its default (or remove it)")
      ->type_name("KEY");
  cmd->add_flag("--reset", args->reset,
                "Reset all settings to defaults and delete stored API keys");
  cmd->add_flag("-y,--yes", args->yes, "Do not ask for confirmation (with --reset)");
  cmd->add_flag("--json", args->json, "Print JSON for machines");
  cmd->footer(
      "Settings: default_provider, default_model, openrouter_default_model, "
      "openai_default_model, anthropic_default_model, max_tokens, temperature, "
      "editor, commands_enabled, storage_path (read-only), api_keys.PROVIDER.\n"
      "Examples:\n  aix config --set default_provider openai\n"
      "  aix config --get max_tokens\n  aix config --list --json");
  return {cmd, [args] { return Run(*args); }};
}

}  // namespace aix
