// The two wire formats: requests out, replies (streamed or whole) in, and
// what HTTP errors mean.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "daemon/providers/provider.h"

namespace aix::providers {
namespace {

// ProviderMessage digs the human message out of an error body, whatever its
// shape ({"error": {"message"}}, {"error": "..."}, {"message"}); else the
// start of the body.
std::string ProviderMessage(absl::string_view body) {
  Json j = Json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (j.contains("error")) {
      const Json& e = j["error"];
      if (e.is_object() && e.contains("message") && e["message"].is_string()) {
        return e["message"].get<std::string>();
      }
      if (e.is_string()) return e.get<std::string>();
    }
    if (j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  }
  std::string s(body.substr(0, 200));
  return s.empty() ? "no details" : s;
}

}  // namespace

http::HttpRequest BuildRequest(const Endpoint& e, const ChatRequest& chat,
                               const std::string& key) {
  http::HttpRequest r;
  r.url = e.chat_url;
  r.headers = e.headers;
  r.headers.push_back("Content-Type: application/json");
  if (chat.stream) r.headers.push_back("Accept: text/event-stream");
  if (!key.empty()) {
    if (e.auth == Auth::kBearer) {
      r.headers.push_back("Authorization: Bearer " + key);
    } else if (e.auth == Auth::kApiKeyHeader) {
      r.headers.push_back((e.wire == Wire::kAnthropic ? "x-api-key: " : "api-key: ") + key);
    }
  }
  Json body = {{"model", chat.model}, {"max_tokens", chat.max_tokens},
               {"temperature", chat.temperature}, {"stream", chat.stream}};
  Json messages = Json::array();
  if (e.wire == Wire::kAnthropic) {
    if (!chat.system.empty()) body["system"] = chat.system;  // top level, not a message
  } else {
    if (!chat.system.empty()) messages.push_back({{"role", "system"}, {"content", chat.system}});
    if (chat.stream) body["stream_options"] = {{"include_usage", true}};
  }
  messages.push_back({{"role", "user"}, {"content", chat.user}});
  body["messages"] = messages;
  r.body = body.dump();
  return r;
}

absl::Status OnEvent(Wire wire, const http::SseEvent& event, Reply* reply, std::string* delta) {
  if (wire == Wire::kOpenAi) {
    if (event.data == "[DONE]") {
      reply->finished = true;
      return absl::OkStatus();
    }
    Json j = Json::parse(event.data, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return absl::AbortedError(absl::StrCat("the provider sent a malformed stream event: ",
                                             event.data.substr(0, 120)));
    }
    if (j.contains("error") && !j["error"].is_null()) {
      return absl::AbortedError(absl::StrCat("the provider failed mid-answer: ",
                                             ProviderMessage(event.data)));
    }
    if (j.contains("usage") && j["usage"].is_object()) {
      reply->prompt_tokens = j["usage"].value("prompt_tokens", int64_t{0});
      reply->completion_tokens = j["usage"].value("completion_tokens", int64_t{0});
    }
    if (j.contains("choices") && j["choices"].is_array() && !j["choices"].empty()) {
      const Json& c = j["choices"][0];
      if (c.contains("delta") && c["delta"].is_object() && c["delta"].contains("content") &&
          c["delta"]["content"].is_string()) {
        std::string t = c["delta"]["content"].get<std::string>();
        reply->text += t;
        *delta += t;
      }
      if (c.contains("finish_reason") && c["finish_reason"].is_string()) {
        reply->finish_reason = c["finish_reason"].get<std::string>();
      }
    }
    return absl::OkStatus();
  }
  // Anthropic: named events.
  if (event.type == "ping" || event.type == "content_block_start" ||
      event.type == "content_block_stop") {
    return absl::OkStatus();
  }
  Json j = Json::parse(event.data, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::AbortedError(absl::StrCat("the provider sent a malformed stream event: ",
                                           event.data.substr(0, 120)));
  }
  if (event.type == "error") {
    return absl::AbortedError(absl::StrCat("the provider failed mid-answer: ",
                                           ProviderMessage(event.data)));
  }
  if (event.type == "message_start") {
    const Json& u = j["message"]["usage"];
    if (u.is_object()) reply->prompt_tokens = u.value("input_tokens", int64_t{0});
  } else if (event.type == "content_block_delta") {
    const Json& d = j["delta"];
    // input_json_delta, thinking_delta and signature_delta carry no answer text.
    if (d.is_object() && d.value("type", "") == "text_delta" && d.contains("text")) {
      std::string t = d["text"].get<std::string>();
      reply->text += t;
      *delta += t;
    }
  } else if (event.type == "message_delta") {
    if (j["delta"].is_object() && j["delta"].contains("stop_reason") &&
        j["delta"]["stop_reason"].is_string()) {
      reply->finish_reason = j["delta"]["stop_reason"].get<std::string>();
    }
    if (j["usage"].is_object()) {
      reply->completion_tokens = j["usage"].value("output_tokens", int64_t{0});
    }
  } else if (event.type == "message_stop") {
    reply->finished = true;
  }
  return absl::OkStatus();
}

absl::Status OnBody(Wire wire, absl::string_view body, Reply* reply) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::AbortedError("the provider sent a reply that is not JSON");
  }
  if (wire == Wire::kOpenAi) {
    if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) {
      return absl::AbortedError("the provider's reply has no choices");
    }
    const Json& c = j["choices"][0];
    reply->text = c["message"].value("content", "");
    reply->finish_reason = c.value("finish_reason", "");
    if (j["usage"].is_object()) {
      reply->prompt_tokens = j["usage"].value("prompt_tokens", int64_t{0});
      reply->completion_tokens = j["usage"].value("completion_tokens", int64_t{0});
    }
  } else {
    for (const Json& block : j.value("content", Json::array())) {
      if (block.value("type", "") == "text") reply->text += block.value("text", "");
    }
    reply->finish_reason = j.value("stop_reason", "");
    if (j["usage"].is_object()) {
      reply->prompt_tokens = j["usage"].value("input_tokens", int64_t{0});
      reply->completion_tokens = j["usage"].value("output_tokens", int64_t{0});
    }
  }
  reply->finished = true;
  return absl::OkStatus();
}

