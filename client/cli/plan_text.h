// FormatPlan: what `aix run --dry-run` (the whole plan) and --no-execute
// (the rendered prompt) print, as text or as one JSON object.
#ifndef AIX_CLIENT_CLI_PLAN_TEXT_H_
#define AIX_CLIENT_CLI_PLAN_TEXT_H_

#include <string>
#include <vector>

#include "aix/v1/runs.pb.h"
#include "client/template_commands.h"

namespace aix {

std::string FormatPlan(const v1::RunPlan& plan, const std::vector<CommandNote>& notes,
                       bool render_only, bool json);

}  // namespace aix

#endif  // AIX_CLIENT_CLI_PLAN_TEXT_H_
