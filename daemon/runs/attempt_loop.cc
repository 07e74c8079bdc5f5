#include "daemon/runs/attempt_loop.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/catching.h"
#include "common/provider_registry.h"
#include "common/limits.h"
#include "common/tool_calls.h"
#include "common/text.h"
#include "daemon/providers/provider.h"

namespace aix::runs {
namespace {

// Bytes of an error body kept for the message.
constexpr size_t kMaxErrorBody = 64 << 10;

// Most of an answer kept in the run history (the rest still streams).
constexpr size_t kMaxRecordedAnswer = 4 << 20;

std::string FirstLine(absl::string_view s) {
  return std::string(s.substr(0, std::min(s.find('\n'), size_t{300})));
}

std::string Why(const Failure& f, const absl::Status& result) {
  if (f.http_status == 429) return "rate limited (HTTP 429)";
  if (f.http_status != 0) return absl::StrCat("HTTP ", f.http_status);
  return FirstLine(result.message());
}

}  // namespace

AttemptLoop::AttemptLoop(http::Transfers* transfers, RunSink* sink, Plan plan)
    : transfers_(transfers), sink_(sink), plan_(std::move(plan)), started_(absl::Now()) {
  // Every key this run may send, and a custom provider's own header values
  // (a gateway's token), are scrubbed from what providers say.
  for (const Attempt& a : plan_.attempts) {
    redactor_.Add(a.key.key);
    if (!registry::CustomName(a.endpoint.provider)) continue;
    for (const std::string& h : a.endpoint.headers) {
      const size_t colon = h.find(':');
      if (colon != std::string::npos) {
        redactor_.Add(absl::StripAsciiWhitespace(absl::string_view(h).substr(colon + 1)));
      }
    }
  }
}

void AttemptLoop::RecordTo(Recorder recorder, history::RunRecord record,
                           const std::string& spool_dir) {
  recorder_ = std::move(recorder);
  record_ = std::move(record);
  answer_ = std::make_unique<history::AnswerSpool>(spool_dir, kMaxRecordedAnswer);
}

void AttemptLoop::Start() {
  started_ = absl::Now();
  StartTransfer(absl::ZeroDuration());
}

bool AttemptLoop::cancelled() {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

void AttemptLoop::Cancel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
  }
  CancelTransfer();
}

void AttemptLoop::Resume() {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = transfer_;
  }
  if (id != 0) transfers_->Resume(id);
}

void AttemptLoop::CancelTransfer() {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = transfer_;
  }
  if (id != 0) transfers_->Cancel(id);
}

// --- the transfer ---

void AttemptLoop::OnHeaders(const http::ResponseHead& head) { head_ = head; }

bool AttemptLoop::OnData(absl::string_view chunk) {
  if (upstream_failed_) return true;
  body_started_ = true;
  if (head_.status < 200 || head_.status >= 300) {
    if (error_body_.size() < kMaxErrorBody) {
      error_body_.append(chunk.data(), std::min(chunk.size(), kMaxErrorBody - error_body_.size()));
    }
    return true;
  }
  if (!plan_.chat.stream) {
    whole_body_.append(chunk.data(), chunk.size());  // bounded by the transfer's body cap
    return true;
  }
  if (!sink_->Ready()) return false;  // offered again after Resume
  std::vector<http::SseEvent> events;
  absl::Status parsed = parser_->Feed(chunk, &events);
  if (!parsed.ok()) {
    UpstreamFailed(absl::AbortedError(parsed.message()));
    return true;
  }
  const providers::Dialect& dialect = providers::DialectFor(Attempting().endpoint.wire);
  for (const auto& ev : events) {
    providers::Delta delta;
    absl::Status s = dialect.OnEvent(ev, &reply_, &delta);
    if (!s.ok()) {
      UpstreamFailed(
          absl::Status(s.code(), absl::StrCat(Attempting().endpoint.provider, ": ", s.message())));
      return true;
    }
    if (!delta.text.empty()) SendText(delta.text);
    for (const providers::ToolCallDelta& call : delta.tool_calls) SendToolCall(call);
  }
  return true;
}

// The transfers' OnDone lets nothing escape: a retry, fallback or record
// that throws fails the run with what happened, not a hang.
void AttemptLoop::OnDone(absl::Status transport) {
  absl::Status failed = Catching([&] {
    Conclude(std::move(transport));
    return absl::OkStatus();
  });
  if (!failed.ok()) Fail(failed);
}

