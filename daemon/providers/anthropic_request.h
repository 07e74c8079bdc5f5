// anthropic_request: a chat request, in OpenAI's chat-completions terms
// (provider.h, chat_fields.h), as an Anthropic Messages request body.
//
// Each field goes where the Messages API has it: system messages to the
// top-level system, stop to stop_sequences, user to metadata.user_id,
// tools and tool_choice to Anthropic's, an assistant's tool_calls to
// tool_use blocks, tool messages to tool_result blocks of a user turn,
// image parts to image blocks. A field the API has no counterpart for is
// refused by name (InvalidArgument), never dropped.
//
// Structured output (response_format json_object or json_schema) is asked
// for with a forced tool, which every Claude model supports: a tool whose
// input_schema is the schema, and tool_choice naming it. Anthropic then
// answers with that tool's input, a JSON object, which the dialect turns
// back into the answer's text. The model is steered by the schema but not
// held to it (no constrained decoding), so callers should validate, as
// OpenAI's own SDK helpers do.
#ifndef AIX_DAEMON_PROVIDERS_ANTHROPIC_REQUEST_H_
#define AIX_DAEMON_PROVIDERS_ANTHROPIC_REQUEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "daemon/providers/provider.h"

namespace aix::providers {

// kAnswerTool names the forced tool that carries a structured answer.
inline constexpr char kAnswerTool[] = "json_answer";

// AnthropicBody is the Messages request body for `chat` (a checked
// request).
absl::StatusOr<Json> AnthropicBody(const ChatRequest& chat);

// AnswerToolFor is kAnswerTool when `chat` asks for structured output,
// else empty.
std::string AnswerToolFor(const ChatRequest& chat);

}  // namespace aix::providers

#endif  // AIX_DAEMON_PROVIDERS_ANTHROPIC_REQUEST_H_
