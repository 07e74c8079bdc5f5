// aix run, as the other commands reuse it (aix history rerun).
#ifndef AIX_CLIENT_CLI_RUN_CMD_H_
#define AIX_CLIENT_CLI_RUN_CMD_H_

#include "absl/status/status.h"
#include "client/cli/run_request.h"

namespace aix {


// RunPrompt runs a prompt as `aix run` does: the answer streams to stdout,
// Ctrl-C cancels, the status says how it ended.
absl::Status RunPrompt(const RunArgs& a);

}  // namespace aix

#endif  // AIX_CLIENT_CLI_RUN_CMD_H_
