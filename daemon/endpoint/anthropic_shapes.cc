#include "daemon/endpoint/anthropic_shapes.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/providers/chat_fields.h"
#include "daemon/providers/json_fields.h"

namespace aix::endpoint {
namespace {

using providers::InvalidField;
using providers::Member;

using Json = nlohmann::json;

bool IsType(const Json& block, const char* type) {
  const Json* t = Member(block, "type");
  return t != nullptr && t->is_string() && *t == type;
}

std::string TypeOf(const Json& block) {
  const Json* t = Member(block, "type");
  return t != nullptr && t->is_string() ? PrintableExcerpt(t->get<std::string>(), 40) : "?";
}

absl::Status NotHere(std::string* param, const std::string& field, absl::string_view what) {
  return InvalidField(param, field,
                 absl::StrCat(field, " is ", what,
                              ", which aixd's Messages endpoint does not take; leave it out"));
}

// TextOf reads content that must be text: a string, or text blocks.
absl::StatusOr<std::string> TextOf(const Json& content, const std::string& field, std::string* param) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) {
    return InvalidField(param, field, absl::StrCat(field, " must be a string or an array of text blocks"));
  }
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const Json* t = Member(content[i], "text");
    if (!IsType(content[i], "text") || t == nullptr || !t->is_string()) {
      return NotHere(param, absl::StrCat(field, "[", i, "]"),
                     absl::StrCat("a '", TypeOf(content[i]), "' block where text belongs"));
    }
    text += t->get_ref<const std::string&>();
  }
  return text;
}

absl::StatusOr<Json> ImagePart(const Json& block, const std::string& field, std::string* param) {
  const Json* source = Member(block, "source");
  const Json* type = source == nullptr ? nullptr : Member(*source, "type");
  std::string url;
  if (type != nullptr && *type == "base64") {
    const Json* media = Member(*source, "media_type");
    const Json* data = Member(*source, "data");
    if (media == nullptr || !media->is_string() || data == nullptr || !data->is_string()) {
      return InvalidField(param, field + ".source",
                     absl::StrCat(field, ".source needs media_type and data (base64)"));
    }
    url = absl::StrCat("data:", media->get<std::string>(), ";base64,", data->get<std::string>());
  } else if (type != nullptr && *type == "url" && Member(*source, "url") != nullptr &&
             Member(*source, "url")->is_string()) {
    url = Member(*source, "url")->get<std::string>();
  } else {
    return InvalidField(param, field + ".source",
                   absl::StrCat(field, ".source must be {type: base64, media_type, data} or "
                                       "{type: url, url}"));
  }
  return Json{{"type", "image_url"}, {"image_url", {{"url", std::move(url)}}}};
}

// UserTurn: tool results become tool messages (first, as Anthropic puts
// them first), the other blocks one user message.
absl::Status UserTurn(const Json& content, const std::string& field, Json* out, std::string* param) {
  if (content.is_string()) {
    out->push_back({{"role", "user"}, {"content", content}});
    return absl::OkStatus();
  }
  if (!content.is_array()) {
    return InvalidField(param, field, absl::StrCat(field, " must be a string or an array of blocks"));
  }
  Json parts = Json::array();
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& block = content[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (IsType(block, "text")) {
      AIX_ASSIGN_OR_RETURN(std::string text, TextOf(Json::array({block}), f, param));
      parts.push_back({{"type", "text"}, {"text", std::move(text)}});
    } else if (IsType(block, "image")) {
      AIX_ASSIGN_OR_RETURN(Json part, ImagePart(block, f, param));
      parts.push_back(std::move(part));
    } else if (IsType(block, "tool_result")) {
      const Json* id = Member(block, "tool_use_id");
      if (id == nullptr || !id->is_string()) {
        return InvalidField(param, f + ".tool_use_id", absl::StrCat(f, " has no tool_use_id"));
      }
      const Json* result = Member(block, "content");
      std::string text;
      if (result != nullptr) {
        AIX_ASSIGN_OR_RETURN(text, TextOf(*result, f + ".content", param));
      }
      const Json* is_error = Member(block, "is_error");
      if (is_error != nullptr && *is_error == true) text = "Error: " + text;
      out->push_back({{"role", "tool"}, {"tool_call_id", *id}, {"content", std::move(text)}});
    } else {
      return NotHere(param, f, absl::StrCat("a '", TypeOf(block), "' block"));
    }
  }
  if (!parts.empty()) out->push_back({{"role", "user"}, {"content", std::move(parts)}});
  return absl::OkStatus();
}

