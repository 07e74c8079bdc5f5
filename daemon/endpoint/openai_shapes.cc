#include "daemon/endpoint/openai_shapes.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/json_depth.h"
#include "common/json_text.h"
#include "common/provider_registry.h"
#include "common/text.h"

namespace aix::endpoint {
namespace {

using Json = nlohmann::json;

constexpr absl::string_view kSupported =
    "aixd's endpoint takes model, messages (text), stream, stream_options, max_tokens, "
    "max_completion_tokens and temperature";

absl::Status Invalid(std::string* param, absl::string_view field, absl::string_view why) {
  *param = std::string(field);
  return absl::InvalidArgumentError(std::string(why));
}

// TextOf reads a message's content: a string, or an array of text parts.
absl::StatusOr<std::string> TextOf(const Json& content, size_t index, std::string* param) {
  const std::string field = absl::StrCat("messages[", index, "].content");
  if (content.is_null()) return std::string();
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) {
    return Invalid(param, field, absl::StrCat(field, " must be a string or an array of text parts"));
  }
  std::string text;
  for (const Json& part : content) {
    const Json* type = part.is_object() && part.contains("type") ? &part["type"] : nullptr;
    if (type == nullptr || !type->is_string()) {
      return Invalid(param, field, absl::StrCat(field, " has a part without a type"));
    }
    if (*type != "text") {
      return Invalid(param, field,
                     absl::StrCat(field, " has a '", PrintableExcerpt(type->get<std::string>(), 40),
                                  "' part; only text parts are supported"));
    }
    auto t = part.find("text");
    if (t == part.end() || !t->is_string()) {
      return Invalid(param, field, absl::StrCat(field, " has a text part without text"));
    }
    text += t->get<std::string>();
  }
  return text;
}

// Route fills the run's provider and model (or prompt) from `model`.
void Route(const std::string& model, v1::RunRequest* run) {
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

}  // namespace

absl::StatusOr<ChatCall> ParseChatCall(absl::string_view body, std::string* param) {
  param->clear();
  if (!NestingWithin(body)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request body nests JSON more than ", kMaxJsonDepth,
        " levels deep; send a chat completions request object"));
  }
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(
        "the request body is not valid JSON; send a chat completions request object");
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError("the request body must be a JSON object");
  }
  ChatCall call;
  auto model = doc.find("model");
  if (model == doc.end() || model->is_null() || (model->is_string() && model->get<std::string>().empty())) {
    return Invalid(param, "model",
                   "model is required: PROVIDER/MODEL (openai/gpt-4o-mini), custom:NAME/MODEL, "
                   "prompt:NAME, or a model of the default provider (GET /v1/models lists some)");
  }
  if (!model->is_string()) return Invalid(param, "model", "model must be a string");
  call.model = model->get<std::string>();
  Route(call.model, &call.run);
  if (absl::StartsWith(call.model, "prompt:") && call.run.prompt().empty()) {
    return Invalid(param, "model", "prompt: needs a prompt name (prompt:NAME)");
  }

  auto messages = doc.find("messages");
  if (messages == doc.end() || !messages->is_array() || messages->empty()) {
    return Invalid(param, "messages", "messages must be a non-empty array of {role, content}");
  }
  std::vector<std::string> systems;
  std::string last_user;
  bool has_user = false, has_turn = false;
  for (size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    const std::string field = absl::StrCat("messages[", i, "]");
    if (!m.is_object()) return Invalid(param, field, absl::StrCat(field, " must be an object"));
    auto role = m.find("role");
    if (role == m.end() || !role->is_string()) {
      return Invalid(param, field + ".role", absl::StrCat(field, ".role must be a string"));
    }
    std::string r = role->get<std::string>();
    if (r == "developer") r = "system";
    if (r != "system" && r != "user" && r != "assistant") {
      return Invalid(param, field + ".role",
                     absl::StrCat(field, " has role '", PrintableExcerpt(r, 40),
                                  "'; aixd's endpoint takes system, developer, user and "
                                  "assistant messages (no tools)"));
    }
    if (m.contains("tool_calls") && !m["tool_calls"].is_null() && !m["tool_calls"].empty()) {
      return Invalid(param, field + ".tool_calls", "tool calls are not supported");
    }
    auto content = TextOf(m.contains("content") ? m["content"] : Json(), i, param);
    if (!content.ok()) return content.status();
    // The conversation goes to aixd as written (RunRequest.messages, whose
    // system turns the run joins into the system prompt).
    v1::ChatMessage* out = call.run.add_messages();
    out->set_role(r);
    out->set_content(*content);
    if (r == "system") {
      systems.push_back(*content);
    } else {
      has_turn = true;
    }
    if (r == "user") {
      last_user = *content;
      has_user = true;
    }
  }
  if (!has_turn) {
    return Invalid(param, "messages", "messages has no user message; add one with role user");
  }
  if (!call.run.prompt().empty()) {
    // A saved prompt is the conversation: its {input} is the last user
    // message, system messages replace its system prompt, and earlier turns
    // have no place in a template.
    if (!has_user) {
      return Invalid(param, "messages", absl::StrCat(call.model, " needs a user message: it fills {input}"));
    }
    call.run.clear_messages();
    call.run.set_stdin_input(last_user);
    if (!systems.empty()) call.run.set_system(absl::StrJoin(systems, "\n\n"));
  }

  for (const char* f : {"tools", "functions"}) {
    auto it = doc.find(f);
    if (it != doc.end() && !it->is_null() && !it->empty()) {
      return Invalid(param, f, absl::StrCat(f, " are not supported; ", kSupported));
    }
  }
  if (auto it = doc.find("n"); it != doc.end() && !it->is_null() && *it != 1) {
    return Invalid(param, "n", "n must be 1: aixd's endpoint returns one choice");
  }
  if (auto it = doc.find("stop"); it != doc.end() && !it->is_null() && !it->empty()) {
    return Invalid(param, "stop", absl::StrCat("stop sequences are not supported; ", kSupported));
  }
  if (auto it = doc.find("response_format"); it != doc.end() && !it->is_null()) {
    if (!it->is_object() || !it->contains("type") || (*it)["type"] != "text") {
      return Invalid(param, "response_format",
                     absl::StrCat("only response_format {\"type\": \"text\"} is supported; ", kSupported));
    }
  }
  if (auto it = doc.find("stream"); it != doc.end() && !it->is_null()) {
    if (!it->is_boolean()) return Invalid(param, "stream", "stream must be true or false");
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
      return Invalid(param, f, absl::StrCat(f, " must be an integer of 1 or more"));
    }
    call.run.set_max_tokens(it->get<int64_t>());
    break;
  }
  if (auto it = doc.find("temperature"); it != doc.end() && !it->is_null()) {
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0 ||
        it->get<double>() > 2) {
      return Invalid(param, "temperature", "temperature must be a number from 0 to 2");
    }
    call.run.set_temperature(it->get<double>());
  }
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
  return "stop";  // stop, end_turn, stop_sequence, or not said
}

