#include "daemon/runs/plan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"
#include "daemon/config/settings.h"
#include "common/template.h"
#include "common/text.h"
#include "daemon/providers/dialect.h"

namespace aix::runs {
namespace {

using Json = nlohmann::json;

// ModelFor applies the model precedence below the flags and the prompt.
std::string ModelFor(const std::string& provider, const config::RunSettings& settings,
                     const Json& config, const providers::Endpoint& endpoint) {
  std::string model = config::ModelSetting(config, provider);
  if (model.empty() && provider == settings.default_provider) model = settings.default_model;
  if (model.empty()) model = endpoint.default_model;
  return model;
}

providers::KeyChoice KeyFor(const providers::Endpoint& e, const RunInputs& in,
                            const Json& config) {
  auto env = in.env_keys.find(e.provider);
  return providers::ChooseKey(e, env == in.env_keys.end() ? nullptr : &env->second, config);
}

std::string KeyFix(const providers::Endpoint& e) {
  return absl::StrCat("aix api-key ", e.provider,
                      e.env_var.empty() ? "" : absl::StrCat(", or export ", e.env_var));
}

// AddFallback resolves one PROVIDER[/MODEL] item, or says why it is left out.
void AddFallback(const std::string& item, const Json& config,
                 const config::RunSettings& settings, const RunInputs& in, Plan* plan) {
  registry::ProviderRef ref = registry::ParseRef(item);
  const std::string& name = ref.provider;
  std::string& model = ref.model;
  auto skip = [&](absl::string_view why) {
    plan->warnings.push_back(absl::StrCat("fallback ", item, " left out: ", why));
  };
  auto provider = config::CanonicalProvider(name, config);
  if (!provider.ok()) return skip(provider.status().message());
  auto endpoint = providers::ResolveEndpoint(*provider, config);
  if (!endpoint.ok()) return skip(endpoint.status().message());
  if (model.empty()) model = ModelFor(*provider, settings, config, *endpoint);
  if (model.empty()) return skip(absl::StrCat("no model; write it as ", name, "/MODEL"));
  for (const Attempt& a : plan->attempts) {
    if (a.endpoint.provider == *provider && a.model == model) return;  // already planned
  }
  providers::KeyChoice key = KeyFor(*endpoint, in, config);
  if (key.key.empty() && endpoint->needs_key) {
    return skip(absl::StrCat("no API key; set one with: ", KeyFix(*endpoint)));
  }
  plan->attempts.push_back({*std::move(endpoint), model, std::move(key)});
}

// KeepAccepting checks that each attempt's provider can express the
// request (Anthropic has no seed, for one): the chosen provider's refusal
// is the run's error; a fallback that would refuse is left out, with a
// warning.
absl::Status KeepAccepting(Plan* plan) {
  std::vector<Attempt> kept;
  for (size_t i = 0; i < plan->attempts.size(); ++i) {
    Attempt& a = plan->attempts[i];
    absl::Status s = providers::DialectFor(a.endpoint.wire).Accepts(plan->chat);
    if (s.ok()) {
      kept.push_back(std::move(a));
    } else if (i == 0) {
      return absl::Status(s.code(), absl::StrCat(a.endpoint.provider, ": ", s.message()));
    } else {
      plan->warnings.push_back(absl::StrCat("fallback ", a.endpoint.provider, "/", a.model,
                                            " left out: ", s.message()));
    }
  }
  plan->attempts = std::move(kept);
  return absl::OkStatus();
}

// Render fills the prompt's template with the caller's parameters.
absl::Status Render(const prompts::Prompt& prompt, const RunInputs& in, Plan* plan) {
  AIX_ASSIGN_OR_RETURN(auto tmpl, prompts::Template::Parse(prompt.template_text));
  std::map<std::string, std::string> params = in.params;
  bool uses_input = false;
  for (const auto& v : tmpl.variables()) uses_input |= v == "input";
  if (in.stdin_input && params.count("input") == 0) {
    if (uses_input) {
      params["input"] = *in.stdin_input;
    } else if (!in.stdin_input->empty()) {
      plan->warnings.push_back(absl::StrCat("standard input was ignored: prompt ", prompt.name,
                                           " has no {input} placeholder"));
    }
  }
  std::vector<std::string> unused;
  const std::vector<std::string>* outputs = nullptr;
  if (tmpl.command_count() > 0 && !in.commands_as_text) {
    if (in.command_outputs.size() != tmpl.command_count()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prompt ", prompt.name, " runs ", tmpl.command_count(),
          " command(s), which run in the client, not in aixd; run it with aix run (or, from "
          "the API, send RunRequest.command_outputs, or commands_as_text)"));
    }
    outputs = &in.command_outputs;
  }
  AIX_ASSIGN_OR_RETURN(plan->rendered, tmpl.Render(params, &unused, outputs));
  if (!unused.empty()) {
    plan->warnings.push_back(absl::StrCat(
        "unknown parameter", unused.size() > 1 ? "s " : " ", absl::StrJoin(unused, ", "),
        " (prompt ", prompt.name, " uses: ", absl::StrJoin(tmpl.variables(), ", "), ")"));
  }
  return absl::OkStatus();
}