// Conclude ends an attempt: success, a retry, a fallback or the run's end.
void AttemptLoop::Conclude(absl::Status transport) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    transfer_ = 0;
  }
  if (upstream_failed_) return;
  const Attempt& a = Attempting();
  const providers::Endpoint& e = a.endpoint;
  Failure failure;
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
    } else {
      if (!reply_.text.empty()) SendText(reply_.text);
      for (const providers::ToolCallDelta& call : reply_.tool_calls) SendToolCall(call);
    }
  } else if (!reply_.finished) {
    failure.transport = absl::UnavailableError("the stream ended early");
    failure.body_started = true;
    result = absl::AbortedError(
        absl::StrCat(e.provider, " ended the stream before the answer was complete; try again"));
  }
  RecordAttempt(result.ok() ? "" : FirstLine(result.message()));
  if (result.ok()) return Succeed();
  if (result.code() == absl::StatusCode::kCancelled) return Fail(result);
  if (!cancelled() && !text_sent_) {
    if (Retryable(failure) && retry_ < plan_.max_retries) {
      absl::Duration wait = Backoff(retry_, failure.retry_after_ms, Uniform());
      if (wait <= kMaxRetryWait) {
        ++retry_;
        Notify(absl::StrFormat("%s; retrying in %.1f s (retry %d of %d)", Why(failure, result),
                               absl::ToDoubleSeconds(wait), retry_, plan_.max_retries));
        return StartTransfer(wait);
      }
    }
    if (FallsBack(failure) && attempt_ + 1 < plan_.attempts.size()) {
      ++attempt_;
      retry_ = 0;
      Notify(absl::StrCat(Why(failure, result), "; trying ", Attempting().endpoint.provider, "/",
                          Attempting().model, " instead"));
      return StartTransfer(absl::ZeroDuration());
    }
  }
  if (attempts_.size() > 1) {
    std::vector<std::string> tried;
    for (const v1::Attempt& t : attempts_) {
      tried.push_back(absl::StrCat(t.provider(), t.http_status()
                                                     ? absl::StrCat(" HTTP ", t.http_status())
                                                     : std::string(" (no answer)")));
    }
    result = absl::Status(result.code(), absl::StrCat(result.message(), "\n(", attempts_.size(),
                                                      " attempts: ", absl::StrJoin(tried, ", "),
                                                      ")"));
  }
  Fail(result);
}

// StartTransfer starts the current attempt after `wait`, with fresh
// per-transfer state.
void AttemptLoop::StartTransfer(absl::Duration wait) {
  head_ = http::ResponseHead();
  error_body_.clear();
  whole_body_.clear();
  parser_ = std::make_unique<http::SseParser>();
  reply_ = providers::DialectFor(Attempting().endpoint.wire).StartReply(plan_.chat);
  stream_ = StreamRedactor(&redactor_);  // text held back by a failed attempt was never sent
  tool_streams_.clear();
  body_started_ = false;
  waited_ = wait;
  std::shared_ptr<void> hold = sink_->Hold();
  if (hold == nullptr || cancelled()) {
    return Fail(absl::CancelledError("cancelled by the client"));
  }
  absl::StatusOr<http::HttpRequest> built = RequestFor(plan_, Attempting());
  if (!built.ok()) {
    return Fail(absl::Status(built.status().code(), absl::StrCat(Attempting().endpoint.provider,
                                                                 ": ", built.status().message())));
  }
  http::HttpRequest request = *std::move(built);
  request.not_before = absl::Now() + wait;
  // The transfers keep the sink, and so this loop, alive until OnDone.
  const uint64_t id =
      transfers_->Start(std::move(request), std::shared_ptr<http::ResponseHandler>(hold, this));
  bool cancel_now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    transfer_ = id;
    cancel_now = cancelled_;
  }
  if (cancel_now) transfers_->Cancel(id);
}

// --- the run's end ---

void AttemptLoop::Succeed() {
  FlushText();
  FlushToolCalls();
  v1::RunDone d;
  d.set_finish_reason(redactor_.Scrub(PrintableExcerpt(reply_.finish_reason, 64)));
  if (reply_.prompt_tokens) d.set_prompt_tokens(*reply_.prompt_tokens);
  if (reply_.completion_tokens) d.set_completion_tokens(*reply_.completion_tokens);
  if (reply_.cost) d.set_cost(*reply_.cost);
  if (first_token_ != absl::InfinitePast()) {
    d.set_time_to_first_token_us(absl::ToInt64Microseconds(first_token_ - started_));
  }
  d.set_total_us(absl::ToInt64Microseconds(absl::Now() - started_));
  d.set_provider(Attempting().endpoint.provider);
  d.set_model(Attempting().model);
  *d.mutable_attempts() = attempts_;
  Record(absl::OkStatus());
  if (done_) return;
  done_ = true;
  sink_->Done(absl::OkStatus(), std::move(d));
}

// Fail ends the run with `status`: what text was held back goes first.
void AttemptLoop::Fail(const absl::Status& status) {
  if (text_sent_) {
    FlushText();
    FlushToolCalls();
  }
  Record(status);
  if (done_) return;
  done_ = true;
  sink_->Done(absl::Status(status.code(), redactor_.Scrub(status.message())), v1::RunDone());
}

