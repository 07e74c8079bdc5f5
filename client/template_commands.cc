#include "client/template_commands.h"

#include <unistd.h>

#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "aix/v1/config.grpc.pb.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "client/call.h"
#include "client/command_policy.h"
#include "client/command_runner.h"
#include "client/terminal.h"
#include "common/status_macros.h"
#include "common/template.h"

namespace aix {

absl::StatusOr<CommandSettings> ReadCommandSettings() {
  v1::ListSettingsResponse list;
  AIX_RETURN_IF_ERROR(
      Call(&v1::ConfigService::Stub::ListSettings, v1::ListSettingsRequest(), &list));
  CommandSettings out;
  for (const v1::Setting& s : list.settings()) {
    if (!s.is_set()) continue;
    nlohmann::json v = nlohmann::json::parse(s.value_json(), nullptr, false);
    if (s.key() == "commands_enabled" && v.is_boolean()) out.enabled = v.get<bool>();
    if (s.key() == "command_timeout" && v.is_number_integer()) {
      out.timeout = absl::Seconds(v.get<int64_t>());
    }
    if (s.key() == "disabled_commands" && v.is_array()) {
      for (const auto& w : v) {
        if (w.is_string()) out.denied.push_back(w.get<std::string>());
      }
    }
  }
  return out;
}

absl::StatusOr<std::vector<CommandNote>> PrepareCommands(const std::string& prompt,
                                                          CommandMode mode, v1::RunRequest* req) {
  v1::GetPromptRequest get;
  get.set_name(prompt);
  v1::Prompt p;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::GetPrompt, get, &p));
  AIX_ASSIGN_OR_RETURN(prompts::Template tmpl, prompts::Template::Parse(p.template_()));
  std::vector<CommandNote> notes;
  if (tmpl.command_count() == 0) return notes;

  prompts::Template::Params params(req->params().begin(), req->params().end());
  if (req->has_stdin_input() && params.count("input") == 0) params["input"] = req->stdin_input();
  AIX_ASSIGN_OR_RETURN(std::vector<std::string> commands, tmpl.RenderCommands(params));
  AIX_ASSIGN_OR_RETURN(CommandSettings settings, ReadCommandSettings());

  if (mode != CommandMode::kRun || !settings.enabled) {
    req->set_commands_as_text(true);
    for (const std::string& c : commands) {
      std::string verdict = "not run (--disable-commands)";
      if (!settings.enabled) verdict = "not run (commands_enabled is false)";
      if (mode == CommandMode::kList) {
        absl::Status allowed = CheckCommand(c, settings.denied);
        verdict = allowed.ok() ? "would run" : absl::StrCat("refused: ", allowed.message());
      }
      notes.push_back({c, verdict});
    }
    if (mode == CommandMode::kRun && !settings.enabled) {
      std::cerr << "aix: commands are off (commands_enabled is false): the prompt's "
                << commands.size() << " command(s) are sent as written\n";
    }
    return notes;
  }
  if (!p.commands_trusted()) {
    // Nobody here wrote these commands: they run only once the user says so.
    std::string list;
    for (const std::string& c : commands) absl::StrAppend(&list, "  ", c, "\n");
    // Trust also covers where the prompt itself sends the input.
    if (p.has_provider()) absl::StrAppend(&list, "and it sends your input to ", p.provider(), "\n");
    if (!IsTerminal(STDIN_FILENO)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prompt ", prompt, " came from ", p.origin(), " and runs commands nobody here wrote:\n",
          list, "Nothing was run or sent. Look at them (aix cmd list ", prompt,
          "), then trust them: aix trust ", prompt, " (or run with --disable-commands)"));
    }
    std::cerr << "Prompt " << prompt << " came from " << p.origin()
              << " and runs these commands, which nobody here wrote:\n"
              << list;
    if (!Confirm("Trust them and run?")) {
      return absl::InvalidArgumentError(
          absl::StrCat("not trusted; nothing was run or sent. Trust them later with: aix trust ",
                       prompt));
    }
    v1::TrustPromptRequest trust;
    trust.set_name(prompt);
    v1::Prompt trusted;
    AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::TrustPrompt, trust, &trusted));
  }
  for (const std::string& c : commands) {
    absl::Status allowed = CheckCommand(c, settings.denied);
    if (!allowed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prompt ", prompt, ": ", allowed.message(),
          ".\nNothing was run or sent. To send the prompt with its commands as text, use "
          "--disable-commands; to change the list: aix config disabled_commands LIST"));
    }
  }
  for (const std::string& c : commands) {
    AIX_ASSIGN_OR_RETURN(std::string output, RunCommand(c, settings.timeout));
    req->add_command_outputs(std::move(output));
    notes.push_back({c, "ran"});
  }
  return notes;
}

}  // namespace aix