absl::Status AssistantTurn(const Json& content, const std::string& field, Json* out,
                           std::string* param) {
  if (content.is_string()) {
    out->push_back({{"role", "assistant"}, {"content", content}});
    return absl::OkStatus();
  }
  if (!content.is_array()) {
    return InvalidField(param, field, absl::StrCat(field, " must be a string or an array of blocks"));
  }
  std::string text;
  Json calls = Json::array();
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& block = content[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (IsType(block, "text")) {
      AIX_ASSIGN_OR_RETURN(std::string piece, TextOf(Json::array({block}), f, param));
      text += piece;
    } else if (IsType(block, "tool_use")) {
      const Json* id = Member(block, "id");
      const Json* name = Member(block, "name");
      const Json* input = Member(block, "input");
      if (id == nullptr || !id->is_string() || name == nullptr || !name->is_string() ||
          (input != nullptr && !input->is_object())) {
        return InvalidField(param, f, absl::StrCat(f, " must be a tool_use block with id, name and an input object"));
      }
      calls.push_back({{"id", *id},
                       {"type", "function"},
                       {"function", {{"name", *name},
                                     {"arguments", input == nullptr ? "{}" : JsonText(*input)}}}});
    } else {
      return NotHere(param, f, absl::StrCat("a '", TypeOf(block), "' block"));
    }
  }
  Json m = {{"role", "assistant"}, {"content", text.empty() && !calls.empty() ? Json() : Json(text)}};
  if (!calls.empty()) m["tool_calls"] = std::move(calls);
  out->push_back(std::move(m));
  return absl::OkStatus();
}

absl::Status Tools(const Json& tools, Json* doc, std::string* param) {
  if (!tools.is_array()) return InvalidField(param, "tools", "tools must be an array");
  Json out = Json::array();
  for (size_t i = 0; i < tools.size(); ++i) {
    const Json& t = tools[i];
    const std::string f = absl::StrCat("tools[", i, "]");
    if (Member(t, "type") != nullptr && !IsType(t, "custom")) {
      return NotHere(param, f + ".type",
                     absl::StrCat("a '", TypeOf(t), "' tool (one Anthropic runs on its servers)"));
    }
    Json function = {{"name", t.is_object() && t.contains("name") ? t["name"] : Json()}};
    if (const Json* d = Member(t, "description")) function["description"] = *d;
    if (const Json* s = Member(t, "input_schema")) function["parameters"] = *s;
    out.push_back({{"type", "function"}, {"function", std::move(function)}});
  }
  (*doc)["tools"] = std::move(out);
  return absl::OkStatus();
}

absl::Status ToolChoice(const Json& choice, Json* doc, std::string* param) {
  const Json* type = Member(choice, "type");
  const std::string t = type != nullptr && type->is_string() ? type->get<std::string>() : "";
  if (t == "auto") {
    (*doc)["tool_choice"] = "auto";
  } else if (t == "any") {
    (*doc)["tool_choice"] = "required";
  } else if (t == "none") {
    (*doc)["tool_choice"] = "none";
  } else if (t == "tool" && Member(choice, "name") != nullptr) {
    (*doc)["tool_choice"] = {{"type", "function"}, {"function", {{"name", choice["name"]}}}};
  } else {
    return InvalidField(param, "tool_choice",
                   "tool_choice must be {type: auto}, {type: any}, {type: none} or {type: tool, name}");
  }
  if (const Json* p = Member(choice, "disable_parallel_tool_use"); p != nullptr && *p == true) {
    (*doc)["parallel_tool_calls"] = false;
  }
  return absl::OkStatus();
}

