#include "daemon/endpoint/api_exchange.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/text.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/endpoint/web_exchange.h"

namespace aix::endpoint {
namespace {

// A page's call is answered from memory or the disk, or by a provider's
// model list (which has its own shorter timeouts); one still open after
// this is cut off rather than left holding a connection.
constexpr std::chrono::seconds kCallDeadline{60};

}  // namespace

MHD_Result ApiExchange::Continue(const char* upload, size_t* upload_size) {
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
  std::lock_guard<std::mutex> lock(mu_);
  if (!done_) {
    suspended_ = true;
    MHD_suspend_connection(conn());
    return MHD_YES;
  }
  responded_ = true;
  if (!status_.ok()) {
    const int http = HttpStatusFor(status_.code());
    return RespondWebJson(conn(), http, ErrorJson(http, status_.message()));
  }
  return RespondWebJson(conn(), 200, call_->ResponseJson());
}

MHD_Result ApiExchange::Start() {
  auto fail = [this](int status, absl::string_view message) {
    responded_ = true;
    return RespondWebJson(conn(), status, ErrorJson(status, message));
  };
  std::string why;
  if (int status = body_.Refusal(&why); status != 0) return fail(status, why);
  call_ = api_->NewCall(method_);
  if (call_ == nullptr) {
    return fail(404, absl::StrCat("the page's API has no method ", PrintableExcerpt(method_, 80)));
  }
  if (absl::Status s = call_->Parse(body_.text()); !s.ok()) return fail(400, s.message());
  body_.Release();
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
    suspended_ = true;
    self_ = shared_from_this();
    MHD_suspend_connection(conn());
  }
  live_->RunStarted(tcp());
  context_.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  api_->calls()->Mark(&context_);
  call_->Start(&context_, [this](absl::Status s) { Done(s); });
  return MHD_YES;
}

void ApiExchange::Done(const absl::Status& status) {
  std::shared_ptr<ApiExchange> keep;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    status_ = status;
    if (suspended_ && !closed_) {
      suspended_ = false;
      MHD_resume_connection(conn());
    }
    keep = std::move(self_);
  }
  live_->RunEnded(tcp());
}

void ApiExchange::StopCall() {
  bool cancel;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel = started_ && !done_;
  }
  if (cancel) context_.TryCancel();
}

void ApiExchange::Closed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  StopCall();
}

void ApiExchange::CheckPeer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!suspended_ || closed_ || done_ || !ClientLeft()) return;
  }
  context_.TryCancel();
}

void ApiExchange::Cancel() { StopCall(); }

}  // namespace aix::endpoint