// TakeConversation checks a conversation sent as written: its system turns
// become the system prompt, the rest go to the provider in order. The last
// user turn stands for the prompt in the plan (and the run history).
absl::Status TakeConversation(const std::vector<providers::Turn>& messages, Plan* plan,
                              std::string* system) {
  std::vector<std::string> systems;
  std::string last_user;
  for (size_t i = 0; i < messages.size(); ++i) {
    const providers::Turn& t = messages[i];
    if (t.role == "system") {
      systems.push_back(t.content);
    } else if (t.role == "user" || t.role == "assistant" || t.role == "tool") {
      plan->chat.turns.push_back(t);
      if (t.role == "user") last_user = t.content;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "message ", i, " has role '", PrintableExcerpt(t.role, 40),
          "'; use system, user, assistant or tool"));
    }
  }
  if (plan->chat.turns.empty()) {
    return absl::InvalidArgumentError(
        "the conversation has no user or assistant message; add one with role user");
  }
  *system = absl::StrJoin(systems, "\n\n");
  plan->rendered = last_user;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Plan> MakePlan(const Json& config, const prompts::Prompt& prompt,
                              const RunInputs& in, bool require_key) {
  const config::RunSettings settings = config::ReadRunSettings(config);
  Plan plan;

  std::string conversation_system;
  if (in.earlier) plan.chat.turns = in.earlier->turns;
  if (!in.messages.empty()) {
    AIX_RETURN_IF_ERROR(TakeConversation(in.messages, &plan, &conversation_system));
  } else {
    AIX_RETURN_IF_ERROR(Render(prompt, in, &plan));
  }

  // The chosen provider and model: a follow-up stays with whoever answered
  // the conversation unless told otherwise.
  const bool inherit = in.earlier && !in.earlier->provider.empty() && in.provider.empty();
  std::string name = !in.provider.empty() ? in.provider
                     : inherit            ? in.earlier->provider
                     : prompt.provider    ? *prompt.provider
                                          : settings.default_provider;
  if (name.empty()) name = registry::Default().name;
  absl::StatusOr<std::string> canonical = config::CanonicalProvider(name, config);
  if (!canonical.ok() && inherit) {
    return absl::Status(canonical.status().code(),
                        absl::StrCat("conversation ", in.earlier->conversation, " was answered by ",
                                     name, ", which cannot be used now (",
                                     canonical.status().message(),
                                     "); continue it with another: --provider NAME"));
  }
  AIX_RETURN_IF_ERROR(canonical.status());
  const std::string provider = *std::move(canonical);
  AIX_ASSIGN_OR_RETURN(providers::Endpoint endpoint, providers::ResolveEndpoint(provider, config));
  std::string model = in.model;
  if (model.empty() && in.earlier && in.earlier->provider == provider) model = in.earlier->model;
  if (model.empty()) model = prompt.model.value_or("");
  if (model.empty()) model = ModelFor(provider, settings, config, endpoint);
  if (model.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no model for ", provider, "; pass --model, or set the provider's model"));
  }
  providers::KeyChoice key = KeyFor(endpoint, in, config);
  if (key.key.empty() && endpoint.needs_key) {
    if (require_key) {
      return absl::UnauthenticatedError(absl::StrCat("No API key found for ", provider,
                                                     ". Set one with: ", KeyFix(endpoint)));
    }
    plan.key_fix = KeyFix(endpoint);
  }
  plan.attempts.push_back({std::move(endpoint), model, std::move(key)});

  // Fallbacks.
  const std::vector<std::string>& fallback = !in.fallback.empty()       ? in.fallback
                                             : !prompt.fallback.empty() ? prompt.fallback
                                                                        : settings.fallback_providers;
  for (const std::string& item : fallback) AddFallback(item, config, settings, in, &plan);

  // Settings.
  providers::ChatRequest& chat = plan.chat;
  if (in.messages.empty()) {
    providers::Turn user{"user", plan.rendered};
    if (!in.attachment_parts.empty()) {
      Json content = Json::array({{{"type", "text"}, {"text", plan.rendered}}});
      for (const Json& part : in.attachment_parts) content.push_back(part);
      user.message = {{"role", "user"}, {"content", std::move(content)}};
    }
    if (in.earlier || !user.message.is_null()) {
      chat.turns.push_back(std::move(user));
    } else {
      chat.user = plan.rendered;
    }
  }
  chat.system = in.system                      ? *in.system
                : !conversation_system.empty() ? conversation_system
                : in.earlier                   ? in.earlier->system
                : !in.messages.empty()         ? std::string()
                                               : prompt.system.value_or("");
  chat.max_tokens = in.max_tokens    ? *in.max_tokens
                    : prompt.max_tokens ? *prompt.max_tokens
                                        : settings.max_tokens;
  chat.temperature = in.temperature    ? *in.temperature
                     : prompt.temperature ? *prompt.temperature
                                          : settings.temperature;
  chat.stream = !in.no_stream;
  chat.options = in.options;
  AIX_RETURN_IF_ERROR(KeepAccepting(&plan));
  plan.max_retries = in.max_retries.value_or(settings.max_retries);
  plan.limits = LimitsFor(settings);
  plan.ca_bundle = settings.ca_bundle;
  return plan;
}

http::Limits LimitsFor(const config::RunSettings& settings) {
  http::Limits l;
  l.connect_timeout = absl::Seconds(settings.connect_timeout_s);
  l.first_byte_timeout = absl::Seconds(settings.first_byte_timeout_s);
  l.idle_timeout = absl::Seconds(settings.idle_timeout_s);
  return l;
}

absl::StatusOr<http::HttpRequest> RequestFor(const Plan& plan, const Attempt& attempt) {
  providers::ChatRequest chat = plan.chat;
  chat.model = attempt.model;
  AIX_ASSIGN_OR_RETURN(http::HttpRequest r, providers::DialectFor(attempt.endpoint.wire)
                                                .BuildRequest(attempt.endpoint, chat, attempt.key.key));
  r.limits = plan.limits;
  // A whole reply is held in memory and parsed at once; a real one is a few
  // hundred kilobytes. Streams pass through and keep the larger cap.
  if (!chat.stream) r.limits.max_body_bytes = std::min<int64_t>(r.limits.max_body_bytes, kMaxWholeReplyBytes);
  r.ca_bundle = plan.ca_bundle;
  return r;
}

}  // namespace aix::runs