absl::Status Format(const Json& format, const std::string& field, Json* doc, std::string* param) {
  const Json* schema = Member(format, "schema");
  if (!IsType(format, "json_schema") || schema == nullptr) {
    return InvalidField(param, field, absl::StrCat(field, " must be {type: json_schema, schema}"));
  }
  (*doc)["response_format"] = {
      {"type", "json_schema"},
      {"json_schema", {{"name", "output"}, {"schema", *schema}, {"strict", true}}}};
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Json> AsChatCompletions(const Json& req, std::string* param) {
  param->clear();
  Json doc = Json::object();
  Json messages = Json::array();
  for (auto it = req.begin(); it != req.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "model" || k == "stream" || k == "temperature" || k == "top_p" || k == "top_k" ||
        k == "max_tokens") {
      doc[k] = v;
    } else if (k == "messages" || k == "system") {
      // below, in order
    } else if (k == "stop_sequences") {
      doc["stop"] = v;
    } else if (k == "metadata") {
      if (!v.is_object()) return InvalidField(param, k, "metadata must be an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (m.key() != "user_id") return NotHere(param, "metadata." + m.key(), "a metadata field");
        if (!m->is_null()) doc["user"] = *m;
      }
    } else if (k == "tools") {
      AIX_RETURN_IF_ERROR(Tools(v, &doc, param));
    } else if (k == "tool_choice") {
      AIX_RETURN_IF_ERROR(ToolChoice(v, &doc, param));
    } else if (k == "output_format") {
      AIX_RETURN_IF_ERROR(Format(v, k, &doc, param));
    } else if (k == "output_config") {
      if (!v.is_object()) return InvalidField(param, k, "output_config must be an object");
      for (auto c = v.begin(); c != v.end(); ++c) {
        if (c.key() != "format") return NotHere(param, "output_config." + c.key(), "an output setting");
        AIX_RETURN_IF_ERROR(Format(*c, "output_config.format", &doc, param));
      }
    } else {
      return NotHere(param, PrintableExcerpt(k, 64), "a field");
    }
  }
  const Json* max_tokens = Member(req, "max_tokens");
  if (max_tokens == nullptr) {
    return InvalidField(param, "max_tokens", "max_tokens is required (the Messages API asks for it)");
  }
  if (const Json* system = Member(req, "system")) {
    AIX_ASSIGN_OR_RETURN(std::string text, TextOf(*system, "system", param));
    messages.push_back({{"role", "system"}, {"content", std::move(text)}});
  }
  const Json* in = Member(req, "messages");
  if (in == nullptr || !in->is_array() || in->empty()) {
    return InvalidField(param, "messages", "messages must be a non-empty array of {role, content}");
  }
  for (size_t i = 0; i < in->size(); ++i) {
    const Json& m = (*in)[i];
    const std::string field = absl::StrCat("messages[", i, "]");
    const Json* role = Member(m, "role");
    const Json* content = Member(m, "content");
    if (content == nullptr) return InvalidField(param, field + ".content", absl::StrCat(field, " has no content"));
    if (role != nullptr && *role == "user") {
      AIX_RETURN_IF_ERROR(UserTurn(*content, field + ".content", &messages, param));
    } else if (role != nullptr && *role == "assistant") {
      AIX_RETURN_IF_ERROR(AssistantTurn(*content, field + ".content", &messages, param));
    } else {
      return InvalidField(param, field + ".role", absl::StrCat(field, ".role must be user or assistant"));
    }
  }
  doc["messages"] = std::move(messages);
  return doc;
}

absl::StatusOr<ChatCall> ParseMessagesCall(absl::string_view body, std::string* param) {
  param->clear();
  AIX_ASSIGN_OR_RETURN(Json req, ParseJsonBody(body, "a Messages request object"));
  AIX_ASSIGN_OR_RETURN(Json doc, AsChatCompletions(req, param));
  AIX_ASSIGN_OR_RETURN(ChatCall call, ParseChatDoc(std::move(doc), param));
  call.include_usage = true;  // Anthropic's stream always says its usage
  return call;
}

std::string StopReason(absl::string_view r) {
  if (r == "length" || r == "max_tokens") return "max_tokens";
  if (r == "tool_calls" || r == "tool_use") return "tool_use";
  if (r == "stop_sequence") return "stop_sequence";
  if (r == "content_filter" || r == "refusal") return "refusal";
  return "end_turn";  // stop, end_turn, or not said
}

std::string AnthropicErrorJson(int status, absl::string_view message) {
  const char* type = status == 401   ? "authentication_error"
                     : status == 403 ? "permission_error"
                     : status == 404 ? "not_found_error"
                     : status == 413 ? "request_too_large"
                     : status == 429 ? "rate_limit_error"
                     : status == 503 || status == 529 ? "overloaded_error"
                     : status >= 500 ? "api_error"
                                     : "invalid_request_error";
  return JsonText(Json{{"type", "error"},
                       {"error", {{"type", type}, {"message", std::string(message)}}}});
}

namespace {

Json Count(bool has, int64_t n) { return has ? Json(n) : Json(); }

Json Usage(const v1::RunDone& done) {
  // null, not 0, when the provider did not say.
  return {{"input_tokens", Count(done.has_prompt_tokens(), done.prompt_tokens())},
          {"output_tokens", Count(done.has_completion_tokens(), done.completion_tokens())}};
}

std::string Event(const char* name, Json data) {
  data["type"] = name;
  return absl::StrCat("event: ", name, "\ndata: ", JsonText(data), "\n\n");
}

// ToolInput is a call's arguments as the object Anthropic's tool_use holds.
Json ToolInput(const std::string& arguments) {
  Json input = Json::parse(arguments, nullptr, false);
  return input.is_object() ? input : Json::object();
}

class AnthropicAnswer final : public AnswerWriter {
 public:
  explicit AnthropicAnswer(const ChatCall& call) : id_(NewId("msg_aix")), model_(call.model) {}

