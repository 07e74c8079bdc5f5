// A run as a plan: the rendered prompt, and the attempts that may answer it
// (the chosen provider first, then its fallbacks), each with its model and
// key. Pure: it reads a validated configuration document and a prompt and
// does no I/O, so every precedence rule is unit-tested without gRPC
// (plan_test.cc).
//
// Precedence, highest first:
//   provider  --provider > the conversation's > the prompt's >
//             default_provider > openrouter
//   model     --model > the conversation's (same provider) > the prompt's >
//             <provider>_default_model > default_model (for the default
//             provider) > built-in
//   system    --system > the messages' > the conversation's > the prompt's
//   settings  flags > the prompt's > configuration > built-in
//   key       the caller's environment > config.json api_keys
//   fallback  --fallback > the prompt's > fallback_providers
#ifndef AIX_DAEMON_RUNS_PLAN_H_
#define AIX_DAEMON_RUNS_PLAN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "common/setting_defaults.h"
#include "daemon/config/settings.h"
#include "daemon/http/request.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/runs/conversation.h"
#include "daemon/providers/provider.h"

namespace aix::runs {

// RunInputs is what the caller asked for (the RunRequest, without gRPC).
struct RunInputs {
  std::map<std::string, std::string> params;
  std::optional<std::string> stdin_input;
  std::string provider;  // empty: not given
  std::string model;     // empty: not given
  std::optional<std::string> system;
  std::optional<int64_t> max_tokens;
  std::optional<double> temperature;
  bool no_stream = false;
  std::optional<int64_t> max_retries;
  std::vector<std::string> fallback;  // PROVIDER or PROVIDER/MODEL; replaces the others
  std::map<std::string, std::string> env_keys;  // canonical provider -> key
  // The template's commands: their outputs, run by the client, or left as
  // text (runs/plan.cc; common/template.h).
  std::vector<std::string> command_outputs;
  bool commands_as_text = false;
  // messages: a conversation sent as written instead of the prompt's
  // template (RunRequest.messages); roles system, user, assistant, tool.
  std::vector<providers::Turn> messages;
  // options: further request fields (RunRequest.options_json), checked.
  nlohmann::json options = nlohmann::json::object();
  // attachment_parts follow the prompt's text in the user message
  // (RunRequest.attachments, as runs/attachments.h makes them).
  nlohmann::json attachment_parts = nlohmann::json::array();
  // earlier: the conversation this run continues (RunRequest.
  // conversation_id), loaded from the run history; its turns go first.
  std::optional<Earlier> earlier;
};

// Attempt is one provider and model that may answer.
struct Attempt {
  providers::Endpoint endpoint;
  std::string model;
  providers::KeyChoice key;
};

struct Plan {
  std::string rendered;
  std::vector<std::string> warnings;
  providers::ChatRequest chat;  // model is set per attempt
  std::vector<Attempt> attempts;  // [0] is the chosen provider; never empty
  int64_t max_retries = config::defaults::kMaxRetries;  // per attempt, before any text
  http::Limits limits;
  std::string ca_bundle;
  // key_fix is set when attempts[0] needs a key and has none (possible only
  // without `require_key`): the command that provides one.
  std::string key_fix;
};

// MakePlan renders `prompt` with `in` and resolves every attempt. Errors:
// template problems (missing parameters), an unknown provider or custom
// provider, no model; with `require_key`, no key for the chosen provider
// (Unauthenticated, naming the fix). A fallback that cannot be used (no
// key, unknown) is left out with a warning, never an error.
absl::StatusOr<Plan> MakePlan(const nlohmann::json& config, const prompts::Prompt& prompt,
                              const RunInputs& in, bool require_key);

// LimitsFor is the HTTP limits the timeout settings ask for (the body cap
// keeps http::Limits' default).
http::Limits LimitsFor(const config::RunSettings& settings);

// kMaxWholeReplyBytes caps a non-streamed reply (after decompression);
// a streamed one is capped by http::Limits::max_body_bytes (64 MiB).
inline constexpr int64_t kMaxWholeReplyBytes = 8 << 20;

// RequestFor is the HTTP request for one attempt of the plan (MakePlan
// has checked that its provider accepts it).
absl::StatusOr<http::HttpRequest> RequestFor(const Plan& plan, const Attempt& attempt);

}  // namespace aix::runs

#endif  // AIX_DAEMON_RUNS_PLAN_H_
