// Fuzz target for what a client's chat request becomes on its way to a
// provider: the checks (chat_fields.h), then both dialects' request
// builders, the Anthropic translation among them. Properties: nothing
// throws or crashes on any input; a request that passes the checks builds
// for OpenAI-compatible providers, and for Anthropic either builds a body
// of user and assistant turns or is refused (InvalidArgument), and
// Accepts agrees with the builder.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/json_depth.h"
#include "daemon/providers/anthropic_request.h"
#include "daemon/providers/chat_fields.h"
#include "daemon/providers/dialect.h"

namespace {

using aix::providers::Json;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace p = aix::providers;
  if (size == 0) return 0;
  absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!aix::NestingWithin(input)) return 0;
  Json doc = Json::parse(input.begin(), input.end(), nullptr, false);
  if (!doc.is_object() || !doc.contains("messages")) return 0;
  std::string param;
  if (!p::CheckMessages(doc["messages"], &param).ok()) return 0;
  Json options = Json::object();
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!p::OwnField(it.key()) && !it->is_null()) options[it.key()] = *it;
  }
  if (!p::CheckOptions(options, &param).ok()) return 0;

  p::ChatRequest chat;
  chat.model = "m";
  chat.stream = (data[0] & 1) != 0;
  chat.options = options;
  for (const Json& m : doc["messages"]) {
    const std::string role = m["role"].get<std::string>();
    if (role == "system" || role == "developer") {
      chat.system += p::MessageText(m);
      continue;
    }
    p::Turn t{role, p::MessageText(m)};
    if (!p::PlainMessage(m)) t.message = m;
    chat.turns.push_back(std::move(t));
  }
  if (chat.turns.empty()) return 0;
  p::Endpoint e;
  e.chat_url = "http://127.0.0.1:9/v1/chat/completions";
  Check(p::DialectFor(p::Wire::kOpenAi).BuildRequest(e, chat, "test-key").ok());
  absl::StatusOr<Json> body = p::AnthropicBody(chat);
  Check(body.ok() == p::DialectFor(p::Wire::kAnthropic).Accepts(chat).ok());
  if (!body.ok()) {
    Check(body.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  const Json& messages = (*body)["messages"];
  Check(messages.is_array() && !messages.empty());
  for (const Json& m : messages) {
    Check(m.contains("role") && m.contains("content"));
    Check(m["role"] == "user" || m["role"] == "assistant");
  }
  Check(p::DialectFor(p::Wire::kAnthropic).BuildRequest(e, chat, "test-key").ok());
  return 0;
}
