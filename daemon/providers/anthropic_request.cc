#include "daemon/providers/anthropic_request.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/providers/chat_fields.h"
#include "daemon/providers/json_fields.h"

namespace aix::providers {
namespace {

constexpr absl::string_view kRouteElsewhere =
    "; leave it out, or send the request to an OpenAI-compatible provider "
    "(openai/MODEL, openrouter/MODEL, custom:NAME/MODEL)";

absl::Status NoCounterpart(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " has no counterpart in Anthropic's Messages API", kRouteElsewhere));
}

// At reads a member of a member, or null: a checked request has every one
// of them, and this code must not trust that it was checked.
const Json& At(const Json& j, const char* key) {
  static const Json* none = new Json();
  const Json* m = Member(j, key);
  return m == nullptr ? *none : *m;
}

std::string Text(const Json* j) { return j != nullptr && j->is_string() ? j->get<std::string>() : ""; }

absl::StatusOr<Json> ImageBlock(const Json& part) {
  const Json* image = Member(part, "image_url");
  const std::string url = image == nullptr ? "" : Text(Member(*image, "url"));
  if (std::optional<DataUrl> d = ParseDataUrl(url)) {
    return Json{{"type", "image"},
                {"source", {{"type", "base64"}, {"media_type", d->media_type},
                            {"data", std::string(d->data)}}}};
  }
  return Json{{"type", "image"}, {"source", {{"type", "url"}, {"url", url}}}};
}

// Blocks is a message's content as Anthropic content blocks.
absl::StatusOr<Json> Blocks(const Json& message) {
  Json blocks = Json::array();
  const Json* content = Member(message, "content");
  if (content == nullptr) return blocks;
  if (content->is_string()) {
    if (!content->get_ref<const std::string&>().empty()) {
      blocks.push_back({{"type", "text"}, {"text", *content}});
    }
    return blocks;
  }
  if (!content->is_array()) return blocks;
  for (const Json& part : *content) {
    const std::string type = Text(Member(part, "type"));
    if (type == "text") {
      blocks.push_back({{"type", "text"}, {"text", Text(Member(part, "text"))}});
    } else if (type == "image_url") {
      AIX_ASSIGN_OR_RETURN(Json block, ImageBlock(part));
      blocks.push_back(std::move(block));
    } else {
      return NoCounterpart(absl::StrCat("a '", PrintableExcerpt(type, 40), "' content part"));
    }
  }
  return blocks;
}

absl::StatusOr<Json> AssistantBlocks(const Json& message) {
  AIX_ASSIGN_OR_RETURN(Json blocks, Blocks(message));
  if (const Json* calls = Member(message, "tool_calls"); calls != nullptr && calls->is_array()) {
    for (const Json& c : *calls) {
      const Json& f = At(c, "function");
      // Checked: arguments is a JSON object's text.
      Json input = Json::parse(Text(Member(f, "arguments")), nullptr, false);
      if (input.is_discarded() || !input.is_object()) input = Json::object();
      blocks.push_back({{"type", "tool_use"},
                        {"id", Text(Member(c, "id"))},
                        {"name", Text(Member(f, "name"))},
                        {"input", std::move(input)}});
    }
  }
  return blocks;
}

// Messages turns the conversation into Anthropic's: a tool message is a
// tool_result block of a user turn; consecutive results, and the user
// message after them, share one turn (results first, as the API wants).
absl::StatusOr<Json> Messages(const ChatRequest& chat) {
  Json out = Json::array();
  bool open_results = false;  // out.back() is a user turn that began with tool results
  for (const Turn& t : TurnsOf(chat)) {
    if (t.message.is_null()) {
      out.push_back({{"role", t.role}, {"content", t.content}});
      open_results = false;
      continue;
    }
    if (Member(t.message, "name") != nullptr) return NoCounterpart("a message's name");
    if (t.role == "tool") {
      Json result = {{"type", "tool_result"},
                     {"tool_use_id", Text(Member(t.message, "tool_call_id"))},
                     {"content", MessageText(t.message)}};
      if (!open_results) out.push_back({{"role", "user"}, {"content", Json::array()}});
      out.back()["content"].push_back(std::move(result));
      open_results = true;
      continue;
    }
    AIX_ASSIGN_OR_RETURN(Json blocks,
                         t.role == "assistant" ? AssistantBlocks(t.message) : Blocks(t.message));
    if (t.role == "user" && open_results) {
      for (Json& b : blocks) out.back()["content"].push_back(std::move(b));
    } else {
      out.push_back({{"role", t.role}, {"content", std::move(blocks)}});
    }
    open_results = false;
  }
  return out;
}

