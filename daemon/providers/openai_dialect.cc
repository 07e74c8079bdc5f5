// OpenAI chat completions: OpenAI, OpenRouter and OpenAI-compatible
// gateways (Ollama, vLLM, ...).
#include "daemon/providers/openai_dialect.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/providers/json_fields.h"

namespace aix::providers {
namespace {

void ReadUsage(const Json& j, Reply* reply) {
  const Json* usage = ObjectField(&j, "usage");
  if (usage == nullptr) return;
  // null counts (some gateways send them) leave what we had.
  if (auto n = CountField(usage, "prompt_tokens")) reply->prompt_tokens = *n;
  if (auto n = CountField(usage, "completion_tokens")) reply->completion_tokens = *n;
  // OpenRouter's cost, in credits, when asked for (usage.include).
  if (const Json* cost = Field(usage, "cost");
      cost != nullptr && cost->is_number() && std::isfinite(cost->get<double>()) && cost->get<double>() >= 0) {
    reply->cost = cost->get<double>();
  }
}

// ToolCalls reads tool_calls, streamed pieces or whole calls: each
// {index?, id?, function: {name?, arguments?}}; a whole reply's calls have
// no index but their place.
absl::Status ToolCalls(const Json* calls, absl::string_view data, std::vector<ToolCallDelta>* out) {
  if (calls == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < calls->size(); ++i) {
    const Json& c = (*calls)[i];
    if (!c.is_object()) return MalformedReply("a tool call that is not an object", data);
    ToolCallDelta t;
    const Json* index = Field(c, "index");
    if (index != nullptr) {
      std::optional<int64_t> n = CountField(&c, "index");
      if (!n || *n >= static_cast<int64_t>(kMaxToolCalls)) {
        return MalformedReply("a tool call whose index is not a count below 1024", data);
      }
      t.index = static_cast<int>(*n);
    } else {
      if (i >= kMaxToolCalls) return MalformedReply("more than 1024 tool calls", data);
      t.index = static_cast<int>(i);
    }
    t.id = StringField(&c, "id").value_or("");
    const Json* f = ObjectField(&c, "function");
    t.name = StringField(f, "name").value_or("");
    t.arguments = StringField(f, "arguments").value_or("");
    out->push_back(std::move(t));
  }
  return absl::OkStatus();
}

class OpenAiDialect : public Dialect {
 public:
  absl::StatusOr<http::HttpRequest> BuildRequest(const Endpoint& e, const ChatRequest& chat,
                                                 const std::string& key) const override {
    http::HttpRequest r = BaseRequest(e, key);
    r.headers.push_back("Content-Type: application/json");
    if (chat.stream) r.headers.push_back("Accept: text/event-stream");
    Json messages = Json::array();
    if (!chat.system.empty()) messages.push_back({{"role", "system"}, {"content", chat.system}});
    for (const Turn& t : TurnsOf(chat)) {
      messages.push_back(t.message.is_null() ? Json{{"role", t.role}, {"content", t.content}}
                                             : t.message);
    }
    // The caller's options go as sent; aixd's own fields are set over them.
    Json body = chat.options.is_object() ? chat.options : Json::object();
    body["model"] = chat.model;
    body["temperature"] = chat.temperature;
    body["stream"] = chat.stream;
    body["messages"] = std::move(messages);
    // Newer OpenAI models take only max_completion_tokens; a caller that
    // sends it gets it instead of max_tokens.
    if (!body.contains("max_completion_tokens")) body["max_tokens"] = chat.max_tokens;
    if (chat.stream) body["stream_options"] = {{"include_usage", true}};
    // OpenRouter says what a run cost when asked.
    if (e.provider == "openrouter" && !body.contains("usage")) body["usage"] = {{"include", true}};
    r.url = e.chat_url;
    r.body = JsonText(body);
    return r;
  }

  absl::Status OnEvent(const http::SseEvent& event, Reply* reply, Delta* delta) const override {
    if (event.data == "[DONE]") {
      reply->finished = true;
      return absl::OkStatus();
    }
    std::optional<Json> j = ParseUntrusted(event.data);
    if (!j || !j->is_object()) return MalformedReply("a malformed stream event", event.data);
    if (const Json* error = Field(*j, "error"); error != nullptr && !error->is_null()) {
      return absl::AbortedError(
          absl::StrCat("the provider failed mid-answer: ", ProviderMessage(event.data)));
    }
    ReadUsage(*j, reply);
    const Json* choice = FirstElement(ArrayField(&*j, "choices"));
    if (choice == nullptr) return absl::OkStatus();  // usage-only or keep-alive chunk
    // content may be null (tool calls, refusals) or absent: no text.
    const Json* d = ObjectField(choice, "delta");
    if (auto text = StringField(d, "content")) delta->text += *text;
    AIX_RETURN_IF_ERROR(ToolCalls(ArrayField(d, "tool_calls"), event.data, &delta->tool_calls));
    if (auto reason = StringField(choice, "finish_reason")) reply->finish_reason = *reason;
    return absl::OkStatus();
  }

  absl::Status OnBody(absl::string_view body, Reply* reply) const override {
    std::optional<Json> j = ParseUntrusted(body);
    if (!j || !j->is_object()) return MalformedReply("a reply that is not a JSON object", body);
    if (const Json* error = Field(*j, "error"); error != nullptr && !error->is_null()) {
      return absl::AbortedError(
          absl::StrCat("the provider reported an error: ", ProviderMessage(body)));
    }
    const Json* choice = FirstElement(ArrayField(&*j, "choices"));
    if (choice == nullptr || !choice->is_object()) {
      return MalformedReply("a reply without choices", body);
    }
    const Json* message = Field(choice, "message");
    if (message == nullptr || !message->is_object()) {
      return MalformedReply("a reply whose choice has no message object", body);
    }
    const Json* content = Field(message, "content");
    if (content != nullptr && !content->is_null() && !content->is_string()) {
      return MalformedReply("a reply whose content is not text", body);
    }
    // null content is an answer without text (a tool call or a refusal).
    reply->text = content != nullptr && content->is_string() ? content->get<std::string>() : "";
    if (auto refusal = StringField(message, "refusal"); refusal && reply->text.empty()) {
      reply->text = *refusal;
    }
    reply->finish_reason = StringField(choice, "finish_reason").value_or("");
    AIX_RETURN_IF_ERROR(ToolCalls(ArrayField(message, "tool_calls"), body, &reply->tool_calls));
    ReadUsage(*j, reply);
    reply->finished = true;
    return absl::OkStatus();
  }
};

}  // namespace

const Dialect& OpenAiDialectInstance() {
  static const OpenAiDialect* d = new OpenAiDialect;
  return *d;
}

}  // namespace aix::providers
