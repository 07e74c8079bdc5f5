// aix: the command-line client. Wiring only: every command is a request to
// aixd (see commands/ and connect.h).
#include <signal.h>

#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/commands/command.h"
#include "client/connect.h"
#include "client/version_check.h"
#include "common/exit_codes.h"
#include "common/version.h"

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{"aix: keep a library of prompt templates and run them against AI "
               "providers. Commands are served by the aixd daemon, started on demand."};
  app.set_version_flag("-V,--version", aix::kVersion);
  app.require_subcommand(1);
  std::vector<aix::Command> commands = {aix::AddRunCommand(app)};
  for (aix::Command& c : aix::AddPromptCommands(app)) commands.push_back(c);
  for (aix::Command& c : aix::AddProviderCommands(app)) commands.push_back(c);
  for (aix::Command& c : aix::AddCollectionCommands(app)) commands.push_back(c);
  commands.push_back(aix::AddMigrateCommand(app));
  commands.push_back(aix::AddConfigCommand(app));
  commands.push_back(aix::AddApiKeyCommand(app));
  commands.push_back(aix::AddCmdCommand(app));
  for (aix::Command& c : aix::AddCompletionCommands(app)) commands.push_back(c);
  commands.push_back(aix::AddDaemonCommand(app));
  app.footer(aix::ExitCodeHelp());
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "aix: error: " << e.what() << "\nRun 'aix --help' for usage.\n";
    return aix::kExitUsage;
  }
  for (const aix::Command& c : commands) {
    if (!c.app->parsed()) continue;
    absl::Status s = c.run();
    if (!s.ok()) std::cerr << "aix: error: " << s.message() << "\n";
    aix::AfterCommand(aix::CurrentChannel());
    aix::QuickExit(aix::ExitCodeFor(s));
  }
  return aix::kExitUsage;
}
