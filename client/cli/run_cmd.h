// aix run, as the other commands reuse it (aix history rerun).
#ifndef AIX_CLIENT_CLI_RUN_CMD_H_
#define AIX_CLIENT_CLI_RUN_CMD_H_

#include "absl/status/status.h"
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/run_request.h"
#include "client/template_commands.h"

namespace aix {


// RunPrompt runs a prompt as `aix run` does: the answer streams to stdout,
// Ctrl-C cancels, the status says how it ended.
absl::Status RunPrompt(const RunArgs& a);

// RenderWanted says whether answers are shown as formatted Markdown: only
// on a terminal, as --render/--no-render say, else as the `render` setting
// says (asked of aixd only then).
bool RenderWanted(const RunArgs& a);

// ContinueId reads --continue's optional value: 0 (the newest
// conversation) when none was given; InvalidArgument, showing `usage`, for
// anything but a positive number.
absl::StatusOr<int64_t> ContinueId(const std::vector<std::string>& given,
                                   absl::string_view usage);

// FillPromptInputs completes a saved prompt's request as `aix run` does:
// missing parameters asked for on a terminal (`interactive`), {input} read
// from stdin otherwise, the template's commands run here. Returns what the
// commands did, for a dry run's listing.
absl::StatusOr<std::vector<CommandNote>> FillPromptInputs(const RunArgs& a, bool interactive,
                                                         v1::RunRequest* req);

}  // namespace aix

#endif  // AIX_CLIENT_CLI_RUN_CMD_H_
