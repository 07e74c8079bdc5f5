#include "daemon/endpoint/mcp_exchange.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "daemon/endpoint/mcp_http.h"
#include "daemon/endpoint/respond.h"

namespace aix::endpoint {
namespace {

const char* Header(MHD_Connection* c, const char* name) {
  return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

// ExchangeReply hands a request's response to its exchange; the
// notifications about it (progress, logs) have nowhere to go on a JSON
// answer and are dropped.
class ExchangeReply final : public mcp::Reply {
 public:
  explicit ExchangeReply(std::weak_ptr<McpExchange> exchange) : exchange_(std::move(exchange)) {}
  void Send(std::string message, bool last) override {
    if (!last) return;
    if (auto e = exchange_.lock()) e->Answer(std::move(message));
  }

 private:
  std::weak_ptr<McpExchange> exchange_;
};

}  // namespace

MHD_Result McpExchange::Continue(const char* upload, size_t* upload_size) {
  if (*upload_size > 0) {
    if (!started_) body_.Append(upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (!started_) {
    started_ = true;
    return Start();
  }
  return AnswerOrWait();
}

MHD_Result McpExchange::AnswerOrWait() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answered_) {
    suspended_ = true;
    MHD_suspend_connection(conn());
    return MHD_YES;
  }
  return RespondLocked();
}

MHD_Result McpExchange::Refuse(int status, const std::string& message, int code) {
  body_.Release();
  return Respond(conn(), status, mcp::Error(nullptr, {code, message, nullptr}));
}

MHD_Result McpExchange::Start() {
  // DNS rebinding: a page on another site that reaches this port still
  // sends its own Origin, and the name it used as Host.
  if (const char* origin = Header(conn(), "Origin"); origin != nullptr && !LoopbackOrigin(origin)) {
    return Refuse(403, absl::StrCat("Origin ", origin, " is not this machine; aix's MCP endpoint serves "
                                    "local clients only"));
  }
  if (tcp()) {
    const char* host = Header(conn(), "Host");
    if (host == nullptr || !LoopbackHost(host)) {
      return Refuse(403, "the Host header must be localhost, 127.0.0.1 or [::1] (with the port)");
    }
  }
  const char* id_header = Header(conn(), "Mcp-Session-Id");
  const std::string session_id = id_header == nullptr ? "" : id_header;
  if (delete_) {
    if (session_id.empty()) return Refuse(400, "send the Mcp-Session-Id header of the session to end");
    if (!hub_->End(session_id)) return Refuse(404, "no such MCP session (it ended, or aixd restarted)");
    return Respond(conn(), 200, "", "text/plain");
  }
  const char* accept = Header(conn(), "Accept");
  if (accept == nullptr || !AcceptsMcp(accept)) {
    return Refuse(406, "send Accept: application/json, text/event-stream (MCP's Streamable HTTP transport)");
  }
  const char* type = Header(conn(), "Content-Type");
  if (type == nullptr || !absl::StartsWithIgnoreCase(absl::StripLeadingAsciiWhitespace(type), "application/json")) {
    return Refuse(415, "send the message as Content-Type: application/json");
  }
  if (const char* version = Header(conn(), "MCP-Protocol-Version");
      version != nullptr && !mcp::SupportedVersion(version)) {
    return Refuse(400, absl::StrCat("MCP-Protocol-Version ", version, " is not one aix speaks (",
                                    mcp::kVersions[0], " down to ", mcp::kVersions[3], ")"));
  }
  std::string why;
  if (int status = body_.Refusal(&why); status != 0) {
    return status == 413 ? Refuse(status, why, mcp::kInvalidRequest) : Refuse(status, why);
  }
  mcp::ParseResult parsed = mcp::Parse(body_.text());
  body_.Release();
  const bool initialize = parsed.ok && parsed.message.kind == mcp::Message::kRequest &&
                          parsed.message.method == "initialize";
  std::shared_ptr<mcp::Session> session;
  if (initialize) {
    if (!session_id.empty()) return Refuse(400, "initialize starts a session: send it without Mcp-Session-Id");
    auto opened = hub_->Open(nullptr);
    if (!opened.ok()) return Refuse(503, std::string(opened.status().message()));
    session = *std::move(opened);
  } else if (parsed.ok) {
    if (session_id.empty()) {
      return Refuse(400, "send the Mcp-Session-Id header from the initialize response (or initialize first)");
    }
    session = hub_->Find(session_id);
    if (session == nullptr) return Refuse(404, "no such MCP session (it ended, or aixd restarted): initialize again");
  } else {
    // A message that cannot be read is answered whatever the session.
    return Respond(conn(), 400, mcp::Error(parsed.id, parsed.error));
  }
  const bool request = parsed.message.kind == mcp::Message::kRequest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    session_ = session;
    id_ = parsed.message.id;
    waiting_ = request;
    keep_ = initialize;
  }
  session->Take(std::move(parsed), std::make_shared<ExchangeReply>(weak_from_this()));
  if (!request) return Respond(conn(), 202, "", "text/plain");
  return AnswerOrWait();
}

void McpExchange::Answer(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (answered_) return;
  answered_ = true;
  waiting_ = false;
  answer_ = std::move(message);
  if (suspended_ && !closed_) {
    suspended_ = false;
    MHD_resume_connection(conn());
  }
}

MHD_Result McpExchange::RespondLocked() {
  if (answer_.empty()) {
    answer_ = mcp::Error(id_, {mcp::kInvalidRequest, "the request was cancelled", nullptr});
  }
  std::string session_id;
  if (keep_ && session_ != nullptr && session_->initialized()) {
    session_id = hub_->Keep(session_);
  }
  MHD_Response* r = MHD_create_response_from_buffer(answer_.size(), answer_.data(), MHD_RESPMEM_MUST_COPY);
  if (r == nullptr) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "application/json");
  if (!session_id.empty()) MHD_add_response_header(r, "Mcp-Session-Id", session_id.c_str());
  MHD_Result ok = MHD_queue_response(conn(), 200, r);
  MHD_destroy_response(r);
  return ok;
}

// Forget cancels the request when nobody will read its answer.
void McpExchange::Forget() {
  std::shared_ptr<mcp::Session> session;
  mcp::Json id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!waiting_) return;
    waiting_ = false;
    session = session_;
    id = id_;
  }
  if (session != nullptr) session->CancelRequest(id);
}

void McpExchange::Closed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  Forget();
}

void McpExchange::CheckPeer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!suspended_ || closed_ || answered_ || !ClientLeft()) return;
  }
  Forget();
}

}  // namespace aix::endpoint
