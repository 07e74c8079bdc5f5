#include "daemon/endpoint/openai_shapes.h"

#include <atomic>
#include <cmath>
#include <memory>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/json_depth.h"
#include "common/json_text.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/providers/chat_fields.h"

namespace aix::endpoint {
namespace {

using providers::InvalidField;

using Json = nlohmann::json;

}  // namespace

void RouteModel(const std::string& model, v1::RunRequest* run) {
  absl::string_view prompt = model;
  if (absl::ConsumePrefix(&prompt, "prompt:")) {
    run->set_prompt(std::string(prompt));
    return;
  }
  // "PROVIDER/MODEL" names a provider only when PROVIDER is one; other
  // slashes are part of a model's name ("meta-llama/llama-3.2-3b-instruct").
  registry::ProviderRef ref = registry::ParseRef(model);
  const bool named = model.find('/') != std::string::npos &&
                     registry::Find(ref.provider) != nullptr;
  if (named || registry::CustomName(ref.provider)) {
    run->set_provider(ref.provider);
    run->set_model(ref.model);
    return;
  }
  run->set_model(model);  // the default provider
}

absl::StatusOr<Json> ParseJsonBody(absl::string_view body, absl::string_view what) {
  if (!NestingWithin(body)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request body nests JSON more than ", kMaxJsonDepth, " levels deep; send ", what));
  }
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("the request body is not valid JSON; send ", what));
  }
  if (!doc.is_object()) return absl::InvalidArgumentError("the request body must be a JSON object");
  return doc;
}

absl::StatusOr<ChatCall> ParseChatCall(absl::string_view body, std::string* param) {
  param->clear();
  AIX_ASSIGN_OR_RETURN(Json doc, ParseJsonBody(body, "a chat completions request object"));
  return ParseChatDoc(std::move(doc), param);
}

absl::StatusOr<ChatCall> ParseChatDoc(Json doc, std::string* param) {
  param->clear();
  ChatCall call;
  auto model = doc.find("model");
  if (model == doc.end() || model->is_null() || (model->is_string() && model->get<std::string>().empty())) {
    return InvalidField(param, "model",
                   "model is required: PROVIDER/MODEL (openai/gpt-4o-mini), custom:NAME/MODEL, "
                   "prompt:NAME, or a model of the default provider (GET /v1/models lists some)");
  }
  if (!model->is_string()) return InvalidField(param, "model", "model must be a string");
  call.model = model->get<std::string>();
  RouteModel(call.model, &call.run);
  if (absl::StartsWith(call.model, "prompt:") && call.run.prompt().empty()) {
    return InvalidField(param, "model", "prompt: needs a prompt name (prompt:NAME)");
  }

  auto messages = doc.find("messages");
  if (messages == doc.end()) {
    return InvalidField(param, "messages", "messages must be a non-empty array of {role, content}");
  }
  AIX_RETURN_IF_ERROR(providers::CheckMessages(*messages, param));
  std::vector<std::string> systems;
  std::string last_user;
  bool has_user = false, has_turn = false, rich = false;
  for (const Json& m : *messages) {
    std::string role = m["role"].get<std::string>();
    if (role == "developer") role = "system";
    std::string text = providers::MessageText(m);
    // The conversation goes to aixd as written (RunRequest.messages, whose
    // system turns the run joins into the system prompt); a message with
    // more than text goes whole.
    v1::ChatMessage* out = call.run.add_messages();
    out->set_role(role);
    if (role != "system" && !providers::PlainMessage(m)) {
      out->set_message_json(JsonText(m));
      rich = true;
    }
    if (role == "system") {
      systems.push_back(text);
    } else {
      has_turn = true;
    }
    if (role == "user") {
      last_user = text;
      has_user = true;
    }
    out->set_content(std::move(text));
  }
  if (!has_turn) {
    return InvalidField(param, "messages", "messages has no user message; add one with role user");
  }
  if (!call.run.prompt().empty()) {
    // A saved prompt is the conversation: its {input} is the last user
    // message, system messages replace its system prompt, and earlier turns
    // have no place in a template.
    if (!has_user) {
      return InvalidField(param, "messages", absl::StrCat(call.model, " needs a user message: it fills {input}"));
    }
    if (rich) {
      return InvalidField(param, "messages",
                     absl::StrCat(call.model, " takes text messages: images, tool calls and tool "
                                  "results go with a model (PROVIDER/MODEL), not a saved prompt"));
    }
    call.run.clear_messages();
    call.run.set_stdin_input(last_user);
    if (!systems.empty()) call.run.set_system(absl::StrJoin(systems, "\n\n"));
  }

  if (auto it = doc.find("stream"); it != doc.end() && !it->is_null()) {
    if (!it->is_boolean()) return InvalidField(param, "stream", "stream must be true or false");
    call.stream = it->get<bool>();
  }
  if (auto it = doc.find("stream_options"); it != doc.end() && it->is_object()) {
    auto u = it->find("include_usage");
    if (u != it->end() && u->is_boolean()) call.include_usage = u->get<bool>();
  }
  for (const char* f : {"max_completion_tokens", "max_tokens"}) {
    auto it = doc.find(f);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 1) {
      return InvalidField(param, f, absl::StrCat(f, " must be an integer of 1 or more"));
    }
    call.run.set_max_tokens(it->get<int64_t>());
    break;
  }
  if (auto it = doc.find("temperature"); it != doc.end() && !it->is_null()) {
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0 ||
        it->get<double>() > 2) {
      return InvalidField(param, "temperature", "temperature must be a number from 0 to 2");
    }
    call.run.set_temperature(it->get<double>());
  }
  // Every other field goes on as an option: to the provider as sent, or
  // translated, or refused by name (providers/chat_fields.h).
  Json options = Json::object();
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!providers::OwnField(it.key()) && !it->is_null()) options[it.key()] = std::move(*it);
  }
  AIX_RETURN_IF_ERROR(providers::CheckOptions(options, param));
  if (!options.empty()) call.run.set_options_json(JsonText(options));
  return call;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kAborted: return 502;      // the provider failed
    case absl::StatusCode::kUnavailable: return 503;  // aixd itself cannot serve now
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

