#include "daemon/mcp/session.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/version.h"
#include "daemon/mcp/call.h"
#include "daemon/mcp/hub.h"
#include "daemon/mcp/prompts.h"
#include "daemon/mcp/resources.h"
#include "daemon/mcp/tools.h"

namespace aix::mcp {
namespace {

// RFC 5424's levels, as MCP names them, least severe first.
constexpr const char* kLevels[] = {"debug",    "info",     "notice", "warning",
                                   "error",    "critical", "alert",  "emergency"};

int LevelIndex(absl::string_view level) {
  for (int i = 0; i < static_cast<int>(std::size(kLevels)); ++i) {
    if (level == kLevels[i]) return i;
  }
  return -1;
}

// A server error (JSON-RPC reserves -32000 to -32099 for them).
constexpr int kServerBusy = -32000;

const std::map<std::string, Handler>& Handlers() {
  static const auto* handlers = new std::map<std::string, Handler>{
      {"prompts/list", ListPrompts},
      {"prompts/get", GetPrompt},
      {"completion/complete", Complete},
      {"tools/list", ListTools},
      {"tools/call", CallTool},
      {"resources/list", ListResources},
      {"resources/read", ReadResource},
      {"resources/templates/list", ListResourceTemplates},
  };
  return *handlers;
}

RpcError ErrorFor(const absl::Status& s) {
  RpcError e;
  e.message = std::string(s.message());
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
      e.code = kInvalidParams;
      break;
    default:
      e.code = kInternalError;
  }
  return e;
}

Json Capabilities() {
  return Json{{"prompts", {{"listChanged", true}}},
              {"tools", {{"listChanged", false}}},
              {"resources", {{"subscribe", false}, {"listChanged", true}}},
              {"completions", Json::object()},
              {"logging", Json::object()}};
}

}  // namespace

bool SupportedVersion(absl::string_view version) {
  return std::find(std::begin(kVersions), std::end(kVersions), version) != std::end(kVersions);
}

bool Session::initialized() const {
  std::lock_guard<std::mutex> lock(mu_);
  return initialized_;
}

std::string Session::version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

absl::Time Session::last_used() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_used_;
}

void Session::Close() {
  std::map<std::string, std::shared_ptr<CallControl>> in_flight;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    in_flight.swap(in_flight_);
  }
  for (auto& [key, control] : in_flight) control->Cancel();
}

void Session::PromptsChanged() {
  if (unsolicited_ == nullptr || !initialized()) return;
  unsolicited_->Send(Notification("notifications/prompts/list_changed", nullptr));
  unsolicited_->Send(Notification("notifications/resources/list_changed", nullptr));
}

void Session::Receive(absl::string_view text, std::shared_ptr<Reply> reply) {
  Take(Parse(text), std::move(reply));
}

void Session::Take(ParseResult parsed, std::shared_ptr<Reply> reply) {
  if (!parsed.ok) {
    reply->Send(Error(parsed.id, parsed.error), true);
    return;
  }
  Message& m = parsed.message;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_used_ = absl::Now();
  }
  if (m.kind == Message::kResponse) {  // aixd sends no requests: nothing waits for one
    reply->Send("", true);
    return;
  }
  if (m.kind == Message::kNotification) {
    if (m.method == "notifications/cancelled" && m.params.is_object()) {
      if (auto id = m.params.find("requestId"); id != m.params.end()) CancelRequest(*id);
    }
    reply->Send("", true);  // initialized, roots, unknown ones: nothing to do
    return;
  }
  if (m.method == "initialize") {
    reply->Send(Initialize(m), true);
    return;
  }
  if (m.method == "ping") {
    reply->Send(Result(m.id, Json::object()), true);
    return;
  }
  bool initialized;
  {
    std::lock_guard<std::mutex> lock(mu_);
    initialized = initialized_;
  }
  if (m.method == "server/discover" || (!initialized && Handlers().count(m.method) == 0 &&
                                        m.method != "logging/setLevel")) {
    // Newer clients probe before initialize: an immediate answer, never
    // silence, lets them fall back to the handshake.
    reply->Send(Error(m.id, {kMethodNotFound, absl::StrCat("method ", m.method, " is not served; this server speaks MCP ",
                                                           kVersions[0], " and earlier: send initialize"), nullptr}),
                true);
    return;
  }
  if (!initialized) {
    reply->Send(Error(m.id, {kInvalidRequest, "the session is not initialized: send initialize first", nullptr}), true);
    return;
  }
  if (m.method == "logging/setLevel") {
    reply->Send(SetLevel(m), true);
    return;
  }
  Dispatch(m, std::move(reply));
}

