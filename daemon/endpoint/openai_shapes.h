// openai_shapes: OpenAI's chat-completions HTTP API in our terms, and back.
//
// Pure functions, no I/O: a request body becomes a RunRequest (routing by
// the model name), and run events become OpenAI's JSON (whole completions,
// stream chunks, error objects, the models list). Everything read from the
// request is untrusted; a shape we cannot honour is refused with a 4xx
// error that says what to change, never silently ignored when it would
// change the answer.
#ifndef AIX_DAEMON_ENDPOINT_OPENAI_SHAPES_H_
#define AIX_DAEMON_ENDPOINT_OPENAI_SHAPES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include <nlohmann/json.hpp>

#include "aix/v1/runs.pb.h"
#include "daemon/endpoint/client_api.h"

namespace aix::endpoint {

// ParseChatCall reads a request body: messages and every field are checked
// (providers/chat_fields.h); fields other than aixd's own go to the run as
// options. Routing by `model`:
//   openai/M, anthropic/M, openrouter/M   that provider, model M
//   custom:NAME/M (or custom:NAME)         a custom provider
//   prompt:NAME                            a saved prompt; {input} is the
//                                          last user message
//   anything else                          the default provider, model as is
// InvalidArgument (with the offending field in `param`) for malformed JSON
// or a shape we do not support.
absl::StatusOr<ChatCall> ParseChatCall(absl::string_view body, std::string* param);

// ParseChatDoc is ParseChatCall for a request already parsed (another
// API's request, translated).
absl::StatusOr<ChatCall> ParseChatDoc(nlohmann::json doc, std::string* param);

// RouteModel fills a run's provider and model (or prompt) from a model
// string as clients write it: "PROVIDER/MODEL", "custom:NAME/MODEL",
// "prompt:NAME", or a model of the default provider.
void RouteModel(const std::string& model, v1::RunRequest* run);

// ParseJsonBody parses a request body that must be a JSON object, within
// the nesting bound; `what` names the request for the error.
absl::StatusOr<nlohmann::json> ParseJsonBody(absl::string_view body, absl::string_view what);

// HttpStatusFor maps a run's status to an HTTP status.
int HttpStatusFor(absl::StatusCode code);

// ErrorJson is OpenAI's error object: {"error": {"message", "type",
// "param", "code"}}; type follows the HTTP status.
std::string ErrorJson(int http_status, absl::string_view message, absl::string_view param = "",
                      absl::string_view code = "");

// FinishReason maps a provider's stop reason to OpenAI's ("stop",
// "length", "content_filter", "tool_calls"; Anthropic's tool_use and
// refusal included).
std::string FinishReason(absl::string_view provider_reason);

// Reply identity shared by every chunk of one answer.
struct ReplyId {
  std::string id;  // chatcmpl-...
  int64_t created = 0;
  std::string model;
};

// CompletionJson is a whole chat.completion, with the tool calls (joined)
// the model made.
std::string CompletionJson(const ReplyId& id, absl::string_view text,
                           const std::vector<v1::ToolCallDelta>& calls, const v1::RunDone& done);

// SSE events of a streamed answer ("data: {...}\n\n"): text, a piece of
// a tool call (as OpenAI streams them: id, type and name first, then
// argument fragments), and the end.
std::string ChunkEvent(const ReplyId& id, absl::string_view text, bool first);
std::string ToolCallEvent(const ReplyId& id, const v1::ToolCallDelta& call, bool first);
std::string FinalEvents(const ReplyId& id, const v1::RunDone& done, bool include_usage);
std::string ErrorEvent(int http_status, absl::string_view message);

// NewId is a reply id: `prefix`, then hex unique for the daemon's life and
// across restarts.
std::string NewId(absl::string_view prefix);

// ModelsJson is GET /v1/models: `ids` as model objects owned by `owners`.
std::string ModelsJson(const std::vector<std::string>& ids, const std::vector<std::string>& owners);

// ModelJson is GET /v1/models/{id}: one model object.
std::string ModelJson(const std::string& id, const std::string& owner);

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_OPENAI_SHAPES_H_
