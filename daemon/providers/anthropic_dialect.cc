// Anthropic Messages: named stream events, a top-level system prompt.
#include "daemon/providers/anthropic_dialect.h"

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "daemon/providers/anthropic_request.h"
#include "common/text.h"
#include "daemon/providers/json_fields.h"

namespace aix::providers {
namespace {

// AnswerReason: a structured answer came as a forced tool call, but to the
// caller it is the answer, complete.
std::string AnswerReason(const Reply& reply, const std::string& reason) {
  return !reply.answer_tool.empty() && reason == "tool_use" ? "end_turn" : reason;
}

class AnthropicDialect : public Dialect {
 public:
  absl::StatusOr<http::HttpRequest> BuildRequest(const Endpoint& e, const ChatRequest& chat,
                                                 const std::string& key) const override {
    AIX_ASSIGN_OR_RETURN(Json body, AnthropicBody(chat));
    http::HttpRequest r = BaseRequest(e, key);
    r.headers.push_back("Content-Type: application/json");
    if (chat.stream) r.headers.push_back("Accept: text/event-stream");
    r.url = e.chat_url;
    r.body = JsonText(body);
    return r;
  }

  absl::Status Accepts(const ChatRequest& chat) const override {
    return AnthropicBody(chat).status();
  }

  Reply StartReply(const ChatRequest& chat) const override {
    Reply r;
    r.answer_tool = AnswerToolFor(chat);
    return r;
  }

  absl::Status OnEvent(const http::SseEvent& event, Reply* reply, Delta* delta) const override {
    if (event.type == "ping" || event.type == "content_block_stop") return absl::OkStatus();
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
    } else if (event.type == "content_block_start") {
      const Json* block = ObjectField(&*j, "content_block");
      if (StringField(block, "type").value_or("") == "tool_use") {
        auto index = CountField(&*j, "index");
        if (!index) return MalformedReply("a tool_use block without an index", event.data);
        if (reply->tool_blocks.size() >= kMaxToolCalls) {
          return MalformedReply("more than 1024 tool calls", event.data);
        }
        const std::string name = StringField(block, "name").value_or("");
        if (!reply->answer_tool.empty() && name == reply->answer_tool) {
          reply->tool_blocks[*index] = -1;
        } else {
          const int call = reply->tools_seen++;
          reply->tool_blocks[*index] = call;
          delta->tool_calls.push_back({call, StringField(block, "id").value_or(""), name, ""});
        }
      }
    } else if (event.type == "content_block_delta") {
      const Json* d = ObjectField(&*j, "delta");
      const std::string type = StringField(d, "type").value_or("");
      // thinking_delta and signature_delta carry no answer.
      if (type == "text_delta") {
        const Json* text = Field(d, "text");
        if (text == nullptr || !text->is_string()) {
          return MalformedReply("a text_delta whose text is not a string", event.data);
        }
        delta->text += text->get_ref<const std::string&>();
      } else if (type == "input_json_delta") {
        auto partial = StringField(d, "partial_json");
        auto index = CountField(&*j, "index");
        auto block = index ? reply->tool_blocks.find(*index) : reply->tool_blocks.end();
        if (!partial || block == reply->tool_blocks.end()) {
          return MalformedReply("an input_json_delta outside a tool_use block", event.data);
        }
        if (block->second < 0) {
          delta->text += *partial;  // the structured answer
        } else {
          delta->tool_calls.push_back({block->second, "", "", *partial});
        }
      }
    } else if (event.type == "message_delta") {
      if (auto reason = StringField(ObjectField(&*j, "delta"), "stop_reason")) {
        reply->finish_reason = AnswerReason(*reply, *reason);
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
      const std::string type = StringField(&block, "type").value_or("");
      if (type == "tool_use") {
        const std::string name = StringField(&block, "name").value_or("");
        const Json* input = Field(block, "input");
        std::string args = input == nullptr ? "{}" : JsonText(*input);
        if (!reply->answer_tool.empty() && name == reply->answer_tool) {
          text += args;
        } else if (reply->tool_calls.size() >= kMaxToolCalls) {
          return MalformedReply("more than 1024 tool calls", body);
        } else {
          reply->tool_calls.push_back({static_cast<int>(reply->tool_calls.size()),
                                       StringField(&block, "id").value_or(""), name,
                                       std::move(args)});
        }
        continue;
      }
      if (type != "text") continue;
      auto piece = StringField(&block, "text");
      if (!piece) return MalformedReply("a text block whose text is not a string", body);
      text += *piece;
    }
    reply->text = std::move(text);
    reply->finish_reason = AnswerReason(*reply, StringField(&*j, "stop_reason").value_or(""));
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