std::string Session::Initialize(const Message& m) {
  auto requested = m.params.is_object() ? m.params.find("protocolVersion") : m.params.end();
  if (!m.params.is_object() || requested == m.params.end() || !requested->is_string()) {
    return Error(m.id, {kInvalidParams, "initialize needs params.protocolVersion (a string such as \"2025-11-25\")",
                        Json{{"supported", kVersions}}});
  }
  const std::string asked = requested->get<std::string>();
  std::lock_guard<std::mutex> lock(mu_);
  if (initialized_) return Error(m.id, {kInvalidRequest, "the session is already initialized", nullptr});
  if (closed_) return Error(m.id, {kInvalidRequest, "the session has ended", nullptr});
  // The client's revision when served; else the newest, and the client
  // decides whether it can speak it.
  version_ = SupportedVersion(asked) ? asked : kVersions[0];
  initialized_ = true;
  return Result(m.id, Json{{"protocolVersion", version_},
                           {"capabilities", Capabilities()},
                           {"serverInfo", {{"name", "aix"}, {"title", "aix prompt library"}, {"version", kVersion}}},
                           {"instructions",
                            "The user's aix prompt library: its prompts (also as run_prompt), any "
                            "model through the user's keys (ask), and the run history."}});
}

std::string Session::SetLevel(const Message& m) {
  auto level = m.params.is_object() ? m.params.find("level") : m.params.end();
  int index = level != m.params.end() && level->is_string() ? LevelIndex(level->get<std::string>()) : -1;
  if (index < 0) {
    return Error(m.id, {kInvalidParams, "level must be one of debug, info, notice, warning, error, "
                                        "critical, alert, emergency", nullptr});
  }
  std::lock_guard<std::mutex> lock(mu_);
  log_level_ = index;
  return Result(m.id, Json::object());
}

void Session::CancelRequest(const Json& id) {
  if (!(id.is_string() || id.is_number())) return;
  std::shared_ptr<CallControl> control;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = in_flight_.find(IdKey(id));
    if (it == in_flight_.end()) return;  // done already, or never ours: ignored, as the spec says
    control = it->second;
  }
  control->Cancel();
}

void Session::Dispatch(const Message& m, std::shared_ptr<Reply> reply) {
  auto handler = Handlers().find(m.method);
  if (handler == Handlers().end()) {
    reply->Send(Error(m.id, {kMethodNotFound, absl::StrCat("method ", m.method, " is not served by aix"), nullptr}), true);
    return;
  }
  const std::string key = IdKey(m.id);
  auto control = std::make_shared<CallControl>();
  Call call;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      reply->Send(Error(m.id, {kInvalidRequest, "the session has ended", nullptr}), true);
      return;
    }
    if (in_flight_.count(key) != 0) {
      reply->Send(Error(m.id, {kInvalidRequest, "a request with this id is still in flight; ids must be unique", nullptr}), true);
      return;
    }
    if (in_flight_.size() >= kMaxInFlight) {
      reply->Send(Error(m.id, {kServerBusy, absl::StrCat(kMaxInFlight, " requests of this session are in flight; "
                                                         "wait for some answers before sending more"), nullptr}),
                  true);
      return;
    }
    in_flight_[key] = control;
    call.version = version_;
  }
  call.backend = hub_->backend();
  call.control = control.get();
  call.params = m.params.is_object() ? m.params : Json::object();
  Json token = nullptr;
  if (auto meta = call.params.find("_meta"); meta != call.params.end() && meta->is_object()) {
    if (auto t = meta->find("progressToken"); t != meta->end() && (t->is_string() || t->is_number())) token = *t;
  }
  std::weak_ptr<Session> weak = weak_from_this();
  double last_progress = 0;
  call.progress = [reply, token, last_progress](double progress, const std::string& message) mutable {
    if (token.is_null() || progress <= last_progress) return;  // progress must increase
    last_progress = progress;
    reply->Send(Notification("notifications/progress",
                             Json{{"progressToken", token}, {"progress", progress}, {"message", message}}),
                false);
  };
  call.log = [reply, weak](absl::string_view level, const std::string& text) {
    auto self = weak.lock();
    if (self == nullptr) return;
    int index = LevelIndex(level);
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      if (index < self->log_level_) return;
    }
    reply->Send(Notification("notifications/message",
                             Json{{"level", std::string(level)}, {"logger", "aix"}, {"data", text}}),
                false);
  };
  const Json id = m.id;
  const Handler& work = handler->second;
  absl::Status spawned = hub_->Spawn([self = shared_from_this(), call = std::move(call), control, reply, id, key, &work] {
    absl::StatusOr<Json> result = absl::InternalError("the request failed");
    if (call.backend == nullptr) {
      result = absl::UnavailableError("aixd is starting; send the request again");
    } else {
      result = work(call);
    }
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->in_flight_.erase(key);
    }
    if (control->cancelled()) {
      reply->Send("", true);  // a cancelled request is answered by nobody
    } else if (result.ok()) {
      reply->Send(Result(id, *std::move(result)), true);
    } else {
      reply->Send(Error(id, ErrorFor(result.status())), true);
    }
  });
  if (!spawned.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_.erase(key);
    }
    reply->Send(Error(id, {kInternalError, std::string(spawned.message()), nullptr}), true);
  }
}

}  // namespace aix::mcp
