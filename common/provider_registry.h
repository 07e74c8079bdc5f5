// The provider registry: the one table of built-in providers and the one
// reading of a provider reference. Settings, routing, the HTTP endpoint, the
// client's key variables, errors and help all read it, so adding a built-in
// provider or changing a default is an edit here and nowhere else.
#ifndef AIX_COMMON_PROVIDER_REGISTRY_H_
#define AIX_COMMON_PROVIDER_REGISTRY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace aix::registry {

// Wire is the request/reply format a provider speaks.
enum class Wire { kOpenAi, kAnthropic };

// Auth is how the API key is sent.
enum class Auth {
  kBearer,        // Authorization: Bearer KEY
  kApiKeyHeader,  // x-api-key: KEY
  kNone,
};

// BuiltinProvider is one row of the table.
struct BuiltinProvider {
  const char* name;   // what users type: "openai"
  const char* title;  // how help names it: "OpenAI"
  Wire wire;
  const char* base_url;          // its API's base URL, no trailing '/'
  const char* base_url_setting;  // the setting that overrides base_url
  const char* default_model;     // used when nothing else names a model
  const char* model_setting;     // the setting that overrides default_model
  const char* key_variable;      // the environment variable with its key
  Auth auth;
  std::vector<std::string> headers;  // sent with every request, "Name: value"
};

// Builtins lists the built-in providers, the default provider first.
const std::vector<BuiltinProvider>& Builtins();

// Default is the provider a run uses when nothing names one.
const BuiltinProvider& Default();

// Find returns the built-in provider called `name`, or nullptr.
const BuiltinProvider* Find(absl::string_view name);

// The prefix that marks a user-defined provider: "custom:NAME".
inline constexpr absl::string_view kCustomPrefix = "custom:";

// CustomName is NAME for "custom:NAME" (NAME possibly invalid), else nullopt.
std::optional<absl::string_view> CustomName(absl::string_view provider);

// Custom is "custom:NAME".
std::string Custom(absl::string_view name);

// IsValidCustomName: letters, digits, '.', '_', '-', 1 to 64 characters,
// the rule for prompt names too, so a name is safe in file names, URLs and
// shell commands.
bool IsValidCustomName(absl::string_view name);

// IsProviderName: a built-in name or "custom:NAME" with a valid NAME.
bool IsProviderName(absl::string_view provider);

// Choices is "openrouter, openai, anthropic or custom:NAME", for help and
// errors.
std::string Choices();

// ProviderRef is a reference as users write it: "PROVIDER" or
// "PROVIDER/MODEL", PROVIDER being a built-in name, "custom:NAME" or a
// custom provider's bare NAME (resolved against the configuration later).
struct ProviderRef {
  std::string provider;
  std::string model;  // empty: the provider's model
};

// ParseRef splits at the first '/' (models themselves may contain '/':
// "openrouter/meta-llama/llama-3.2-3b-instruct:free").
ProviderRef ParseRef(absl::string_view text);

}  // namespace aix::registry

#endif  // AIX_COMMON_PROVIDER_REGISTRY_H_