namespace {

// Usage is null when the provider did not report it: a made-up 0 would be
// summed into someone's bill as a real count.
Json Usage(const v1::RunDone& done) {
  if (!done.has_prompt_tokens() || !done.has_completion_tokens()) return nullptr;
  return {{"prompt_tokens", done.prompt_tokens()},
          {"completion_tokens", done.completion_tokens()},
          {"total_tokens", done.prompt_tokens() + done.completion_tokens()}};
}

Json ChunkBase(const ReplyId& id) {
  return {{"id", id.id}, {"object", "chat.completion.chunk"}, {"created", id.created},
          {"model", id.model}};
}

std::string Event(const Json& j) { return absl::StrCat("data: ", JsonText(j), "\n\n"); }

}  // namespace

std::string CompletionJson(const ReplyId& id, absl::string_view text, const v1::RunDone& done) {
  Json message = {{"role", "assistant"}, {"content", std::string(text)}};
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

std::string ModelsJson(const std::vector<std::string>& ids, const std::vector<std::string>& owners) {
  Json data = Json::array();
  for (size_t i = 0; i < ids.size(); ++i) {
    data.push_back({{"id", ids[i]}, {"object", "model"}, {"created", 0},
                    {"owned_by", i < owners.size() ? owners[i] : "aixd"}});
  }
  return JsonText(Json{{"object", "list"}, {"data", data}});
}

}  // namespace aix::endpoint
