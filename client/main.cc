// aix: the command-line client. Wiring only: every command is a request to
// aixd (see commands/ and connect.h).
#include <signal.h>

#include <functional>
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
               "providers. Commands are served by the aixd daemon, started on demand.",
               "aix"};  // named: --help shows `aix`, not the path it was started by
  app.set_version_flag("-V,--version", aix::kVersion);
  app.require_subcommand(1);
  // Only the command groups up to the one named on the command line are
  // built: setting up every option of every command in CLI11 was half of a
  // short command's time. Groups are in the order of --help (most used
  // first); completion comes last, as it walks the whole tree.
  using Group = std::function<void(CLI::App&, std::vector<aix::Command>*)>;
  auto one = [](aix::Command (*add)(CLI::App&)) -> Group {
    return [add](CLI::App& a, std::vector<aix::Command>* out) { out->push_back(add(a)); };
  };
  auto many = [](std::vector<aix::Command> (*add)(CLI::App&)) -> Group {
    return [add](CLI::App& a, std::vector<aix::Command>* out) {
      for (aix::Command& c : add(a)) out->push_back(c);
    };
  };
  const Group groups[] = {
      one(aix::AddRunCommand),          many(aix::AddPromptCommands),
      many(aix::AddHistoryCommands),
      one(aix::AddConfigCommand),       one(aix::AddApiKeyCommand),
      many(aix::AddProviderCommands),   one(aix::AddDaemonCommand),
      one(aix::AddEndpointCommand),
      one(aix::AddMigrateCommand),      one(aix::AddCmdCommand),
      many(aix::AddCollectionCommands), many(aix::AddCompletionCommands),
  };
  const char* wanted = nullptr;  // the command word, if any
  for (int i = 1; i < argc && wanted == nullptr; ++i) {
    if (argv[i][0] != '-') wanted = argv[i];
  }
  std::vector<aix::Command> commands;
  for (const Group& add : groups) {
    add(app, &commands);
    if (wanted != nullptr &&
        !app.get_subcommands([wanted](CLI::App* a) { return a->check_name(wanted); }).empty()) {
      break;
    }
  }
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
