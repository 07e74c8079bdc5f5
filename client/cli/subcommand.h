// The client's subcommand table. Each group (a file in client/cli/) adds its
// CLI11 subcommands to the root and returns, for each, what to run when it
// was the one given. main.cc lists the groups; adding a group is a file and
// one line there.
//
// Naming: a "subcommand" is one of aix's own (aix run, aix config); a
// "command" is a template's shell command ($(cmd), {exec:cmd}), which
// client/template_commands.h, command_policy.h and command_runner.h run.
#ifndef AIX_CLIENT_CLI_SUBCOMMAND_H_
#define AIX_CLIENT_CLI_SUBCOMMAND_H_

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"

namespace aix {

struct Subcommand {
  CLI::App* app;                      // the subcommand, owned by the root
  std::function<absl::Status()> run;  // called after a successful parse
};

// Every group has this shape.
using SubcommandGroup = std::vector<Subcommand> (*)(CLI::App& root);

// run: a prompt (or stdin) against a provider; reply: the next turn of a
// conversation.
std::vector<Subcommand> AddRun(CLI::App& root);
// chat: a conversation at the terminal.
std::vector<Subcommand> AddChat(CLI::App& root);
// create, list, show, edit, delete, trust.
std::vector<Subcommand> AddPrompts(CLI::App& root);
// history [search|show|rerun|delete|prune], and usage.
std::vector<Subcommand> AddHistory(CLI::App& root);
// config: settings.
std::vector<Subcommand> AddConfig(CLI::App& root);
// api-key: store, show (masked), remove.
std::vector<Subcommand> AddApiKey(CLI::App& root);
// provider add|list|info|remove, models.
std::vector<Subcommand> AddProviders(CLI::App& root);
// daemon start|stop|status.
std::vector<Subcommand> AddDaemon(CLI::App& root);
// endpoint [token]: the OpenAI-compatible endpoint.
std::vector<Subcommand> AddEndpoint(CLI::App& root);
// mcp [config]: the MCP server on stdio, and client set-up.
std::vector<Subcommand> AddMcp(CLI::App& root);
// ui: the web page, opened in a browser.
std::vector<Subcommand> AddUi(CLI::App& root);
// migrate: import the Python aix's ~/.prompts.
std::vector<Subcommand> AddMigrate(CLI::App& root);
// cmd test|list|template-test: try a template's commands.
std::vector<Subcommand> AddCmd(CLI::App& root);
// collection create|list|info|load|unload|add|remove|delete, and the
// Python spellings collection-create, ... (hidden from --help).
std::vector<Subcommand> AddCollections(CLI::App& root);
// completion bash|zsh|fish, and the hidden __complete the scripts call.
std::vector<Subcommand> AddCompletion(CLI::App& root);

}  // namespace aix

#endif  // AIX_CLIENT_CLI_SUBCOMMAND_H_