// UpstreamFailed ends the run when the provider's stream is malformed
// mid-transfer: the transfer is cancelled, its OnDone ignored.
void AttemptLoop::UpstreamFailed(const absl::Status& status) {
  upstream_failed_ = true;
  RecordAttempt(FirstLine(status.message()));
  CancelTransfer();
  Fail(status);
}

void AttemptLoop::RecordAttempt(const std::string& error) {
  v1::Attempt t;
  t.set_provider(Attempting().endpoint.provider);
  t.set_model(Attempting().model);
  t.set_http_status(head_.status);
  t.set_error(redactor_.Scrub(error));
  t.set_waited_ms(absl::ToInt64Milliseconds(waited_));
  *attempts_.Add() = std::move(t);
}

// Record hands the finished run to the recorder, once; a run that ends
// several ways (cancelled while failing) is recorded by the first.
void AttemptLoop::Record(const absl::Status& result) {
  if (!recorder_ || recorded_) return;
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
  if (result.ok()) {
    r.outcome = "ok";
  } else if (cancelled() || result.code() == absl::StatusCode::kCancelled) {
    r.outcome = "cancelled";
    r.error_message = redactor_.Scrub(FirstLine(result.message()));
  } else {
    r.outcome = "failed";
    r.error_class = absl::StatusCodeToString(result.code());
    r.error_message = redactor_.Scrub(result.message());
  }
  r.attempts_json = AttemptsText(attempts_);
  if (reply_.cost) r.extras["cost"] = *reply_.cost;
  if (!calls_.empty()) {
    nlohmann::json calls = nlohmann::json::array();
    for (const v1::ToolCallDelta& c : calls_) {
      calls.push_back({{"id", c.id()}, {"name", c.name()}, {"arguments", c.arguments()}});
    }
    r.extras["tool_calls"] = std::move(calls);
  }
  recorder_(std::move(record_), std::move(answer_));
}

// --- text and notices ---

void AttemptLoop::Notify(const std::string& message) { sink_->Notice(redactor_.Scrub(message)); }

// SendText passes answer text on, less any key the provider echoed (the
// end of a piece that may begin one waits for the next piece, or for
// FlushText).
void AttemptLoop::SendText(absl::string_view piece) {
  std::string text = stream_.Feed(piece);
  if (!text.empty()) QueueText(std::move(text));
}

// FlushText sends what SendText held back, once the answer has ended.
void AttemptLoop::FlushText() {
  std::string rest = stream_.Flush();
  if (!rest.empty()) QueueText(std::move(rest));
}

void AttemptLoop::QueueText(std::string text) {
  if (FirstInvalidUtf8(text) != absl::string_view::npos) text = ToValidUtf8(text);
  if (first_token_ == absl::InfinitePast()) first_token_ = absl::Now();
  text_sent_ = true;
  if (answer_ != nullptr) answer_->Append(text);
  sink_->Text(std::move(text));
}

// SendToolCall passes a tool-call piece on, in order with the text (what
// text was held back goes first), scrubbed as text is.
void AttemptLoop::SendToolCall(const providers::ToolCallDelta& call) {
  FlushText();
  v1::ToolCallDelta out;
  out.set_index(call.index);
  out.set_id(redactor_.Scrub(call.id));
  out.set_name(redactor_.Scrub(call.name));
  out.set_arguments(tool_streams_.try_emplace(call.index, &redactor_).first->second.Feed(call.arguments));
  if (out.id().empty() && out.name().empty() && out.arguments().empty()) return;
  QueueToolCall(std::move(out));
}

// FlushToolCalls sends the arguments held back, once the answer has ended.
void AttemptLoop::FlushToolCalls() {
  for (auto& [index, stream] : tool_streams_) {
    std::string rest = stream.Flush();
    if (rest.empty()) continue;
    v1::ToolCallDelta out;
    out.set_index(index);
    out.set_arguments(std::move(rest));
    QueueToolCall(std::move(out));
  }
}

void AttemptLoop::QueueToolCall(v1::ToolCallDelta call) {
  for (std::string* s : {call.mutable_id(), call.mutable_name(), call.mutable_arguments()}) {
    if (FirstInvalidUtf8(*s) != absl::string_view::npos) *s = ToValidUtf8(*s);
  }
  if (first_token_ == absl::InfinitePast()) first_token_ = absl::Now();
  text_sent_ = true;
  if (recorder_) {
    // The history keeps each call whole, its arguments as far as it keeps
    // any text.
    JoinToolCall(call, &calls_, providers::kMaxToolCalls, kHistoryTextBytes);
  }
  sink_->ToolCall(std::move(call));
}

// Uniform is the back-off's jitter. The generator is seeded on the first
// retry: seeding from the OS costs more than a whole answered run.
double AttemptLoop::Uniform() {
  if (!rng_) rng_.emplace(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(*rng_);
}

}  // namespace aix::runs
