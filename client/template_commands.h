// The client's side of template commands: aixd finds them in a prompt
// (Prompt.commands); aix fills in their parameters, checks them against the
// policy, runs them here, in the user's directory and environment, and
// sends their outputs with the run (RunRequest.command_outputs).
#ifndef AIX_CLIENT_TEMPLATE_COMMANDS_H_
#define AIX_CLIENT_TEMPLATE_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aix/v1/runs.pb.h"

namespace aix {

// CommandSettings are the settings that govern commands, read from aixd.
struct CommandSettings {
  bool enabled = true;
  std::vector<std::string> denied;  // empty: the built-in list
  absl::Duration timeout = absl::Seconds(30);
};
absl::StatusOr<CommandSettings> ReadCommandSettings();

// What happens to each command of a run.
enum class CommandMode {
  kRun,     // check and run them; their outputs go into the prompt
  kAsText,  // leave them in the prompt as written (--disable-commands)
  kList,    // as text, and say what would run (--dry-run)
};

struct CommandNote {
  std::string command;  // parameters filled in
  std::string verdict;  // "ran", "would run", or why it may not run
};

// PrepareCommands handles the commands of prompt `prompt` for `req` (whose
// params and stdin_input are final). Notes describe each command. Errors:
// a refused command (InvalidArgument, with the fix) or a failed one.
absl::StatusOr<std::vector<CommandNote>> PrepareCommands(const std::string& prompt,
                                                          CommandMode mode, v1::RunRequest* req);

}  // namespace aix

#endif  // AIX_CLIENT_TEMPLATE_COMMANDS_H_
