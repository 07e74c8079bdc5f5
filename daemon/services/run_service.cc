#include "daemon/services/run_service.h"


#include <algorithm>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/limits.h"
#include "common/mask.h"
#include "common/redact.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/history/answer_spool.h"
#include "daemon/history/history_writer.h"
#include "daemon/http/sse.h"
#include "daemon/providers/dialect.h"
#include "daemon/runs/plan.h"
#include "daemon/runs/retry.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

using Json = nlohmann::json;

// Bytes of an error body kept for the message.
constexpr size_t kMaxErrorBody = 64 << 10;

// Text queued for a client that reads slower than the provider sends; above
// this the transfer pauses (the provider's TCP window closes), and it
// resumes once half of it is written.
constexpr size_t kMaxQueuedBytes = 64 << 10;

// Largest text event made by joining pieces that wait to be written.
constexpr size_t kMaxJoinedText = 16 << 10;

// Most of an answer kept in the run history (the rest still streams).
constexpr size_t kMaxRecordedAnswer = 4 << 20;

runs::RunInputs InputsOf(const v1::RunRequest& req) {
  runs::RunInputs in;
  in.params.insert(req.params().begin(), req.params().end());
  if (req.has_stdin_input()) in.stdin_input = req.stdin_input();
  in.provider = req.provider();
  in.model = req.model();
  if (req.has_system()) in.system = req.system();
  if (req.has_max_tokens()) in.max_tokens = req.max_tokens();
  if (req.has_temperature()) in.temperature = req.temperature();
  in.no_stream = req.no_stream();
  if (req.has_max_retries()) in.max_retries = req.max_retries();
  in.fallback.assign(req.fallback().begin(), req.fallback().end());
  in.env_keys.insert(req.api_keys().begin(), req.api_keys().end());
  in.command_outputs.assign(req.command_outputs().begin(), req.command_outputs().end());
  in.commands_as_text = req.commands_as_text();
  for (const v1::ChatMessage& m : req.messages()) in.messages.push_back({m.role(), m.content()});
  return in;
}

// Prepared is a run ready to go: the plan event for the client and, for
// EXECUTE, the plan of attempts.
struct Prepared {
  v1::RunEvent plan_event;
  v1::RunRequest::Mode mode = v1::RunRequest::EXECUTE;
  runs::Plan plan;
  // record: the run goes into the run history; `history` has what is known
  // before it starts.
  bool record = false;
  history::RunRecord history;
};

// KeptForHistory is what the history keeps of an input: the first
// kHistoryTextBytes (cut at a character boundary), marked when cut.
std::string KeptForHistory(absl::string_view text) {
  if (text.size() <= kHistoryTextBytes) return std::string(text);
  size_t end = kHistoryTextBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), kHistoryCutMark);
}

// Transcript is a conversation as the history shows it: the one message,
// or every turn under its role.
std::string Transcript(const std::vector<providers::Turn>& turns) {
  if (turns.size() == 1) return turns[0].content;
  std::vector<std::string> parts;
  for (const providers::Turn& t : turns) parts.push_back(absl::StrCat("[", t.role, "]\n", t.content));
  return absl::StrJoin(parts, "\n\n");
}

