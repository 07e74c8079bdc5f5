// Anthropic Messages: named stream events, a top-level system prompt.
#include "daemon/providers/anthropic_dialect.h"

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/text.h"
#include "daemon/providers/json_fields.h"

namespace aix::providers {
namespace {

class AnthropicDialect : public Dialect {
 public:
  http::HttpRequest BuildRequest(const Endpoint& e, const ChatRequest& chat,
                                 const std::string& key) const override {
    http::HttpRequest r = BaseRequest(e, key);
    r.headers.push_back("Content-Type: application/json");
    if (chat.stream) r.headers.push_back("Accept: text/event-stream");
    Json messages = Json::array();
    for (const Turn& t : TurnsOf(chat)) messages.push_back({{"role", t.role}, {"content", t.content}});
    Json body = {{"model", chat.model},
                 {"max_tokens", chat.max_tokens},
                 {"temperature", chat.temperature},
                 {"stream", chat.stream},
                 {"messages", std::move(messages)}};
    if (!chat.system.empty()) body["system"] = chat.system;  // top level, not a message
    r.url = e.chat_url;
    r.body = JsonText(body);
    return r;
  }

  absl::Status OnEvent(const http::SseEvent& event, Reply* reply,
                       std::string* delta) const override {
    if (event.type == "ping" || event.type == "content_block_start" ||
        event.type == "content_block_stop") {
      return absl::OkStatus();
    }
    std::optional<Json> j = ParseUntrusted(event.data);
    if (!j || !j->is_object()) return MalformedReply("a malformed stream event", event.data);
    if (event.type == "error") {
      return absl::AbortedError(
          absl::StrCat("the provider failed mid-answer: ", ProviderMessage(event.data)));
    }
    if (event.type == "message_start") {
      const Json* message = Field(*j, "message");
      if (message == nullptr || !message->is_object()) {
        return MalformedReply("a message_start event without a message object", event.data);
      }
      if (auto n = CountField(ObjectField(message, "usage"), "input_tokens")) {
        reply->prompt_tokens = *n;
      }
    } else if (event.type == "content_block_delta") {
      const Json* d = ObjectField(&*j, "delta");
      // input_json_delta, thinking_delta and signature_delta carry no answer text.
      if (StringField(d, "type").value_or("") == "text_delta") {
        const Json* text = Field(d, "text");
        if (text == nullptr || !text->is_string()) {
          return MalformedReply("a text_delta whose text is not a string", event.data);
        }
        *delta += text->get_ref<const std::string&>();
      }
    } else if (event.type == "message_delta") {
      if (auto reason = StringField(ObjectField(&*j, "delta"), "stop_reason")) {
        reply->finish_reason = *reason;
      }
      if (auto n = CountField(ObjectField(&*j, "usage"), "output_tokens")) {
        reply->completion_tokens = *n;
      }
    } else if (event.type == "message_stop") {
      reply->finished = true;
    }
    return absl::OkStatus();
  }

  absl::Status OnBody(absl::string_view body, Reply* reply) const override {
    std::optional<Json> j = ParseUntrusted(body);
    if (!j || !j->is_object()) return MalformedReply("a reply that is not a JSON object", body);
    if (StringField(&*j, "type").value_or("") == "error") {
      return absl::AbortedError(
          absl::StrCat("the provider reported an error: ", ProviderMessage(body)));
    }
    const Json* content = ArrayField(&*j, "content");
    if (content == nullptr) return MalformedReply("a reply without a content list", body);
    std::string text;
    for (const Json& block : *content) {
      if (StringField(&block, "type").value_or("") != "text") continue;
      auto piece = StringField(&block, "text");
      if (!piece) return MalformedReply("a text block whose text is not a string", body);
      text += *piece;
    }
    reply->text = std::move(text);
    reply->finish_reason = StringField(&*j, "stop_reason").value_or("");
    const Json* usage = ObjectField(&*j, "usage");
    if (auto n = CountField(usage, "input_tokens")) reply->prompt_tokens = *n;
    if (auto n = CountField(usage, "output_tokens")) reply->completion_tokens = *n;
    reply->finished = true;
    return absl::OkStatus();
  }
};

}  // namespace

const Dialect& AnthropicDialectInstance() {
  static const AnthropicDialect* d = new AnthropicDialect;
  return *d;
}

}  // namespace aix::providers
