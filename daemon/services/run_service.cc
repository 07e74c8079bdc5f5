#include "daemon/services/run_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/mask.h"
#include "common/status_macros.h"
#include "daemon/config/settings.h"
#include "daemon/http/response_queue.h"
#include "daemon/http/sse.h"
#include "daemon/prompts/template.h"
#include "daemon/providers/provider.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

using Json = nlohmann::json;

std::string StringSetting(const Json& doc, const std::string& key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

// How often the handler looks for a cancelled client while it waits.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(20);
// Bytes of an error body kept for the message.
constexpr size_t kMaxErrorBody = 64 << 10;

}  // namespace

grpc::Status RunServiceImpl::Run(grpc::ServerContext* context, const v1::RunRequest* request,
                                 grpc::ServerWriter<v1::RunEvent>* writer) {
  return Guarded(*peers_, context, [&] { return DoRun(context, *request, writer); });
}

absl::Status RunServiceImpl::DoRun(grpc::ServerContext* context, const v1::RunRequest& req,
                                   grpc::ServerWriter<v1::RunEvent>* writer) {
  const absl::Time started = absl::Now();
  AIX_ASSIGN_OR_RETURN(Json doc, config_->Document());
  AIX_ASSIGN_OR_RETURN(prompts::Prompt prompt, prompts_->Get(req.prompt()));

  // Render.
  AIX_ASSIGN_OR_RETURN(auto tmpl, prompts::Template::Parse(prompt.template_text));
  std::map<std::string, std::string> params(req.params().begin(), req.params().end());
  std::vector<std::string> warnings;
  bool uses_input = false;
  for (const auto& v : tmpl.variables()) uses_input |= v == "input";
  if (req.has_stdin_input() && params.count("input") == 0) {
    if (uses_input) {
      params["input"] = req.stdin_input();
    } else if (!req.stdin_input().empty()) {
      warnings.push_back(absl::StrCat("standard input was ignored: prompt ", prompt.name,
                                      " has no {input} placeholder"));
    }
  }
  std::vector<std::string> unused;
  AIX_ASSIGN_OR_RETURN(std::string rendered, tmpl.Render(params, &unused));
  if (!unused.empty()) {
    warnings.push_back(absl::StrCat("unknown parameter", unused.size() > 1 ? "s " : " ",
                                    absl::StrJoin(unused, ", "), " (prompt ", prompt.name,
                                    " uses: ", absl::StrJoin(tmpl.variables(), ", "), ")"));
  }

  // Provider, model, settings: the run's flags, then the prompt's, then the
  // configuration's.
  std::string provider_name = !req.provider().empty() ? req.provider()
                              : prompt.provider     ? *prompt.provider
                                                    : StringSetting(doc, "default_provider");
  if (provider_name.empty()) provider_name = "openrouter";
  AIX_ASSIGN_OR_RETURN(std::string provider, config::CanonicalProvider(provider_name, doc));
  AIX_ASSIGN_OR_RETURN(providers::Endpoint endpoint, providers::ResolveEndpoint(provider, doc));
  std::string model = req.model();
  if (model.empty() && prompt.model) model = *prompt.model;
  if (model.empty()) model = StringSetting(doc, provider + "_default_model");
  if (model.empty() && provider == StringSetting(doc, "default_provider")) {
    model = StringSetting(doc, "default_model");
  }
  if (model.empty()) model = endpoint.default_model;
  if (model.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no model for ", provider, "; pass --model, or set the provider's model"));
  }
  providers::ChatRequest chat;
  chat.model = model;
  chat.user = rendered;
  chat.system = req.has_system() ? req.system() : prompt.system.value_or("");
  chat.max_tokens = req.has_max_tokens() ? req.max_tokens()
                    : prompt.max_tokens  ? *prompt.max_tokens
                                         : doc.value("max_tokens", int64_t{1024});
  chat.temperature = req.has_temperature() ? req.temperature()
                     : prompt.temperature  ? *prompt.temperature
                                           : doc.value("temperature", 0.7);
  chat.stream = !req.no_stream();

  // Key: the caller's environment, then the configuration.
  std::string key, key_source = "none";
  auto env_key = req.api_keys().find(provider);
  if (env_key != req.api_keys().end() && !env_key->second.empty()) {
    key = env_key->second;
    key_source = absl::StrCat("environment (", endpoint.env_var, ")");
  } else if (doc.contains("api_keys") && doc["api_keys"].contains(provider)) {
    key = doc["api_keys"][provider].get<std::string>();
    key_source = absl::StrCat("config (api_keys.", provider, ")");
  }

  v1::RunEvent plan_event;
  v1::RunPlan* plan = plan_event.mutable_plan();
  plan->set_provider(provider);
  plan->set_model(model);
  plan->set_url(endpoint.chat_url);
  plan->set_rendered_prompt(rendered);
  plan->set_system(chat.system);
  plan->set_max_tokens(chat.max_tokens);
  plan->set_temperature(chat.temperature);
  plan->set_key_source(key_source);
  plan->set_masked_key(key.empty() ? "" : MaskSecret(key));
  for (const auto& w : warnings) plan->add_warnings(w);
  if (req.mode() == v1::RunRequest::RENDER_ONLY) {
    writer->Write(plan_event);
    return absl::OkStatus();
  }
  if (key.empty() && endpoint.needs_key) {
    return absl::UnauthenticatedError(absl::StrCat(
        "No API key found for ", provider, ". Set one with: aix api-key ", provider,
        endpoint.env_var.empty() ? "" : absl::StrCat(", or export ", endpoint.env_var)));
  }
  if (!writer->Write(plan_event)) return absl::CancelledError("the client went away");
  if (req.mode() == v1::RunRequest::DRY_RUN) return absl::OkStatus();

  // Send, and stream the answer back as it arrives.
  http::HttpRequest http_request = providers::BuildRequest(endpoint, chat, key);
  http_request.ca_bundle = StringSetting(doc, "ca_bundle");
  auto transfer = std::make_shared<http::ResponseQueue>();
  const uint64_t id = pool_->Start(std::move(http_request), transfer);
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string error_body, whole_body;
  http::SseParser parser;
  providers::Reply reply;
  absl::Time first_token = absl::InfinitePast();
  auto fail = [&](absl::Status s) {
    pool_->Cancel(id);
    return s;
  };
  for (;;) {
    if (context->IsCancelled()) return fail(absl::CancelledError("cancelled by the client"));
    http::ResponseQueue::Item item;
    if (!transfer->Pop(&item, kCancelPoll)) continue;
    if (item.kind == http::ResponseQueue::Item::kHeaders) {
      status = item.status;
      headers = std::move(item.headers);
      continue;
    }
    if (item.kind == http::ResponseQueue::Item::kData) {
      if (status < 200 || status >= 300) {
        if (error_body.size() < kMaxErrorBody) error_body += item.data;
        continue;
      }
      if (!chat.stream) {
        whole_body += item.data;
        continue;
      }
      std::vector<http::SseEvent> events;
      absl::Status parsed = parser.Feed(item.data, &events);
      if (!parsed.ok()) return fail(absl::AbortedError(parsed.message()));
      for (const auto& ev : events) {
        std::string delta;
        absl::Status s = providers::OnEvent(endpoint.wire, ev, &reply, &delta);
        if (!s.ok()) return fail(s);
        if (delta.empty()) continue;
        if (first_token == absl::InfinitePast()) first_token = absl::Now();
        v1::RunEvent text;
        text.set_text(delta);
        if (!writer->Write(text)) return fail(absl::CancelledError("the client went away"));
      }
      continue;
    }
    // Done.
    if (!item.done.ok()) return providers::TransportError(endpoint, item.done);
    if (status < 200 || status >= 300) {
      return providers::HttpError(endpoint, model, status, error_body, headers);
    }
    break;
  }
  if (!chat.stream) {
    AIX_RETURN_IF_ERROR(providers::OnBody(endpoint.wire, whole_body, &reply));
    first_token = absl::Now();
    v1::RunEvent text;
    text.set_text(reply.text);
    writer->Write(text);
  } else if (!reply.finished) {
    return absl::AbortedError(absl::StrCat(
        provider, " ended the stream before the answer was complete; try again"));
  }
  v1::RunEvent done;
  v1::RunDone* d = done.mutable_done();
  d->set_finish_reason(reply.finish_reason);
  d->set_prompt_tokens(reply.prompt_tokens);
  d->set_completion_tokens(reply.completion_tokens);
  if (first_token != absl::InfinitePast()) {
    d->set_time_to_first_token_us(absl::ToInt64Microseconds(first_token - started));
  }
  d->set_total_us(absl::ToInt64Microseconds(absl::Now() - started));
  writer->Write(done);
  return absl::OkStatus();
}

}  // namespace aix
