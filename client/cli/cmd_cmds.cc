// aix cmd test|list|template-test: look at template commands before a run
// does (the Python aix's `cmd` checks and, for safe-template, a check of a
// template's syntax, parameters and commands).
#include <iostream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "client/call.h"
#include "client/command_policy.h"
#include "client/command_runner.h"
#include "client/cli/subcommand.h"
#include "client/template_commands.h"
#include "common/status_macros.h"
#include "common/template.h"

namespace aix {
namespace {

std::string Verdict(const std::string& command, const CommandSettings& settings) {
  absl::Status s = CheckCommand(command, settings.denied);
  return s.ok() ? "allowed" : absl::StrCat("refused: ", s.message());
}

// Test checks one command and, when it is allowed, runs it as a template
// would and prints its output.
absl::Status Test(const std::string& command) {
  AIX_ASSIGN_OR_RETURN(CommandSettings settings, ReadCommandSettings());
  absl::Status allowed = CheckCommand(command, settings.denied);
  if (!allowed.ok()) return absl::InvalidArgumentError(allowed.message());
  std::cerr << "allowed; running it (timeout " << absl::FormatDuration(settings.timeout)
            << ")\n";
  AIX_ASSIGN_OR_RETURN(std::string out, RunCommand(command, settings.timeout));
  std::cout << out << (out.empty() ? "" : "\n");
  return absl::OkStatus();
}

// List shows the policy, or with a prompt name that prompt's commands.
absl::Status List(const std::string& prompt) {
  AIX_ASSIGN_OR_RETURN(CommandSettings settings, ReadCommandSettings());
  if (prompt.empty()) {
    std::cout << "commands_enabled:  " << (settings.enabled ? "true" : "false") << "\n"
              << "command_timeout:   " << absl::FormatDuration(settings.timeout) << "\n"
              << "disabled commands: "
              << absl::StrJoin(settings.denied.empty() ? DefaultDeniedCommands() : settings.denied,
                               ", ")
              << (settings.denied.empty() ? " (built-in list)" : " (disabled_commands)") << "\n"
              << "always refused:    " << absl::StrJoin(DangerousPatterns(), "  ") << "\n";
    return absl::OkStatus();
  }
  v1::GetPromptRequest req;
  req.set_name(prompt);
  req.set_brief(true);
  v1::Prompt p;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::GetPrompt, req, &p));
  if (p.commands_size() == 0) {
    std::cout << prompt << " runs no commands\n";
    return absl::OkStatus();
  }
  for (const std::string& c : p.commands()) std::cout << c << "\n  " << Verdict(c, settings) << "\n";
  return absl::OkStatus();
}

// TemplateTest parses template text (an argument, or - for stdin): its
// syntax, parameters and commands, without saving or running anything.
absl::Status TemplateTest(std::string text) {
  if (text == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  }
  AIX_ASSIGN_OR_RETURN(prompts::Template t, prompts::Template::Parse(text));
  std::cout << "template ok\n"
            << "parameters: " << (t.variables().empty() ? "none" : absl::StrJoin(t.variables(), ", "))
            << "\n";
  if (t.command_count() == 0) {
    std::cout << "commands:   none\n";
    return absl::OkStatus();
  }
  AIX_ASSIGN_OR_RETURN(CommandSettings settings, ReadCommandSettings());
  std::cout << "commands:\n";
  for (const std::string& c : t.CommandSources()) {
    std::cout << "  " << c << "\n    " << Verdict(c, settings) << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddCmd(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "cmd", "Check template commands ($(cmd), {exec:cmd}, {cmd:cmd}): which may run, and "
             "what a command prints");
  cmd->require_subcommand(1);
  auto action = std::make_shared<std::function<absl::Status()>>();
  auto arg = std::make_shared<std::string>();

  CLI::App* test = cmd->add_subcommand(
      "test", "Check a command against the policy; if allowed, run it here and print its output");
  test->add_option("command", *arg, "The command, quoted")->required();
  test->callback([action, arg] { *action = [arg] { return Test(*arg); }; });

  auto prompt = std::make_shared<std::string>();
  CLI::App* list = cmd->add_subcommand(
      "list", "Show the policy (commands_enabled, timeout, disabled commands), or with a prompt "
              "name its commands and whether each may run");
  list->add_option("prompt", *prompt, "A prompt's name");
  list->callback([action, prompt] { *action = [prompt] { return List(*prompt); }; });

  CLI::App* tt = cmd->add_subcommand(
      "template-test", "Check template text without saving it: syntax, parameters, commands");
  tt->add_option("template", *arg, "The template, or - to read it from stdin")->required();
  tt->callback([action, arg] { *action = [arg] { return TemplateTest(*arg); }; });
  return {{cmd, [action] { return (*action)(); }}};
}

}  // namespace aix
