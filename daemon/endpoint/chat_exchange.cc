#include "daemon/endpoint/chat_exchange.h"

#include <string.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/tool_calls.h"
#include "daemon/providers/chat_fields.h"
#include "daemon/endpoint/respond.h"

namespace aix::endpoint {
namespace {

// Stream bytes waiting for a slow HTTP client; above this aixd stops
// reading the run, and gRPC's flow control then pauses the provider.
constexpr size_t kMaxPending = 64 << 10;

// A body at least this large is parsed off the door's thread (a 16 MiB
// body takes a parser a good fraction of a second).
constexpr size_t kParseAside = 1 << 20;

}  // namespace

MHD_Result ChatExchange::Continue(const char* upload, size_t* upload_size) {
  if (responded_) {
    *upload_size = 0;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    body_.Append(upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  bool started;
  {
    std::lock_guard<std::mutex> lock(mu_);
    started = started_;
  }
  if (!started) return Start();
  return AnswerOrWait();
}

MHD_Result ChatExchange::AnswerOrWait() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!ReadyLocked()) {
    suspended_ = true;
    MHD_suspend_connection(conn());
    return MHD_YES;
  }
  return RespondLocked();
}

MHD_Result ChatExchange::Start() {
  std::string why;
  if (int status = body_.Refusal(&why); status != 0) return Fail(status, why);
  bool parsed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    parsed = parse_done_;
  }
  if (!parsed) {
    // A large body is parsed on a thread of its own, so the door goes on
    // serving everyone else meanwhile.
    if (body_.text().size() >= kParseAside) return ParseAside();
    parsed_ = parts_.api->Parse(body_.text(), &param_);
  }
  body_.Release();
  if (!parsed_.ok()) {
    MHD_Result r = Fail(HttpStatusFor(parsed_.status().code()), parsed_.status().message(), param_);
    EndAside();
    return r;
  }
  call_ = *std::move(parsed_);
  answer_ = parts_.api->NewAnswer(call_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
    self_ = shared_from_this();
  }
  parts_.live->RunStarted(tcp());
  parts_.calls->Mark(&context_);
  parts_.calls->runs()->async()->Run(&context_, &call_.run, this);
  StartRead(&event_);
  StartCall();
  EndAside();
  return AnswerOrWait();
}

ssize_t ChatExchange::Read(char* buf, size_t max) {
  bool read_more = false;
  ssize_t n = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_.empty()) {
      n = static_cast<ssize_t>(std::min(max, pending_.size()));
      memcpy(buf, pending_.data(), static_cast<size_t>(n));
      pending_.erase(0, static_cast<size_t>(n));
      if (read_paused_ && pending_.size() < kMaxPending / 2) {
        read_paused_ = false;
        read_more = true;
      }
    } else if (done_) {
      return MHD_CONTENT_READER_END_OF_STREAM;
    } else {
      suspended_ = true;
      MHD_suspend_connection(conn());
      return 0;
    }
  }
  if (read_more) StartRead(&event_);
  return n;
}

void ChatExchange::Closed() {
  StopRun(&closed_);
  EndAside();
}

void ChatExchange::StopRun(bool* flag) {
  bool cancel;
  {
    std::lock_guard<std::mutex> lock(mu_);
    *flag = true;
    cancel = started_ && !done_;
  }
  if (cancel) context_.TryCancel();
}

void ChatExchange::CheckPeer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!suspended_ || closed_ || done_ || gone_ || !ClientLeft()) return;
    gone_ = true;
  }
  context_.TryCancel();
}

void ChatExchange::Cancel() { StopRun(&stopping_); }

void ChatExchange::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  bool more = true, cancel = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    switch (event_.event_case()) {
      case v1::RunEvent::kText:
        if (call_.stream) {
          pending_ += answer_->Text(event_.text());
          first_chunk_ = false;
        } else {
          whole_ += event_.text();
        }
        break;
      case v1::RunEvent::kToolCall:
        if (call_.stream) {
          pending_ += answer_->ToolCall(event_.tool_call());
          first_chunk_ = false;
        } else if (!JoinToolCall(event_.tool_call(), &calls_, providers::kMaxToolCalls,
                                 std::string::npos)) {
          cancel = true;  // more calls than any answer makes (the dialects bound them too)
          more = false;
        }
        break;
      case v1::RunEvent::kDone:
        done_event_ = event_.done();
        break;
      case v1::RunEvent::kNotice:
        // For people: only aix's own page shows them (the other APIs
        // have no such event).
        if (call_.stream) pending_ += answer_->Notice(event_.notice().message());
        break;
      default:
        break;
    }
    if (call_.stream && pending_.size() > kMaxPending) {
      read_paused_ = true;
      more = false;
    }
    // A whole answer waits for OnDone; a stream is woken for its text.
    if (stream_started_ || ReadyLocked()) WakeLocked();
  }
  if (cancel) context_.TryCancel();  // outside mu_: cancelling may end the call at once
  if (more) StartRead(&event_);
}