absl::Status HttpError(const Endpoint& e, const std::string& model, int status,
                       absl::string_view body,
                       const std::map<std::string, std::string>& headers) {
  std::string what = absl::StrCat(e.provider, " answered HTTP ", status, ": ",
                                  ProviderMessage(body));
  std::string key_fix = e.env_var.empty()
                            ? absl::StrCat("aix api-key ", e.provider)
                            : absl::StrCat("aix api-key ", e.provider, ", or export ", e.env_var);
  if (status == 401 || status == 403) {
    return absl::UnauthenticatedError(absl::StrCat(
        what, "\nThe API key was rejected. Check it and store it again with: ", key_fix));
  }
  if (status == 404) {
    return absl::NotFoundError(absl::StrCat(
        what, "\nModel '", model, "' was not found at ", e.provider,
        ". Check the name, or choose another with --model"));
  }
  if (status == 429) {
    std::string when = "later";
    auto it = headers.find("retry-after");
    int64_t secs;
    if (it != headers.end() && absl::SimpleAtoi(it->second, &secs)) {
      when = absl::StrCat("in ", secs, " s");
    }
    return absl::ResourceExhaustedError(absl::StrCat(
        what, "\nRate limited: retry ", when,
        ", or use the free model (--model meta-llama/llama-3.2-3b-instruct:free) or "
        "another provider (--provider openai|anthropic|openrouter)"));
  }
  if (status >= 500) {
    return absl::AbortedError(absl::StrCat(
        what, "\nThe provider is failing; try again shortly, or use another one: "
              "--provider openrouter|openai|anthropic"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, "\nThe provider refused the request as sent."));
}

absl::Status TransportError(const Endpoint& e, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kCancelled) return status;
  return absl::AbortedError(absl::StrCat(
      "cannot reach ", e.provider, " at ", e.chat_url, ": ", status.message(),
      "\nThe provider may be down, or a proxy/network setting is wrong "
      "(HTTPS_PROXY, NO_PROXY, ca_bundle). Try another: --provider openrouter|openai|anthropic"));
}

}  // namespace aix::providers
