// aix: the command-line client. Wiring only: every command is a request to
// aixd (see cli/ and connect.h).
#include <signal.h>

#include <iostream>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/cli/subcommand.h"
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
  const aix::SubcommandGroup groups[] = {
      aix::AddRun,         aix::AddChat,      aix::AddPrompts,  aix::AddHistory,
      aix::AddConfig,      aix::AddApiKey,    aix::AddProviders, aix::AddDaemon,
      aix::AddEndpoint,    aix::AddMcp,       aix::AddUi,       aix::AddMigrate,  aix::AddCmd,
      aix::AddCollections,
      aix::AddCompletion,
  };
  const char* wanted = nullptr;  // the command word, if any
  for (int i = 1; i < argc && wanted == nullptr; ++i) {
    if (argv[i][0] != '-') wanted = argv[i];
  }
  std::vector<aix::Subcommand> commands;
  for (aix::SubcommandGroup add : groups) {
    for (aix::Subcommand& c : add(app)) commands.push_back(std::move(c));
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
  for (const aix::Subcommand& c : commands) {
    if (!c.app->parsed()) continue;
    absl::Status s = c.run();
    if (!s.ok()) std::cerr << "aix: error: " << s.message() << "\n";
    aix::AfterCommand(aix::CurrentChannel());
    aix::QuickExit(aix::ExitCodeFor(s));
  }
  return aix::kExitUsage;
}