absl::Status Tools(const Json& options, Json* body) {
  const Json* tools = Member(options, "tools");
  if (tools == nullptr || tools->empty()) return absl::OkStatus();
  Json out = Json::array();
  if (!tools->is_array()) return absl::OkStatus();
  for (const Json& t : *tools) {
    const Json& f = At(t, "function");
    Json tool = {{"name", Text(Member(f, "name"))}};
    if (const Json* d = Member(f, "description")) tool["description"] = *d;
    const Json* params = Member(f, "parameters");
    tool["input_schema"] = params != nullptr ? *params : Json{{"type", "object"}, {"properties", Json::object()}};
    out.push_back(std::move(tool));
  }
  (*body)["tools"] = std::move(out);
  return absl::OkStatus();
}

Json ToolChoice(const Json& choice) {
  if (choice == "required") return {{"type", "any"}};
  if (choice == "none") return {{"type", "none"}};
  if (choice.is_object()) return {{"type", "tool"}, {"name", Text(Member(At(choice, "function"), "name"))}};
  return {{"type", "auto"}};
}

// StructuredOutput asks for the answer as the input of a forced tool.
absl::Status StructuredOutput(const Json& format, Json* body) {
  const std::string type = Text(Member(format, "type"));
  if (type.empty() || type == "text") return absl::OkStatus();
  if (body->contains("tools")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "response_format together with tools cannot go to Anthropic: aixd asks Anthropic for "
        "structured output through a tool of its own (", kAnswerTool,
        ") that the model must call; send one or the other"));
  }
  Json schema = {{"type", "object"}};
  std::string description = "Give your whole answer as this tool's input.";
  if (type == "json_schema") {
    const Json& js = At(format, "json_schema");
    if (const Json* s = Member(js, "schema")) schema = *s;
    if (const Json* d = Member(js, "description"); d != nullptr && d->is_string()) {
      description += " " + d->get<std::string>();
    }
    if (Text(Member(schema, "type")) != "object") {
      return absl::InvalidArgumentError(
          "response_format.json_schema.schema must describe an object (\"type\": \"object\") for "
          "Anthropic: its structured answers are a tool's input, which is an object");
    }
  }
  (*body)["tools"] = Json::array(
      {{{"name", kAnswerTool}, {"description", description}, {"input_schema", std::move(schema)}}});
  (*body)["tool_choice"] = {{"type", "tool"}, {"name", kAnswerTool}};
  return absl::OkStatus();
}

}  // namespace

std::string AnswerToolFor(const ChatRequest& chat) {
  const Json* format = Member(chat.options, "response_format");
  const std::string type = format == nullptr ? "" : Text(Member(*format, "type"));
  return type == "json_object" || type == "json_schema" ? kAnswerTool : "";
}

absl::StatusOr<Json> AnthropicBody(const ChatRequest& chat) {
  AIX_ASSIGN_OR_RETURN(Json messages, Messages(chat));
  Json body = {{"model", chat.model},
               {"max_tokens", chat.max_tokens},
               {"temperature", chat.temperature},
               {"stream", chat.stream},
               {"messages", std::move(messages)}};
  if (!chat.system.empty()) body["system"] = chat.system;  // top level, not a message
  const Json& o = chat.options;
  for (auto it = o.begin(); it != o.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (v.is_null()) continue;
    if (k == "top_p" || k == "top_k") {
      body[k] = v;
    } else if (k == "max_completion_tokens") {
      body["max_tokens"] = v;
    } else if (k == "stop") {
      body["stop_sequences"] = v.is_string() ? Json::array({v}) : v;
    } else if (k == "user") {
      body["metadata"] = {{"user_id", v}};
    } else if (k == "n" || k == "tools" || k == "tool_choice" || k == "parallel_tool_calls" ||
               k == "response_format") {
      // n is 1 (checked); the rest are handled below.
    } else if ((k == "logprobs" || k == "top_logprobs") && (v == false || v == 0)) {
      // Asking for none is what Anthropic does anyway.
    } else {
      return NoCounterpart(absl::StrCat("the field ", PrintableExcerpt(k, 64)));
    }
  }
  AIX_RETURN_IF_ERROR(Tools(o, &body));
  if (body.contains("tools")) {
    Json choice = ToolChoice(At(o, "tool_choice"));
    if (const Json* p = Member(o, "parallel_tool_calls"); p != nullptr && *p == false &&
                                                          choice["type"] != "none") {
      choice["disable_parallel_tool_use"] = true;
    }
    body["tool_choice"] = std::move(choice);
  }
  if (const Json* rf = Member(o, "response_format")) AIX_RETURN_IF_ERROR(StructuredOutput(*rf, &body));
  return body;
}

}  // namespace aix::providers