absl::StatusOr<Prepared> Prepare(config::ConfigStore* config, prompts::PromptStore* prompts,
                                 const prompts::CollectionStore* collections,
                                 const v1::RunRequest& req) {
  AIX_ASSIGN_OR_RETURN(Json doc, config->Document());
  const bool conversation = req.prompt().empty() && req.messages_size() > 0;
  if (!req.prompt().empty() && req.messages_size() > 0) {
    return absl::InvalidArgumentError(
        "a run sends either a saved prompt or messages, not both; leave prompt empty");
  }
  prompts::Prompt prompt;
  if (!conversation) {
    AIX_ASSIGN_OR_RETURN(prompt, prompts->Get(req.prompt()));
  }
  // A collection's system prompt goes with its prompts' runs unless the
  // prompt (or --system, in MakePlan) sets one.
  std::vector<std::string> notes;
  if (!conversation && !prompt.system) {
    std::string from;
    if (std::optional<std::string> system = collections->SystemFor(prompt.name, &from)) {
      prompt.system = system;
    }
  }
  std::optional<std::string> loaded;
  if (!conversation) loaded = collections->Loaded();
  if (loaded) {
    auto c = collections->Get(*loaded);
    if (c.ok() && std::find(c->prompts.begin(), c->prompts.end(), prompt.name) == c->prompts.end()) {
      notes.push_back(absl::StrCat("prompt ", prompt.name, " is not in the loaded collection ",
                                   *loaded, " (add it: aix collection add ", prompt.name,
                                   "; or: aix collection unload)"));
    }
  }
  for (const std::string& item : req.fallback()) {
    AIX_RETURN_IF_ERROR(config::CheckProviderSpec(item));
  }
  // An imported prompt's own provider and fallbacks are where the user's
  // input would go: used only once the user trusted them, like commands.
  const bool own_destination =
      (prompt.provider && req.provider().empty()) || (!prompt.fallback.empty() && req.fallback().empty());
  if (!conversation && req.mode() == v1::RunRequest::EXECUTE && own_destination &&
      !prompts::DestinationTrusted(prompt)) {
    std::vector<std::string> where;
    if (prompt.provider) where.push_back(*prompt.provider);
    for (const std::string& f : prompt.fallback) where.push_back(f);
    return absl::FailedPreconditionError(absl::StrCat(
        "prompt ", prompt.name, " came from ", prompt.origin.value_or("an import"),
        " and chooses where your input goes: ", absl::StrJoin(where, ", "),
        ". Nothing was sent. Look at it (aix show ", prompt.name, "), then trust it: aix trust ",
        prompt.name, "; or choose yourself: --provider NAME (and --fallback)"));
  }
  // Only a run that sends needs a key: a dry run says which one it would
  // use, or how to store one.
  const bool execute = req.mode() == v1::RunRequest::EXECUTE;
  AIX_ASSIGN_OR_RETURN(runs::Plan plan, runs::MakePlan(doc, prompt, InputsOf(req), execute));
  Prepared out;
  out.mode = req.mode();
  const runs::Attempt& first = plan.attempts.front();
  v1::RunPlan* p = out.plan_event.mutable_plan();
  p->set_provider(first.endpoint.provider);
  p->set_model(first.model);
  p->set_url(MaskUrl(first.endpoint.chat_url));
  if (req.mode() != v1::RunRequest::EXECUTE) p->set_rendered_prompt(plan.rendered);
  p->set_system(plan.chat.system);
  p->set_max_tokens(plan.chat.max_tokens);
  p->set_temperature(plan.chat.temperature);
  p->set_key_source(first.key.source);
  p->set_masked_key(first.key.key.empty() ? "" : MaskSecret(first.key.key));
  for (const auto& w : plan.warnings) p->add_warnings(w);
  for (const auto& w : notes) p->add_warnings(w);
  for (size_t i = 1; i < plan.attempts.size(); ++i) {
    p->add_fallbacks(absl::StrCat(plan.attempts[i].endpoint.provider, "/", plan.attempts[i].model));
  }
  p->set_max_retries(static_cast<int32_t>(plan.max_retries));
  p->set_key_fix(plan.key_fix);
  out.record = execute && !req.no_history() && config::ReadRunSettings(doc).history;
  if (out.record) {
    history::RunRecord& h = out.history;
    h.prompt = prompt.name;
    for (const auto& [k, v] : req.params()) h.params[k] = KeptForHistory(v);
    if (req.has_stdin_input() && h.params.count("input") == 0) {
      h.params["input"] = KeptForHistory(req.stdin_input());
    }
    h.rendered = KeptForHistory(conversation ? Transcript(plan.chat.turns) : plan.rendered);
    h.system = KeptForHistory(plan.chat.system);
  }
  out.plan = std::move(plan);
  return out;
}

std::string FirstLine(absl::string_view s) {
  return std::string(s.substr(0, std::min(s.find('\n'), size_t{300})));
}

