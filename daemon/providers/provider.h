// Providers: where a chat request goes and how its reply is read.
//
// An Endpoint says where and how to authenticate; a Dialect builds the HTTP
// request and interprets the reply (streamed Server-Sent Events or one JSON
// body). Two dialects cover every provider: OpenAI chat completions (OpenAI,
// OpenRouter, custom gateways) and Anthropic Messages.
#ifndef AIX_DAEMON_PROVIDERS_PROVIDER_H_
#define AIX_DAEMON_PROVIDERS_PROVIDER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/http/pool.h"
#include "daemon/http/sse.h"

namespace aix::providers {

using Json = nlohmann::json;

enum class Wire { kOpenAi, kAnthropic };
enum class Auth { kBearer, kApiKeyHeader, kNone };

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

struct ChatRequest {
  std::string model;
  std::string system;  // may be empty
  std::string user;
  int64_t max_tokens = 1024;
  double temperature = 0.7;
  bool stream = true;
};

// Reply accumulates what a response said.
struct Reply {
  std::string text;
  std::string finish_reason;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  bool finished = false;  // the stream said it is complete
};

// BuildRequest returns the HTTP request for `chat`; `key` may be empty for
// providers without auth.
http::HttpRequest BuildRequest(const Endpoint& endpoint, const ChatRequest& chat,
                               const std::string& key);

// OnEvent interprets one streamed event, appending any new text to `delta`
// and to reply->text. An error the provider sends inside the stream becomes
// an Aborted status with its message.
absl::Status OnEvent(Wire wire, const http::SseEvent& event, Reply* reply, std::string* delta);

// OnBody interprets a complete (non-streamed) reply body.
absl::Status OnBody(Wire wire, absl::string_view body, Reply* reply);

// HttpError turns a non-2xx response into a status whose message names the
// provider, the HTTP status, the provider's own message and the fix:
// Unauthenticated (401/403), NotFound (404), ResourceExhausted (429, with
// Retry-After), Aborted (5xx), InvalidArgument (other 4xx).
absl::Status HttpError(const Endpoint& endpoint, const std::string& model, int status,
                       absl::string_view body,
                       const std::map<std::string, std::string>& headers);

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
