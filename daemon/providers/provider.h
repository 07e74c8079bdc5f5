// Providers: where a chat request goes and how its reply is read.
//
// An Endpoint says where and how to authenticate; a Dialect builds the HTTP
// request and interprets the reply (streamed Server-Sent Events or one JSON
// body). Two dialects cover every provider: OpenAI chat completions (OpenAI,
// OpenRouter, custom gateways) and Anthropic Messages.
#ifndef AIX_DAEMON_PROVIDERS_PROVIDER_H_
#define AIX_DAEMON_PROVIDERS_PROVIDER_H_

#include <optional>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/provider_registry.h"
#include "common/setting_defaults.h"
#include "daemon/http/request.h"
#include "daemon/providers/chat_fields.h"

namespace aix::providers {

using Json = nlohmann::json;

using Wire = registry::Wire;
using Auth = registry::Auth;

struct Endpoint {
  std::string provider;   // canonical name: openai, custom:ollama, ...
  Wire wire = Wire::kOpenAi;
  std::string base_url;   // without trailing slash
  std::string chat_url;   // base_url + /chat/completions or /messages
  Auth auth = Auth::kBearer;
  std::vector<std::string> headers;  // fixed extra headers ("Name: value")
  std::string default_model;
  std::string env_var;    // OPENAI_API_KEY etc.; empty for custom providers
  bool needs_key = true;
};

// ResolveEndpoint builds the endpoint for `provider` (canonical name) from
// the configuration: built-in defaults, base-URL overrides, custom
// providers. NotFound for a custom provider that is not configured.
absl::StatusOr<Endpoint> ResolveEndpoint(const std::string& provider, const Json& config);

// KeyChoice is the key a request will use and where it came from.
struct KeyChoice {
  std::string key;            // empty: none
  std::string source = "none";  // "environment (OPENAI_API_KEY)", "config (api_keys.openai)"
};

// ChooseKey picks the caller's environment key (`env_key`, may be null or
// empty) over the one stored in config.json's api_keys.
KeyChoice ChooseKey(const Endpoint& endpoint, const std::string* env_key, const Json& config);

// Turn is one message of a conversation: role "user", "assistant" or
// "tool". `content` is its text; `message`, when not null, is the whole
// message in OpenAI's chat-completions shape, for one that carries more
// than text (content parts such as images, an assistant's tool_calls, a
// tool result's tool_call_id), checked by CheckMessage (chat_fields.h).
struct Turn {
  std::string role;
  std::string content;
  Json message = nullptr;
};

struct ChatRequest {
  std::string model;
  std::string system;  // may be empty
  std::string user;    // the one user message, unless `turns` is set
  int64_t max_tokens = config::defaults::kMaxTokens;
  double temperature = config::defaults::kTemperature;
  bool stream = true;
  std::vector<Turn> turns;  // a whole conversation (RunRequest.messages)
  // options: further request fields in OpenAI chat-completions terms (an
  // object: top_p, stop, seed, tools, response_format, ...), checked by
  // CheckOptions (chat_fields.h). An OpenAI-compatible provider gets them
  // as sent; Anthropic's dialect translates each or refuses the request.
  Json options = Json::object();
};

// ToolCallDelta is a piece of a tool call the model makes, as OpenAI
// streams them: the first piece of call `index` has its id and name, the
// ones after it more of its arguments (JSON text once joined). A whole
// reply has one piece per call.
struct ToolCallDelta {
  int index = 0;
  std::string id;
  std::string name;
  std::string arguments;
};

// Delta is what one streamed event adds to the answer.
struct Delta {
  std::string text;
  std::vector<ToolCallDelta> tool_calls;
  bool empty() const { return text.empty() && tool_calls.empty(); }
};

// TurnsOf is what a dialect sends as messages: the conversation, or the
// one user message.
std::vector<Turn> TurnsOf(const ChatRequest& chat);

// Reply accumulates what a response said.
struct Reply {
  std::string text;
  std::string finish_reason;
  // Absent unless the provider reported them.
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  std::optional<double> cost;  // in the provider's unit, when it says (OpenRouter)
  bool finished = false;  // the stream said it is complete
  // A whole reply's tool calls, one piece each (a stream's travel in its
  // deltas).
  std::vector<ToolCallDelta> tool_calls;
  // Anthropic: the tool whose input is the answer (structured output asked
  // of a model through a forced tool), and the stream's tool blocks: block
  // index -> tool call index (-1: the answer tool).
  std::string answer_tool;
  std::map<int64_t, int> tool_blocks;
  int tools_seen = 0;
};

// BaseRequest is a request to `endpoint` carrying its fixed headers and
// the key in the provider's auth header (none when `key` is empty). The
// caller sets the URL and body.
http::HttpRequest BaseRequest(const Endpoint& endpoint, const std::string& key);

// ProviderMessage digs the human message out of an error body, whatever its
// shape ({"error": {"message"}}, {"error": "..."}, {"message"}, or not
// JSON): at most 300 bytes, valid UTF-8, no control characters, one line.
std::string ProviderMessage(absl::string_view body);

// MalformedReply is the Aborted status for provider data that cannot be
// understood: "the provider sent <what>: <a cleaned excerpt of data>".
absl::Status MalformedReply(absl::string_view what, absl::string_view data);

// HttpError turns a non-2xx response into a status whose message names the
// provider, the HTTP status, the provider's own message and the fix:
// Unauthenticated (401/403), NotFound (404), ResourceExhausted (429, with
// `retry_after_s` when the provider said, else 0), Aborted (408, 409, 5xx),
// InvalidArgument (other 4xx).
absl::Status HttpError(const Endpoint& endpoint, const std::string& model, int status,
                       absl::string_view body, int64_t retry_after_s);

// CustomProvider is what `aix provider add` stores.
struct CustomProvider {
  std::string name;
  std::string base_url;
  std::string model;
  std::map<std::string, std::string> headers;
  std::string auth_type;  // bearer (default), api-key, none
};

// ValidateCustomProvider checks a definition and returns its JSON form for
// config.json. InvalidArgument says what is wrong: the name rule, a URL
// that does not parse (libcurl's parser) or is not http(s), a header name
// that is not an HTTP token or a value with a line break, an unknown auth
// type.
absl::StatusOr<Json> ValidateCustomProvider(const CustomProvider& provider);

// AuthTypeName is "bearer", "api-key" or "none".
std::string AuthTypeName(Auth auth);

// BuildModelsRequest returns GET {base}/models with the provider's auth.
http::HttpRequest BuildModelsRequest(const Endpoint& endpoint, const std::string& key);

// ParseModels reads the ids from a models listing ({"data": [{"id"}]}).
absl::StatusOr<std::vector<std::string>> ParseModels(absl::string_view body);

// TransportError explains a request that never got an answer.
absl::Status TransportError(const Endpoint& endpoint, const absl::Status& status);

}  // namespace aix::providers

#endif  // AIX_DAEMON_PROVIDERS_PROVIDER_H_