  std::string Text(absl::string_view text) override {
    std::string out = Start();
    if (open_ != Open::kText) {
      out += Close();
      out += Event("content_block_start",
                   {{"index", index_}, {"content_block", {{"type", "text"}, {"text", ""}}}});
      open_ = Open::kText;
    }
    out += Event("content_block_delta", {{"index", index_},
                                         {"delta", {{"type", "text_delta"}, {"text", std::string(text)}}}});
    return out;
  }

  std::string ToolCall(const v1::ToolCallDelta& piece) override {
    std::string out = Start();
    // A new call opens a block; gateways that repeat a call's id in each
    // piece do not.
    const bool new_call = !piece.id().empty() && piece.id() != tool_id_;
    if (open_ != Open::kTool || tool_ != piece.index() || new_call) {
      out += Close();
      out += Event("content_block_start",
                   {{"index", index_},
                    {"content_block", {{"type", "tool_use"}, {"id", piece.id()},
                                       {"name", piece.name()}, {"input", Json::object()}}}});
      open_ = Open::kTool;
      tool_ = piece.index();
      tool_id_ = piece.id();
    }
    if (!piece.arguments().empty()) {
      out += Event("content_block_delta",
                   {{"index", index_},
                    {"delta", {{"type", "input_json_delta"}, {"partial_json", piece.arguments()}}}});
    }
    return out;
  }

  std::string End(const v1::RunDone& done) override {
    std::string out = Start() + Close();
    out += Event("message_delta",
                 {{"delta", {{"stop_reason", StopReason(done.finish_reason())}, {"stop_sequence", nullptr}}},
                  {"usage", Usage(done)}});
    out += Event("message_stop", Json::object());
    return out;
  }

  std::string StreamError(int http_status, absl::string_view message) override {
    return absl::StrCat("event: error\ndata: ", AnthropicErrorJson(http_status, message), "\n\n");
  }

  std::string Whole(absl::string_view text, const std::vector<v1::ToolCallDelta>& calls,
                    const v1::RunDone& done) override {
    Json content = Json::array();
    if (!text.empty() || calls.empty()) content.push_back({{"type", "text"}, {"text", std::string(text)}});
    for (const v1::ToolCallDelta& c : calls) {
      content.push_back({{"type", "tool_use"}, {"id", c.id()}, {"name", c.name()},
                         {"input", ToolInput(c.arguments())}});
    }
    Json m = Message(std::move(content));
    m["stop_reason"] = StopReason(done.finish_reason());
    m["usage"] = Usage(done);
    return JsonText(m);
  }

 private:
  enum class Open { kNone, kText, kTool };

  Json Message(Json content) const {
    return {{"id", id_},           {"type", "message"},     {"role", "assistant"},
            {"model", model_},     {"content", std::move(content)},
            {"stop_reason", nullptr}, {"stop_sequence", nullptr},
            {"usage", {{"input_tokens", nullptr}, {"output_tokens", nullptr}}}};
  }

  std::string Start() {
    if (started_) return "";
    started_ = true;
    return Event("message_start", {{"message", Message(Json::array())}});
  }

  std::string Close() {
    if (open_ == Open::kNone) return "";
    open_ = Open::kNone;
    return Event("content_block_stop", {{"index", index_++}});
  }

  const std::string id_;
  const std::string model_;
  bool started_ = false;
  Open open_ = Open::kNone;
  int index_ = 0;  // the open block's, or the next one's
  int tool_ = -1;  // the open tool_use block's call
  std::string tool_id_;
};

class MessagesApi final : public ClientApi {
 public:
  absl::StatusOr<ChatCall> Parse(absl::string_view body, std::string* param) const override {
    return ParseMessagesCall(body, param);
  }
  std::string ErrorBody(int http_status, absl::string_view message,
                        absl::string_view /*param*/) const override {
    return AnthropicErrorJson(http_status, message);
  }
  std::unique_ptr<AnswerWriter> NewAnswer(const ChatCall& call) const override {
    return std::make_unique<AnthropicAnswer>(call);
  }
};

}  // namespace

const ClientApi& AnthropicMessagesApi() {
  static const MessagesApi* api = new MessagesApi;
  return *api;
}

}  // namespace aix::endpoint
