// aix run, as the other commands reuse it (aix history rerun).
#ifndef AIX_CLIENT_COMMANDS_RUN_CMD_H_
#define AIX_CLIENT_COMMANDS_RUN_CMD_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

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
};

// RunPrompt runs a prompt as `aix run` does: the answer streams to stdout,
// Ctrl-C cancels, the status says how it ended.
absl::Status RunPrompt(const RunArgs& a);

}  // namespace aix

#endif  // AIX_CLIENT_COMMANDS_RUN_CMD_H_
