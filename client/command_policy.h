// Which template commands may run. The Python aix's denylist, kept for its
// users, and improved where it was easy to slip past: every command of a
// pipeline or list is checked (not just the first), by its base name
// (/bin/rm is rm), after any VAR=value prefixes; the words after a command
// that runs others (env, xargs, find, …) too; a shell's -c script as a
// command of its own; and always refused: a shell fed by a pipe, a command
// named by an expansion, find -delete, a > redirection that empties a file.
//
// A denylist is a seatbelt, not a sandbox: the commands run as the user.
// What protects the user is that commands run only from prompts they wrote
// or chose to trust, and that commands_enabled / --disable-commands turn
// them off (README, "Template commands").
#ifndef AIX_CLIENT_COMMAND_POLICY_H_
#define AIX_CLIENT_COMMAND_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace aix {

// DefaultDeniedCommands is the built-in list (the Python aix's).
const std::vector<std::string>& DefaultDeniedCommands();

// DangerousPatterns are regular expressions refused whatever the list.
const std::vector<std::string>& DangerousPatterns();

// CommandNames returns the name of each simple command in `command`
// (split at ; & | && || newlines, $( and backquotes), without VAR=value
// prefixes or directories.
std::vector<std::string> CommandNames(absl::string_view command);

// CheckCommand returns OK if `command` may run, else PermissionDenied
// naming the rule that refused it. `denied` empty means the defaults.
absl::Status CheckCommand(absl::string_view command, const std::vector<std::string>& denied);

}  // namespace aix

#endif  // AIX_CLIENT_COMMAND_POLICY_H_
