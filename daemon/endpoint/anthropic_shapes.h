// anthropic_shapes: Anthropic's Messages API (POST /v1/messages) in our
// terms, and back, so programs built on the Anthropic SDK can use aixd.
//
// A request is translated into the OpenAI chat-completions shape the run
// path takes (client_api.h), then read exactly as one: the same routing
// by model name, the same checks, the same options. system (a string or
// text blocks) becomes system messages; text, image (base64 or url),
// tool_use and tool_result blocks become content parts, tool_calls and
// tool messages; tools, tool_choice, stop_sequences, top_k, metadata
// .user_id and output_format / output_config.format go to their
// counterparts. Blocks' cache_control is accepted and not passed on
// (prompt caching does not survive the translation). Any other field is
// refused by name.
//
// Answers are Anthropic's: a message object, or its named stream events
// (message_start, content blocks of text and tool_use with their deltas,
// message_delta with the stop reason and usage, message_stop), and its
// error objects ({"type": "error", "error": {"type", "message"}}).
#ifndef AIX_DAEMON_ENDPOINT_ANTHROPIC_SHAPES_H_
#define AIX_DAEMON_ENDPOINT_ANTHROPIC_SHAPES_H_

#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/endpoint/client_api.h"

namespace aix::endpoint {

// ParseMessagesCall reads a Messages request body.
absl::StatusOr<ChatCall> ParseMessagesCall(absl::string_view body, std::string* param);

// AsChatCompletions translates a Messages request into a chat-completions
// request; InvalidArgument names what has no counterpart.
absl::StatusOr<nlohmann::json> AsChatCompletions(const nlohmann::json& request, std::string* param);

// StopReason maps a provider's finish reason to Anthropic's.
std::string StopReason(absl::string_view finish_reason);

// AnthropicErrorJson is Anthropic's error object for an HTTP status.
std::string AnthropicErrorJson(int http_status, absl::string_view message);

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_ANTHROPIC_SHAPES_H_