std::string ErrorJson(int http_status, absl::string_view message, absl::string_view param,
                      absl::string_view code) {
  const char* type = http_status == 401   ? "authentication_error"
                     : http_status == 403 ? "permission_error"
                     : http_status == 404 ? "not_found_error"
                     : http_status == 429 ? "rate_limit_error"
                     : http_status >= 500 ? "api_error"
                                          : "invalid_request_error";
  Json err = {{"message", std::string(message)},
              {"type", type},
              {"param", param.empty() ? Json() : Json(std::string(param))},
              {"code", code.empty() ? Json() : Json(std::string(code))}};
  return JsonText(Json{{"error", err}});
}

std::string FinishReason(absl::string_view r) {
  if (r == "length" || r == "max_tokens") return "length";
  if (r == "content_filter" || r == "tool_calls") return std::string(r);
  if (r == "tool_use") return "tool_calls";
  if (r == "refusal") return "content_filter";
  return "stop";  // stop, end_turn, stop_sequence, or not said
}

namespace {

// Usage is null when the provider did not report it: a made-up 0 would be
// summed into someone's bill as a real count.
Json Usage(const v1::RunDone& done) {
  if (!done.has_prompt_tokens() || !done.has_completion_tokens()) return nullptr;
  Json usage = {{"prompt_tokens", done.prompt_tokens()},
                {"completion_tokens", done.completion_tokens()},
                {"total_tokens", done.prompt_tokens() + done.completion_tokens()}};
  if (done.has_cost()) usage["cost"] = done.cost();  // as OpenRouter reports it
  return usage;
}

Json ChunkBase(const ReplyId& id) {
  return {{"id", id.id}, {"object", "chat.completion.chunk"}, {"created", id.created},
          {"model", id.model}};
}

std::string Event(const Json& j) { return absl::StrCat("data: ", JsonText(j), "\n\n"); }

}  // namespace

namespace {

Json ToolCallJson(const v1::ToolCallDelta& c, bool whole) {
  Json function = Json::object();
  if (whole || !c.name().empty()) function["name"] = c.name();
  function["arguments"] = c.arguments();
  Json j = {{"index", c.index()}, {"function", std::move(function)}};
  if (whole || !c.id().empty()) {
    j["id"] = c.id();
    j["type"] = "function";
  }
  if (whole) j.erase("index");
  return j;
}

}  // namespace

std::string CompletionJson(const ReplyId& id, absl::string_view text,
                           const std::vector<v1::ToolCallDelta>& calls, const v1::RunDone& done) {
  Json message = {{"role", "assistant"}, {"content", std::string(text)}};
  if (!calls.empty()) {
    Json list = Json::array();
    for (const v1::ToolCallDelta& c : calls) list.push_back(ToolCallJson(c, true));
    message["tool_calls"] = std::move(list);
    if (text.empty()) message["content"] = nullptr;  // as OpenAI sends a call without text
  }
  Json choice = {{"index", 0}, {"message", message}, {"logprobs", nullptr},
                 {"finish_reason", FinishReason(done.finish_reason())}};
  Json j = {{"id", id.id},           {"object", "chat.completion"},
            {"created", id.created}, {"model", id.model},
            {"choices", Json::array({choice})}, {"usage", Usage(done)}};
  return JsonText(j);
}

