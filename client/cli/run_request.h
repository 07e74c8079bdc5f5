// What `aix run` was given, and the RunRequest it becomes. Kept apart from
// the command so the mapping is tested without a daemon.
#ifndef AIX_CLIENT_CLI_RUN_REQUEST_H_
#define AIX_CLIENT_CLI_RUN_REQUEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "aix/v1/runs.pb.h"

namespace aix {

// RunArgs is what `aix run` was given.
struct RunArgs {
  std::string prompt;
  std::vector<std::string> params, fallback;  // as typed: key=value, key=@file
  // literal_params are used as they are (no @file): recorded values.
  std::map<std::string, std::string> literal_params;
  std::string provider, model, system, output;
  int64_t max_tokens = 0;
  double temperature = -1;
  int max_retries = -1;
  bool no_stream = false;
  bool stream = false;
  bool no_execute = false;
  bool execute = false;
  bool dry_run = false;
  bool json = false;
  bool verbose = false;
  bool disable_commands = false;
  bool no_history = false;
  // Continuing a conversation (aix run --continue [ID], aix reply [-c ID]):
  // conversation_id 0 is the newest one started from aix.
  bool continues = false;
  int64_t conversation_id = 0;
  int last_turns = 0;
  // --render / --no-render: Markdown on a terminal (else the setting).
  bool render = false;
  bool no_render = false;
  // reply: what the user says next (aix reply); the prompt stays empty.
  std::vector<std::string> message;
  // -a FILE (repeatable) and --schema FILE (structured_output.h).
  std::vector<std::string> attach;
  std::string schema;
};

// RunRequestFor maps `a` to a request: --param key=value and key=@file
// (read here, UTF-8 checked), recorded params as they are, options only
// when given, --fallback lists split on commas, -a files as attachments,
// --schema as a response_format option, the mode from --dry-run /
// --no-execute. Environment keys and stdin are added by the command.
// InvalidArgument names the bad --param and the fix.
absl::StatusOr<v1::RunRequest> RunRequestFor(const RunArgs& a);

}  // namespace aix

#endif  // AIX_CLIENT_CLI_RUN_REQUEST_H_
