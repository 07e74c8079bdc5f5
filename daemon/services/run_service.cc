#include "daemon/services/run_service.h"

#include <deque>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/mask.h"
#include "common/status_macros.h"
#include "daemon/config/settings.h"
#include "daemon/http/sse.h"
#include "daemon/prompts/template.h"
#include "daemon/providers/provider.h"

namespace aix {
namespace {

using Json = nlohmann::json;

std::string StringSetting(const Json& doc, const std::string& key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

// Bytes of an error body kept for the message.
constexpr size_t kMaxErrorBody = 64 << 10;

// Prepared is a run ready to send: its plan and, for EXECUTE, the request.
struct Prepared {
  v1::RunEvent plan;
  v1::RunRequest::Mode mode = v1::RunRequest::EXECUTE;
  providers::Endpoint endpoint;
  std::string model;
  bool stream = true;
  http::HttpRequest http_request;
};

// Prepare resolves everything a run needs; nothing is sent yet.
absl::StatusOr<Prepared> Prepare(config::ConfigStore* config, prompts::PromptStore* prompts,
                                 const v1::RunRequest& req) {
  Prepared out;
  Json doc;
  {
    AIX_ASSIGN_OR_RETURN(Json loaded, config->Document());
    doc = std::move(loaded);
  }
    AIX_ASSIGN_OR_RETURN(prompts::Prompt prompt, prompts->Get(req.prompt()));

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
  auto env_key = req.api_keys().find(provider);
  providers::KeyChoice choice = providers::ChooseKey(
      endpoint, env_key == req.api_keys().end() ? nullptr : &env_key->second, doc);
  const std::string& key = choice.key;

  v1::RunPlan* plan = out.plan.mutable_plan();
  plan->set_provider(provider);
  plan->set_model(model);
  plan->set_url(endpoint.chat_url);
  plan->set_rendered_prompt(rendered);
  plan->set_system(chat.system);
  plan->set_max_tokens(chat.max_tokens);
  plan->set_temperature(chat.temperature);
  plan->set_key_source(choice.source);
  plan->set_masked_key(key.empty() ? "" : MaskSecret(key));
  for (const auto& w : warnings) plan->add_warnings(w);
  out.mode = req.mode();
  if (req.mode() == v1::RunRequest::RENDER_ONLY) return out;
  if (key.empty() && endpoint.needs_key) {
    return absl::UnauthenticatedError(absl::StrCat(
        "No API key found for ", provider, ". Set one with: aix api-key ", provider,
        endpoint.env_var.empty() ? "" : absl::StrCat(", or export ", endpoint.env_var)));
  }
  if (req.mode() == v1::RunRequest::DRY_RUN) return out;
  out.http_request = providers::BuildRequest(endpoint, chat, key);
  out.http_request.ca_bundle = StringSetting(doc, "ca_bundle");
  out.endpoint = std::move(endpoint);
  out.model = model;
  out.stream = chat.stream;
  return out;
}


// RunReactor streams one run. Its events come from two sides: gRPC
// (OnWriteDone, OnCancel, OnDone, on gRPC's threads) and the HTTP transfer
// (OnHeaders, OnData, OnDone as a ResponseHandler, on the pool's loop
// thread). State is guarded by mu_; gRPC's Start*/Finish calls are made
// after releasing it. At most one write is in flight; pieces that arrive
// meanwhile queue up in order. The object lives until both gRPC and the
// pool are done with it (self_ holds gRPC's reference).
class RunReactor : public grpc::ServerWriteReactor<v1::RunEvent>,
                   public http::ResponseHandler {
 public:
  static RunReactor* Create(http::HttpPool* pool) {
    auto r = std::shared_ptr<RunReactor>(new RunReactor(pool));
    r->self_ = r;
    return r.get();
  }

  // Fail ends the call before anything was sent.
  void Fail(const absl::Status& status) { RequestFinish(status); }

  // Begin sends the plan and, for EXECUTE, starts the transfer.
  void Begin(Prepared prepared) {
    started_ = absl::Now();
    prepared_ = std::move(prepared);
    Enqueue(prepared_.plan);
    if (prepared_.mode != v1::RunRequest::EXECUTE) {
      RequestFinish(absl::OkStatus());
      return;
    }
    std::shared_ptr<RunReactor> self;
    {
      std::lock_guard<std::mutex> lock(mu_);
      self = self_;
    }
    if (self == nullptr) return;  // already done (cancelled at once)
    const uint64_t id = pool_->Start(std::move(prepared_.http_request), self);
    bool cancel_now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      transfer_ = id;
      cancel_now = cancelled_;
    }
    if (cancel_now) pool_->Cancel(id);
  }

  // --- gRPC side ---
  void OnWriteDone(bool ok) override {
    const v1::RunEvent* next = nullptr;
    bool finish = false;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.pop_front();
      writing_ = false;
      if (!ok) {
        // The client is gone; stop the upstream request too.
        queue_.clear();
        cancelled_ = true;
        if (!finish_requested_) {
          finish_requested_ = true;
          final_ = absl::CancelledError("the client went away");
        }
      }
      next = NextWriteLocked(&finish, &status);
    }
    if (!ok) CancelTransfer();
    Act(next, finish, status);
  }

