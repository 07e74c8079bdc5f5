// The prompt library as MCP prompts: listing (paginated), rendering, and
// completion of argument values from the run history.
//
// Every saved prompt is an MCP prompt with its parameters as arguments
// (all required: aix's templates have no defaults). Rendering never runs
// a template's shell commands; they stay in the text as written (the
// README's MCP section says why).
#ifndef AIX_DAEMON_MCP_PROMPTS_H_
#define AIX_DAEMON_MCP_PROMPTS_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/mcp/call.h"

namespace aix::mcp {

// How many prompts one prompts/list page holds.
inline constexpr size_t kPromptsPerPage = 50;

absl::StatusOr<Json> ListPrompts(const Call& call);     // prompts/list
absl::StatusOr<Json> GetPrompt(const Call& call);       // prompts/get
absl::StatusOr<Json> Complete(const Call& call);        // completion/complete

// RenderPrompt renders `name` with `args` (missing ones: InvalidArgument
// naming them) and returns the text a model would be sent: the system
// prompt, if any, then the prompt.
absl::StatusOr<std::string> RenderPrompt(const Call& call, const std::string& name,
                                         const std::map<std::string, std::string>& args,
                                         std::string* description);

// PromptArguments lists a prompt's arguments in MCP's shape.
Json PromptArguments(const v1::Prompt& prompt);

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_PROMPTS_H_
