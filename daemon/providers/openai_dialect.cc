// OpenAI chat completions: OpenAI, OpenRouter and OpenAI-compatible
// gateways (Ollama, vLLM, ...).
#include "daemon/providers/openai_dialect.h"

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
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
}

class OpenAiDialect : public Dialect {
 public:
  http::HttpRequest BuildRequest(const Endpoint& e, const ChatRequest& chat,
                                 const std::string& key) const override {
    http::HttpRequest r = BaseRequest(e, key);
    r.headers.push_back("Content-Type: application/json");
    if (chat.stream) r.headers.push_back("Accept: text/event-stream");
    Json messages = Json::array();
    if (!chat.system.empty()) messages.push_back({{"role", "system"}, {"content", chat.system}});
    for (const Turn& t : TurnsOf(chat)) messages.push_back({{"role", t.role}, {"content", t.content}});
    Json body = {{"model", chat.model},       {"max_tokens", chat.max_tokens},
                 {"temperature", chat.temperature}, {"stream", chat.stream},
                 {"messages", messages}};
    if (chat.stream) body["stream_options"] = {{"include_usage", true}};
    r.url = e.chat_url;
    r.body = JsonText(body);
    return r;
  }

  absl::Status OnEvent(const http::SseEvent& event, Reply* reply,
                       std::string* delta) const override {
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
    if (auto text = StringField(ObjectField(choice, "delta"), "content")) {
      *delta += *text;
    }
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