  void OnCancel() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    CancelTransfer();
    RequestFinish(absl::CancelledError("cancelled by the client"));
  }

  void OnDone() override {
    std::shared_ptr<RunReactor> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      drop = std::move(self_);
    }
    // `drop` releases gRPC's reference; the pool may still hold its own.
  }

  // --- HTTP side (pool loop thread) ---
  void OnHeaders(int status, const std::map<std::string, std::string>& headers) override {
    http_status_ = status;
    http_headers_ = headers;
  }

  void OnData(absl::string_view chunk) override {
    if (upstream_failed_) return;
    if (http_status_ < 200 || http_status_ >= 300) {
      if (error_body_.size() < kMaxErrorBody) error_body_.append(chunk.data(), chunk.size());
      return;
    }
    if (!prepared_.stream) {
      whole_body_.append(chunk.data(), chunk.size());
      return;
    }
    std::vector<http::SseEvent> events;
    absl::Status parsed = parser_.Feed(chunk, &events);
    if (!parsed.ok()) return UpstreamFailed(absl::AbortedError(parsed.message()));
    for (const auto& ev : events) {
      std::string delta;
      absl::Status s = providers::OnEvent(prepared_.endpoint.wire, ev, &reply_, &delta);
      if (!s.ok()) return UpstreamFailed(s);
      if (delta.empty()) continue;
      if (first_token_ == absl::InfinitePast()) first_token_ = absl::Now();
      v1::RunEvent text;
      text.set_text(delta);
      Enqueue(std::move(text));
    }
  }

  void OnDone(absl::Status transport) override {
    if (upstream_failed_) return;
    const providers::Endpoint& e = prepared_.endpoint;
    if (!transport.ok()) return RequestFinish(providers::TransportError(e, transport));
    if (http_status_ < 200 || http_status_ >= 300) {
      return RequestFinish(
          providers::HttpError(e, prepared_.model, http_status_, error_body_, http_headers_));
    }
    if (!prepared_.stream) {
      absl::Status s = providers::OnBody(e.wire, whole_body_, &reply_);
      if (!s.ok()) return RequestFinish(s);
      first_token_ = absl::Now();
      v1::RunEvent text;
      text.set_text(reply_.text);
      Enqueue(std::move(text));
    } else if (!reply_.finished) {
      return RequestFinish(absl::AbortedError(absl::StrCat(
          e.provider, " ended the stream before the answer was complete; try again")));
    }
    v1::RunEvent done;
    v1::RunDone* d = done.mutable_done();
    d->set_finish_reason(reply_.finish_reason);
    d->set_prompt_tokens(reply_.prompt_tokens);
    d->set_completion_tokens(reply_.completion_tokens);
    if (first_token_ != absl::InfinitePast()) {
      d->set_time_to_first_token_us(absl::ToInt64Microseconds(first_token_ - started_));
    }
    d->set_total_us(absl::ToInt64Microseconds(absl::Now() - started_));
    Enqueue(std::move(done));
    RequestFinish(absl::OkStatus());
  }

 private:
  explicit RunReactor(http::HttpPool* pool) : pool_(pool) {}

  void UpstreamFailed(const absl::Status& status) {
    upstream_failed_ = true;
    CancelTransfer();
    RequestFinish(status);
  }

  void CancelTransfer() {
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      id = transfer_;
    }
    if (id != 0) pool_->Cancel(id);
  }

  void Enqueue(v1::RunEvent event) {
    const v1::RunEvent* next = nullptr;
    bool finish = false;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finish_requested_ || cancelled_) return;
      queue_.push_back(std::move(event));
      next = NextWriteLocked(&finish, &status);
    }
    Act(next, finish, status);
  }

  // RequestFinish ends the call once every queued piece is written: text
  // sent before an error stays delivered.
  void RequestFinish(const absl::Status& status) {
    const v1::RunEvent* next = nullptr;
    bool finish = false;
    grpc::Status grpc_status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finish_requested_) return;
      finish_requested_ = true;
      final_ = status;
      next = NextWriteLocked(&finish, &grpc_status);
    }
    Act(next, finish, grpc_status);
  }

  // NextWriteLocked decides the next gRPC action: a write if none is in
  // flight and one is queued, else Finish if it was requested.
  const v1::RunEvent* NextWriteLocked(bool* finish, grpc::Status* status) {
    if (writing_ || finished_) return nullptr;
    if (!queue_.empty()) {
      writing_ = true;
      return &queue_.front();  // stays valid: deque keeps elements in place
    }
    if (finish_requested_) {
      finished_ = true;
      *finish = true;
      *status = ToGrpcStatus(final_);
    }
    return nullptr;
  }

  void Act(const v1::RunEvent* next, bool finish, const grpc::Status& status) {
    if (next != nullptr) StartWrite(next);
    if (finish) Finish(status);
  }

  http::HttpPool* const pool_;
  absl::Time started_;
  Prepared prepared_;

  std::mutex mu_;
  std::shared_ptr<RunReactor> self_;  // guarded by mu_; gRPC's reference
  std::deque<v1::RunEvent> queue_;    // guarded by mu_; front is in flight
  bool writing_ = false;              // guarded by mu_
  bool finish_requested_ = false;     // guarded by mu_
  bool finished_ = false;             // guarded by mu_
  bool cancelled_ = false;            // guarded by mu_
  absl::Status final_;                // guarded by mu_
  uint64_t transfer_ = 0;             // guarded by mu_

  // Touched only by the pool's loop thread (after Begin).
  int http_status_ = 0;
  std::map<std::string, std::string> http_headers_;
  std::string error_body_, whole_body_;
  http::SseParser parser_;
  providers::Reply reply_;
  absl::Time first_token_ = absl::InfinitePast();
  bool upstream_failed_ = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::RunEvent>* RunServiceImpl::Run(grpc::CallbackServerContext* context,
                                                             const v1::RunRequest* request) {
  RunReactor* reactor = RunReactor::Create(pool_);
  absl::Status allowed = peers_->Authorize(*context);
  if (!allowed.ok()) {
    reactor->Fail(allowed);
    return reactor;
  }
  // Reading the prompt and config is quick local I/O, done before the
  // stream starts.
  auto prepared = Prepare(config_, prompts_, *request);
  if (!prepared.ok()) {
    reactor->Fail(prepared.status());
    return reactor;
  }
  reactor->Begin(*std::move(prepared));
  return reactor;
}

}  // namespace aix
