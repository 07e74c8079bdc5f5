// The client's command table: each command group adds its CLI11
// subcommand and returns what to run when that subcommand was given.
#ifndef AIX_CLIENT_COMMANDS_COMMAND_H_
#define AIX_CLIENT_COMMANDS_COMMAND_H_

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"

namespace aix {

struct Command {
  CLI::App* app;                      // the subcommand, owned by the root
  std::function<absl::Status()> run;  // called after a successful parse
};

Command AddConfigCommand(CLI::App& root);
Command AddApiKeyCommand(CLI::App& root);
Command AddDaemonCommand(CLI::App& root);
// endpoint [token]: the OpenAI-compatible endpoint.
Command AddEndpointCommand(CLI::App& root);
Command AddRunCommand(CLI::App& root);
// completion bash|zsh|fish, and the hidden __complete the scripts call.
std::vector<Command> AddCompletionCommands(CLI::App& root);
// collection create|list|info|load|unload|add|remove|delete, and the
// Python spellings collection-create, ... (hidden from --help).
std::vector<Command> AddCollectionCommands(CLI::App& root);
// migrate: import the Python aix's ~/.prompts.
Command AddMigrateCommand(CLI::App& root);
// cmd test|list|template-test.
Command AddCmdCommand(CLI::App& root);
// provider add|list|info|remove, models.
std::vector<Command> AddProviderCommands(CLI::App& root);
// history [search|show|rerun|delete|prune], and usage.
std::vector<Command> AddHistoryCommands(CLI::App& root);
// create, list, show, edit, delete, trust.
std::vector<Command> AddPromptCommands(CLI::App& root);

}  // namespace aix

#endif  // AIX_CLIENT_COMMANDS_COMMAND_H_
