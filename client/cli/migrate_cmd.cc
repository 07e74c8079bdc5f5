// aix migrate: bring the Python aix's library (config.json and
// collections/*.xml in the storage directory) into aixd.
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "aix/v1/collections.grpc.pb.h"
#include "client/call.h"
#include "client/cli/subcommand.h"
#include "common/status_macros.h"

namespace aix {
namespace {

using Stub = v1::CollectionService::Stub;

absl::Status Migrate(bool dry_run) {
  v1::MigratePythonLibraryRequest req;
  req.set_dry_run(dry_run);
  v1::MigratePythonLibraryResponse resp;
  AIX_RETURN_IF_ERROR(Call(&Stub::MigratePythonLibrary, req, &resp, AutoStart::kYes, absl::Minutes(10)));
  if (!resp.config_migrated() && resp.collections_size() == 0 && resp.report_size() == 0) {
    std::cout << "Nothing to migrate: no Python aix config.json or collections/*.xml here\n";
    return absl::OkStatus();
  }
  std::cout << (dry_run ? "Would migrate" : "Migrated") << ": "
            << (resp.config_migrated() ? "config.json, " : "") << resp.collections_size()
            << " collection(s) (" << absl::StrJoin(resp.collections(), ", ") << "), "
            << resp.prompts() << " prompt(s)\n";
  for (const std::string& line : resp.report()) std::cout << "  " << line << "\n";
  if (!dry_run) {
    std::cout << "The Python aix's files are left as they were (config.json is kept as "
                 "config.json.python).\n";
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddMigrate(CLI::App& root) {
  auto dry = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand(
      "migrate", "Import the Python aix's library from the storage directory: its config.json "
                 "(settings, keys, custom providers) and collections/*.xml");
  cmd->add_flag("-n,--dry-run", *dry, "Report what would change; change nothing");
  return {{cmd, [dry] { return Migrate(*dry); }}};
}

}  // namespace aix
