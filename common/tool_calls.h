// Joining the pieces of a streamed tool call (RunEvent.tool_call) into
// whole calls: the endpoint's whole answers and the run history both keep
// calls whole.
#ifndef AIX_COMMON_TOOL_CALLS_H_
#define AIX_COMMON_TOOL_CALLS_H_

#include <cstddef>
#include <vector>

#include "aix/v1/runs.pb.h"

namespace aix {

// JoinToolCall adds `piece` to the call of its index in `calls` (its id and
// name the first time they come, its arguments appended while the call's
// are under `max_arguments` bytes), or starts that call. False, and nothing
// added, when `calls` already has `max_calls` calls and the piece starts
// another.
bool JoinToolCall(const v1::ToolCallDelta& piece, std::vector<v1::ToolCallDelta>* calls,
                  size_t max_calls, size_t max_arguments);

}  // namespace aix

#endif  // AIX_COMMON_TOOL_CALLS_H_