std::string ChunkEvent(const ReplyId& id, absl::string_view text, bool first) {
  Json delta = {{"content", std::string(text)}};
  if (first) delta["role"] = "assistant";
  Json j = ChunkBase(id);
  j["choices"] = Json::array({{{"index", 0}, {"delta", delta}, {"logprobs", nullptr},
                               {"finish_reason", nullptr}}});
  return Event(j);
}

std::string ToolCallEvent(const ReplyId& id, const v1::ToolCallDelta& call, bool first) {
  Json delta = {{"tool_calls", Json::array({ToolCallJson(call, false)})}};
  if (first) {
    delta["role"] = "assistant";
    delta["content"] = nullptr;
  }
  Json j = ChunkBase(id);
  j["choices"] = Json::array({{{"index", 0}, {"delta", delta}, {"logprobs", nullptr},
                               {"finish_reason", nullptr}}});
  return Event(j);
}

std::string FinalEvents(const ReplyId& id, const v1::RunDone& done, bool include_usage) {
  Json last = ChunkBase(id);
  last["choices"] = Json::array({{{"index", 0}, {"delta", Json::object()}, {"logprobs", nullptr},
                                  {"finish_reason", FinishReason(done.finish_reason())}}});
  std::string out = Event(last);
  if (include_usage) {
    Json usage = ChunkBase(id);
    usage["choices"] = Json::array();
    usage["usage"] = Usage(done);
    out += Event(usage);
  }
  out += "data: [DONE]\n\n";
  return out;
}

std::string ErrorEvent(int http_status, absl::string_view message) {
  return absl::StrCat("data: ", ErrorJson(http_status, message), "\n\n");
}

namespace {

Json Model(const std::string& id, const std::string& owner) {
  return {{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", owner}};
}

}  // namespace

std::string ModelsJson(const std::vector<std::string>& ids, const std::vector<std::string>& owners) {
  Json data = Json::array();
  for (size_t i = 0; i < ids.size(); ++i) {
    data.push_back(Model(ids[i], i < owners.size() ? owners[i] : "aixd"));
  }
  return JsonText(Json{{"object", "list"}, {"data", data}});
}

std::string ModelJson(const std::string& id, const std::string& owner) {
  return JsonText(Model(id, owner));
}

// A prefix, this process's start, a counter.
std::string NewId(absl::string_view prefix) {
  static const int64_t base = absl::ToUnixNanos(absl::Now());
  static std::atomic<uint64_t> next{0};
  return absl::StrCat(prefix, absl::Hex(base), absl::Hex(next.fetch_add(1)));
}

namespace {

class OpenAiAnswer final : public AnswerWriter {
 public:
  explicit OpenAiAnswer(const ChatCall& call)
      : id_{NewId("chatcmpl-aix"), absl::ToUnixSeconds(absl::Now()), call.model},
        include_usage_(call.include_usage) {}

  std::string Text(absl::string_view text) override { return ChunkEvent(id_, text, First()); }
  std::string ToolCall(const v1::ToolCallDelta& piece) override {
    return ToolCallEvent(id_, piece, First());
  }
  std::string End(const v1::RunDone& done) override { return FinalEvents(id_, done, include_usage_); }
  std::string StreamError(int http_status, absl::string_view message) override {
    return ErrorEvent(http_status, message);
  }
  std::string Whole(absl::string_view text, const std::vector<v1::ToolCallDelta>& calls,
                    const v1::RunDone& done) override {
    return CompletionJson(id_, text, calls, done);
  }

 private:
  bool First() {
    bool first = first_;
    first_ = false;
    return first;
  }

  const ReplyId id_;
  const bool include_usage_;
  bool first_ = true;
};

class OpenAiApi final : public ClientApi {
 public:
  absl::StatusOr<ChatCall> Parse(absl::string_view body, std::string* param) const override {
    return ParseChatCall(body, param);
  }
  std::string ErrorBody(int http_status, absl::string_view message,
                        absl::string_view param) const override {
    return ErrorJson(http_status, message, param);
  }
  std::unique_ptr<AnswerWriter> NewAnswer(const ChatCall& call) const override {
    return std::make_unique<OpenAiAnswer>(call);
  }
};

}  // namespace

const ClientApi& OpenAiChatApi() {
  static const OpenAiApi* api = new OpenAiApi;
  return *api;
}

}  // namespace aix::endpoint