// RunReactor streams one run. Its events come from two sides: gRPC
// (OnWriteDone, OnCancel, OnDone, on gRPC's threads) and the HTTP transfer
// of the current attempt (OnHeaders, OnData, OnDone as a ResponseHandler,
// on the pool's loop thread). Shared state is guarded by mu_; gRPC's
// Start*/Finish and the pool's calls are made after releasing it. At most
// one write is in flight; pieces that arrive meanwhile queue up in order,
// and past kMaxQueuedBytes the transfer is paused. The object lives until
// both gRPC and the pool are done with it (self_ holds gRPC's reference).
//
// Attempts run one after another: a failure before any text was queued
// for the client is retried (runs/retry.h) and then handed to the next
// attempt of the plan; each new transfer starts from the previous one's
// OnDone, so the loop thread is the only one touching per-attempt state.
class RunReactor : public grpc::ServerWriteReactor<v1::RunEvent>,
                   public http::ResponseHandler {
 public:
  static RunReactor* Create(http::HttpPool* pool, RunCount* active) {
    auto r = std::shared_ptr<RunReactor>(new RunReactor(pool, active));
    r->self_ = r;
    return r.get();
  }

  // Fail ends the call before anything was sent.
  void Fail(const absl::Status& status) { RequestFinish(status); }

  // Begin sends the plan and, for EXECUTE, starts the first attempt.
  // A recorded answer beyond 64 KiB is spooled to an unnamed file in
  // `spool_dir` (history/answer_spool.h).
  void Begin(Prepared prepared, history::HistoryWriter* history, const std::string& spool_dir,
             std::string client) {
    started_ = absl::Now();
    plan_ = std::move(prepared.plan);
    // Every key this run may send, and a custom provider's own header
    // values (a gateway's token), are scrubbed from what providers say.
    for (const runs::Attempt& a : plan_.attempts) {
      redactor_.Add(a.key.key);
      if (registry::CustomName(a.endpoint.provider)) {
        for (const std::string& h : a.endpoint.headers) {
          const size_t colon = h.find(':');
          if (colon != std::string::npos) {
            redactor_.Add(absl::StripAsciiWhitespace(absl::string_view(h).substr(colon + 1)));
          }
        }
      }
    }
    if (prepared.record && history != nullptr) {
      history_ = history;
      record_ = std::move(prepared.history);
      record_.client = std::move(client);
      answer_ = std::make_unique<history::AnswerSpool>(spool_dir, kMaxRecordedAnswer);
    }
    Enqueue(std::move(prepared.plan_event));
    if (prepared.mode != v1::RunRequest::EXECUTE) {
      RequestFinish(absl::OkStatus());
      return;
    }
    StartTransfer(absl::ZeroDuration());
  }

  // --- gRPC side ---
  void OnWriteDone(bool ok) override {
    const v1::RunEvent* next = nullptr;
    bool finish = false, resume = false;
    grpc::Status status;
    uint64_t id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queued_bytes_ -= queue_.front().text().size();
      queue_.pop_front();
      writing_ = false;
      if (!ok) {
        // The client is gone; stop the upstream request too.
        queue_.clear();
        queued_bytes_ = 0;
        cancelled_ = true;
        if (!finish_requested_) {
          finish_requested_ = true;
          final_ = absl::CancelledError("the client went away");
        }
      } else if (paused_ && queued_bytes_ <= kMaxQueuedBytes / 2) {
        paused_ = false;
        resume = true;
      }
      id = transfer_;
      next = NextWriteLocked(&finish, &status);
    }
    if (!ok) CancelTransfer();
    if (resume && id != 0) pool_->Resume(id);
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
  void OnHeaders(const http::ResponseHead& head) override { head_ = head; }

  bool OnData(absl::string_view chunk) override {
    if (upstream_failed_) return true;
    body_started_ = true;
    if (head_.status < 200 || head_.status >= 300) {
      if (error_body_.size() < kMaxErrorBody) {
        error_body_.append(chunk.data(), std::min(chunk.size(), kMaxErrorBody - error_body_.size()));
      }
      return true;
    }
    if (!plan_.chat.stream) {
      whole_body_.append(chunk.data(), chunk.size());  // bounded by the pool's body cap
      return true;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queued_bytes_ > kMaxQueuedBytes && !finish_requested_) {
        paused_ = true;
        return false;  // offered again after Resume
      }
    }
    std::vector<http::SseEvent> events;
    absl::Status parsed = parser_->Feed(chunk, &events);
    if (!parsed.ok()) {
      UpstreamFailed(absl::AbortedError(parsed.message()));
      return true;
    }
    const providers::Dialect& dialect = providers::DialectFor(Attempting().endpoint.wire);
    for (const auto& ev : events) {
      std::string delta;
      absl::Status s = dialect.OnEvent(ev, &reply_, &delta);
      if (!s.ok()) {
        UpstreamFailed(absl::Status(s.code(), absl::StrCat(Attempting().endpoint.provider, ": ",
                                                           s.message())));
        return true;
      }
      if (!delta.empty()) SendText(std::move(delta));
    }
    return true;
  }

  // The pool's OnDone lets nothing escape (pool.h): a retry, fallback or
  // record that throws fails the run with what happened, not a hang.
  void OnDone(absl::Status transport) override {
    absl::Status failed = Catching([&] {
      Conclude(std::move(transport));
      return absl::OkStatus();
    });
    if (!failed.ok()) RequestFinish(failed);
  }

 private:
  // Conclude ends an attempt: success, a retry, a fallback or the run's end.
  void Conclude(absl::Status transport) {
    if (upstream_failed_) return;
    const runs::Attempt& a = Attempting();
    const providers::Endpoint& e = a.endpoint;
    runs::Failure failure;
    failure.body_started = body_started_;
    absl::Status result;
    if (!transport.ok()) {
      failure.transport = transport;
      result = providers::TransportError(e, transport);
    } else if (head_.status < 200 || head_.status >= 300) {
      failure.http_status = head_.status;
      failure.retry_after_ms = head_.retry_after_ms;
      // Scrubbed before the message is cut to an excerpt, and after.
      result = providers::HttpError(e, a.model, head_.status, redactor_.Scrub(error_body_),
                                    head_.RetryAfterSeconds());
    } else if (!plan_.chat.stream) {
      absl::Status s = providers::DialectFor(e.wire).OnBody(whole_body_, &reply_);
      if (!s.ok()) {
        result = absl::Status(s.code(), absl::StrCat(e.provider, ": ", s.message()));
      } else if (!reply_.text.empty()) {
        SendText(reply_.text);
      }
    } else if (!reply_.finished) {
      failure.transport = absl::UnavailableError("the stream ended early");
      failure.body_started = true;
      result = absl::AbortedError(absl::StrCat(
          e.provider, " ended the stream before the answer was complete; try again"));
    }
    RecordAttempt(result.ok() ? "" : FirstLine(result.message()));
    if (result.ok()) return Succeed();
    if (result.code() == absl::StatusCode::kCancelled) {
      Record(result);
      return RequestFinish(result);
    }
    bool cancelled;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled = cancelled_;
    }
    if (!cancelled && !text_sent_) {
      if (runs::Retryable(failure) && retry_ < plan_.max_retries) {
        absl::Duration wait = runs::Backoff(retry_, failure.retry_after_ms, Uniform());
        if (wait <= runs::kMaxRetryWait) {
          ++retry_;
          Notify(absl::StrFormat("%s; retrying in %.1f s (retry %d of %d)", Why(failure, result),
                                 absl::ToDoubleSeconds(wait), retry_, plan_.max_retries));
          return StartTransfer(wait);
        }
      }
      if (runs::FallsBack(failure) && attempt_ + 1 < plan_.attempts.size()) {
        ++attempt_;
        retry_ = 0;
        Notify(absl::StrCat(Why(failure, result), "; trying ", Attempting().endpoint.provider,
                            "/", Attempting().model, " instead"));
        return StartTransfer(absl::ZeroDuration());
      }
    }
    if (attempts_.size() > 1) {
      std::vector<std::string> tried;
      for (const v1::Attempt& t : attempts_) {
        tried.push_back(absl::StrCat(t.provider(), t.http_status() ? absl::StrCat(" HTTP ", t.http_status())
                                                                   : std::string(" (no answer)")));
      }
      result = absl::Status(result.code(), absl::StrCat(result.message(), "\n(", attempts_.size(),
                                                        " attempts: ", absl::StrJoin(tried, ", "), ")"));
    }
    if (text_sent_) FlushText();
    Record(result);
    RequestFinish(result);
  }

  RunReactor(http::HttpPool* pool, RunCount* active)
      : pool_(pool), active_(active) {
    active_->Enter();
  }

 public:
  ~RunReactor() override { active_->Leave(); }

 private:

  const runs::Attempt& Attempting() const { return plan_.attempts[attempt_]; }

  // Uniform is the back-off's jitter. The generator is seeded on the first
  // retry: seeding from the OS costs more than a whole answered run.
  double Uniform() {
    if (!rng_) rng_.emplace(std::random_device{}());
    return std::uniform_real_distribution<double>(0.0, 1.0)(*rng_);
  }

  static std::string Why(const runs::Failure& f, const absl::Status& result) {
    if (f.http_status == 429) return "rate limited (HTTP 429)";
    if (f.http_status != 0) return absl::StrCat("HTTP ", f.http_status);
    return FirstLine(result.message());
  }

  // StartTransfer starts the current attempt after `wait`, with fresh
  // per-transfer state.
  void StartTransfer(absl::Duration wait) {
    head_ = http::ResponseHead();
    error_body_.clear();
    whole_body_.clear();
    parser_ = std::make_unique<http::SseParser>();
    reply_ = providers::Reply();
    stream_ = StreamRedactor(&redactor_);  // text held back by a failed attempt was never sent
    body_started_ = false;
    waited_ = wait;
    http::HttpRequest request = runs::RequestFor(plan_, Attempting());
    request.not_before = absl::Now() + wait;
    std::shared_ptr<RunReactor> self;
    bool over;
    {
      std::lock_guard<std::mutex> lock(mu_);
      self = self_;
      over = self == nullptr || cancelled_;
    }
    if (over) {  // the call is already over
      Record(absl::CancelledError("cancelled by the client"));
      return;
    }
    const uint64_t id = pool_->Start(std::move(request), self);
    bool cancel_now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      transfer_ = id;
      cancel_now = cancelled_;
    }
    if (cancel_now) pool_->Cancel(id);
  }

  // Record hands the finished run to the history writer, once; a run that
  // ends several ways (cancelled while failing) is recorded by the first.
  // Called on the loop thread, or before the first transfer starts.
  void Record(const absl::Status& result) {
    if (history_ == nullptr || recorded_) return;
    recorded_ = true;
    history::RunRecord& r = record_;
    r.started = started_;
    r.provider = Attempting().endpoint.provider;
    r.model = Attempting().model;
    r.finish_reason = redactor_.Scrub(PrintableExcerpt(reply_.finish_reason, 64));
    r.prompt_tokens = reply_.prompt_tokens;
    r.completion_tokens = reply_.completion_tokens;
    r.ttft_ms = first_token_ == absl::InfinitePast()
                    ? -1
                    : absl::ToInt64Milliseconds(first_token_ - started_);
    r.total_ms = absl::ToInt64Milliseconds(absl::Now() - started_);
    bool cancelled;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled = cancelled_;
    }
    if (result.ok()) {
      r.outcome = "ok";
    } else if (cancelled || result.code() == absl::StatusCode::kCancelled) {
      r.outcome = "cancelled";
      r.error_message = redactor_.Scrub(FirstLine(result.message()));
    } else {
      r.outcome = "failed";
      r.error_class = absl::StatusCodeToString(result.code());
      r.error_message = redactor_.Scrub(result.message());
    }
    Json tried = Json::array();
    for (const v1::Attempt& t : attempts_) {
      tried.push_back({{"provider", t.provider()}, {"model", t.model()},
                       {"http_status", t.http_status()}, {"error", t.error()},
                       {"waited_ms", t.waited_ms()}});
    }
    r.attempts_json = tried.dump(-1, ' ', false, Json::error_handler_t::replace);
    history_->Submit(std::move(record_), std::move(answer_));
  }

  void RecordAttempt(const std::string& error) {
    v1::Attempt t;
    t.set_provider(Attempting().endpoint.provider);
    t.set_model(Attempting().model);
    t.set_http_status(head_.status);
    t.set_error(redactor_.Scrub(error));
    t.set_waited_ms(absl::ToInt64Milliseconds(waited_));
    attempts_.push_back(std::move(t));
  }

  void Notify(std::string message) {
    v1::RunEvent ev;
    ev.mutable_notice()->set_message(redactor_.Scrub(message));
    Enqueue(std::move(ev));
  }

  // SendText queues answer text for the client and the history, less any
  // key the provider echoed (the end of a piece that may begin one waits
  // for the next piece, or for FlushText).
  void SendText(absl::string_view piece) {
    std::string text = stream_.Feed(piece);
    if (text.empty()) return;
    QueueText(std::move(text));
  }

  // FlushText sends what SendText held back, once the answer has ended.
  void FlushText() {
    std::string rest = stream_.Flush();
    if (!rest.empty()) QueueText(std::move(rest));
  }

  void QueueText(std::string text) {
    if (FirstInvalidUtf8(text) != absl::string_view::npos) text = ToValidUtf8(text);
    if (first_token_ == absl::InfinitePast()) first_token_ = absl::Now();
    text_sent_ = true;
    if (answer_ != nullptr) answer_->Append(text);
    v1::RunEvent ev;
    ev.set_text(std::move(text));
    Enqueue(std::move(ev));
  }

  void Succeed() {
    FlushText();
    v1::RunEvent done;
    v1::RunDone* d = done.mutable_done();
    d->set_finish_reason(redactor_.Scrub(PrintableExcerpt(reply_.finish_reason, 64)));
    if (reply_.prompt_tokens) d->set_prompt_tokens(*reply_.prompt_tokens);
    if (reply_.completion_tokens) d->set_completion_tokens(*reply_.completion_tokens);
    if (first_token_ != absl::InfinitePast()) {
      d->set_time_to_first_token_us(absl::ToInt64Microseconds(first_token_ - started_));
    }
    d->set_total_us(absl::ToInt64Microseconds(absl::Now() - started_));
    d->set_provider(Attempting().endpoint.provider);
    d->set_model(Attempting().model);
    for (const v1::Attempt& t : attempts_) *d->add_attempts() = t;
    Record(absl::OkStatus());
    Enqueue(std::move(done));
    RequestFinish(absl::OkStatus());
  }

  void UpstreamFailed(const absl::Status& status) {
    upstream_failed_ = true;
    if (text_sent_) FlushText();
    RecordAttempt(FirstLine(status.message()));
    Record(status);
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
      queued_bytes_ += event.text().size();
      // Text that arrives while earlier text waits to be written joins it:
      // one gRPC message (one syscall, one wake-up of the client) instead
      // of one per provider event. The client sees the same text.
      const size_t waiting = queue_.size() - (writing_ ? 1 : 0);
      if (event.has_text() && waiting > 0 && queue_.back().has_text() &&
          queue_.back().text().size() + event.text().size() <= kMaxJoinedText) {
        queue_.back().mutable_text()->append(event.text());
        return;
      }
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
      final_ = absl::Status(status.code(), redactor_.Scrub(status.message()));
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
  RunCount* const active_;
  absl::Time started_;
  runs::Plan plan_;      // set by Begin, then read-only
  Redactor redactor_;    // set by Begin, then read-only

  std::mutex mu_;
  std::shared_ptr<RunReactor> self_;  // guarded by mu_; gRPC's reference
  std::deque<v1::RunEvent> queue_;    // guarded by mu_; front is in flight
  size_t queued_bytes_ = 0;           // guarded by mu_; text bytes in queue_
  bool paused_ = false;               // guarded by mu_; the transfer waits for Resume
  bool writing_ = false;              // guarded by mu_
  bool finish_requested_ = false;     // guarded by mu_
  bool finished_ = false;             // guarded by mu_
  bool cancelled_ = false;            // guarded by mu_
  absl::Status final_;                // guarded by mu_
  uint64_t transfer_ = 0;             // guarded by mu_

  // Touched only by the pool's loop thread (after Begin started the first
  // transfer, which happens-before its callbacks).
  size_t attempt_ = 0;
  int retry_ = 0;
  absl::Duration waited_;
  std::vector<v1::Attempt> attempts_;
  std::optional<std::mt19937_64> rng_;
  bool text_sent_ = false;
  http::ResponseHead head_;
  std::string error_body_, whole_body_;
  std::unique_ptr<http::SseParser> parser_;
  providers::Reply reply_;
  StreamRedactor stream_{&redactor_};
  bool body_started_ = false;
  absl::Time first_token_ = absl::InfinitePast();
  bool upstream_failed_ = false;
  // The run history: set by Begin when this run is recorded.
  history::HistoryWriter* history_ = nullptr;
  history::RunRecord record_;
  std::unique_ptr<history::AnswerSpool> answer_;  // set with history_
  bool recorded_ = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::RunEvent>* RunServiceImpl::Run(grpc::CallbackServerContext* context,
                                                             const v1::RunRequest* request) {
  RunReactor* reactor = RunReactor::Create(pool_, &active_);
  // Reading the prompt and config is quick local I/O, done before the
  // stream starts.
  absl::StatusOr<Prepared> prepared = absl::UnknownError("not prepared");
  absl::Status checked = Checked(*peers_, context, [&] {
    prepared = Prepare(config_, prompts_, collections_, *request);
    return prepared.status();
  });
  if (!checked.ok()) {
    reactor->Fail(checked);
    return reactor;
  }
  // Who asked, for the history: aix says so in its version header; the
  // HTTP endpoint calls in-process.
  const auto& md = context->client_metadata();
  const char* client = peers_->InProcess(*context)                  ? "http"
                       : md.find(kClientVersionHeader) != md.end() ? "aix"
                                                                   : "grpc";
  reactor->Begin(*std::move(prepared), history_, config_->storage_dir(), client);
  return reactor;
}

}  // namespace aix