void ChatExchange::OnDone(const grpc::Status& status) {
  std::shared_ptr<ChatExchange> keep;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    final_ = FromGrpcStatus(status);
    if (stopping_ && absl::IsCancelled(final_)) {
      final_ = absl::UnavailableError(
          "aixd is stopping or this port was closed; the run was cancelled, send it again");
    }
    if (stream_started_) pending_ += Ending();
    WakeLocked();
    keep = std::move(self_);
  }
  parts_.live->RunEnded(tcp());
}

// Shutdown waits for ParseAside's thread as for a run: it counts as one
// until EndAside, once the real run has started (so the count never drops
// to zero in between) or the request has ended.
MHD_Result ChatExchange::ParseAside() {
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!parsing_) parsing_ = start = aside_open_ = true;
    suspended_ = true;
    MHD_suspend_connection(conn());
  }
  if (start) {
    parts_.live->RunStarted(tcp());
    std::thread([self = shared_from_this()] {
      std::string param;
      absl::StatusOr<ChatCall> parsed = absl::InternalError("the request could not be parsed");
      try {
        parsed = self->parts_.api->Parse(self->body_.text(), &param);
      } catch (const std::exception& e) {
        parsed = absl::InternalError(absl::StrCat("the request could not be parsed: ", e.what()));
      }
      std::lock_guard<std::mutex> lock(self->mu_);
      self->parsed_ = std::move(parsed);
      self->param_ = std::move(param);
      self->parse_done_ = true;
      self->WakeLocked();
    }).detach();
  }
  return MHD_YES;
}

void ChatExchange::EndAside() {
  bool end;
  {
    std::lock_guard<std::mutex> lock(mu_);
    end = aside_open_;
    aside_open_ = false;
  }
  if (end) parts_.live->RunEnded(tcp());
}

MHD_Result ChatExchange::Fail(int status, absl::string_view message, absl::string_view param) {
  responded_ = true;
  return Respond(conn(), status, parts_.api->ErrorBody(status, message, param));
}

// A response is queued once the answer has begun, or the run is over:
// until text arrives a failure (after retries and fallbacks) can still be
// a plain HTTP error with its own status, which SDKs understand best.
bool ChatExchange::ReadyLocked() const { return done_ || (call_.stream && !first_chunk_); }

// Ending is the end of a started stream, or the error, as the client's
// API sends one mid-stream.
std::string ChatExchange::Ending() const {
  if (final_.ok()) return answer_->End(done_event_);
  return answer_->StreamError(HttpStatusFor(final_.code()), final_.message());
}

// RespondLocked queues the response once the run is far enough along: a
// run that failed before its answer began gets a plain HTTP error.
MHD_Result ChatExchange::RespondLocked() {
  responded_ = true;
  if (done_ && !final_.ok() && (!call_.stream || first_chunk_)) {
    const int status = HttpStatusFor(final_.code());
    return Respond(conn(), status, parts_.api->ErrorBody(status, final_.message(), ""));
  }
  if (!call_.stream) return Respond(conn(), 200, answer_->Whole(whole_, calls_, done_event_));
  stream_started_ = true;
  if (done_) pending_ += Ending();
  using Holder = std::shared_ptr<ChatExchange>;
  auto* holder = new Holder(shared_from_this());
  MHD_Response* r = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, 4 << 10,
      [](void* cls, uint64_t, char* buf, size_t max) -> ssize_t {
        try {
          return (*static_cast<Holder*>(cls))->Read(buf, max);
        } catch (...) {
          return MHD_CONTENT_READER_END_WITH_ERROR;  // the stream is cut off
        }
      },
      holder, [](void* cls) { delete static_cast<Holder*>(cls); });
  if (r == nullptr) {
    delete holder;
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", "text/event-stream");
  MHD_add_response_header(r, "Cache-Control", "no-cache");
  MHD_Result ok = MHD_queue_response(conn(), 200, r);
  MHD_destroy_response(r);
  return ok;
}

void ChatExchange::WakeLocked() {
  if (suspended_ && !closed_) {
    suspended_ = false;
    MHD_resume_connection(conn());
  }
}

}  // namespace aix::endpoint
