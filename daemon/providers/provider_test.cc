#include "daemon/providers/dialect.h"
#include "daemon/providers/provider.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_replace.h"

namespace aix::providers {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

Json Config() {
  return Json{{"custom_providers",
               {{"ollama", {{"base_url", "http://127.0.0.1:11434/v1/"}, {"model", "llama3"},
                            {"auth_type", "none"}, {"headers", {{"X-Team", "blue"}}}}}}}};
}

TEST(Endpoints, BuiltInsAndOverrides) {
  auto e = ResolveEndpoint("openai", Config());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->chat_url, "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(e->default_model, "gpt-3.5-turbo");
  auto a = ResolveEndpoint("anthropic", Json{{"anthropic_base_url", "http://127.0.0.1:9/v1"}});
  EXPECT_EQ(a->chat_url, "http://127.0.0.1:9/v1/messages");
  EXPECT_EQ(a->default_model, "claude-3-haiku-20240307");
  auto r = ResolveEndpoint("openrouter", Config());
  EXPECT_EQ(r->chat_url, "https://openrouter.ai/api/v1/chat/completions");
  EXPECT_EQ(r->default_model, "meta-llama/llama-3.2-3b-instruct:free");
  auto c = ResolveEndpoint("custom:ollama", Config());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->chat_url, "http://127.0.0.1:11434/v1/chat/completions");
  EXPECT_EQ(c->default_model, "llama3");
  EXPECT_EQ(ResolveEndpoint("custom:nope", Config()).status().code(), absl::StatusCode::kNotFound);
}

TEST(BuildRequest, OpenAiShape) {
  auto e = *ResolveEndpoint("openai", Config());
  ChatRequest chat{"gpt-4", "Be brief.", "Hi", 50, 0.2, true, {}};
  http::HttpRequest r = DialectFor(e.wire).BuildRequest(e, chat, "test-key-1").value();
  EXPECT_THAT(r.headers, Contains("Authorization: Bearer test-key-1"));
  Json b = Json::parse(r.body);
  EXPECT_EQ(b["model"], "gpt-4");
  EXPECT_EQ(b["messages"][0], (Json{{"role", "system"}, {"content", "Be brief."}}));
  EXPECT_EQ(b["messages"][1], (Json{{"role", "user"}, {"content", "Hi"}}));
  EXPECT_EQ(b["stream"], true);
  EXPECT_EQ(b["stream_options"]["include_usage"], true);
  EXPECT_EQ(b["max_tokens"], 50);
}

TEST(BuildRequest, OpenRouterSendsAttributionHeaders) {
  auto e = *ResolveEndpoint("openrouter", Config());
  auto r = DialectFor(e.wire).BuildRequest(e, ChatRequest{"m", "", "Hi", 10, 0.7, true, {}}, "k").value();
  EXPECT_THAT(r.headers, Contains(HasSubstr("HTTP-Referer: ")));
  EXPECT_THAT(r.headers, Contains("X-Title: aix"));
}

TEST(BuildRequest, AnthropicShape) {
  auto e = *ResolveEndpoint("anthropic", Config());
  auto r = DialectFor(e.wire).BuildRequest(e, ChatRequest{"claude-3-haiku-20240307", "Be brief.", "Hi", 99, 0.5, true, {}},
                        "test-key-2").value();
  EXPECT_THAT(r.headers, Contains("x-api-key: test-key-2"));
  EXPECT_THAT(r.headers, Contains("anthropic-version: 2023-06-01"));
  EXPECT_THAT(r.headers, Not(Contains(HasSubstr("Authorization"))));
  Json b = Json::parse(r.body);
  EXPECT_EQ(b["system"], "Be brief.");
  EXPECT_EQ(b["max_tokens"], 99);
  ASSERT_EQ(b["messages"].size(), 1u);
  EXPECT_EQ(b["messages"][0]["role"], "user");
}

TEST(BuildRequest, AnthropicSendsAConversationWithTheSystemOnTop) {
  auto e = *ResolveEndpoint("anthropic", Config());
  ChatRequest chat{"claude-3-haiku-20240307", "Be brief.", "", 99, 0.5, true,
                   {{"user", "one"}, {"assistant", "two"}, {"user", "three"}}};
  Json b = Json::parse(DialectFor(e.wire).BuildRequest(e, chat, "test-key-2")->body);
  EXPECT_EQ(b["system"], "Be brief.");
  EXPECT_EQ(b["messages"], Json::parse(R"([{"role": "user", "content": "one"},
      {"role": "assistant", "content": "two"}, {"role": "user", "content": "three"}])"));
}

TEST(BuildRequest, CustomWithoutKeySendsNoAuthButItsHeaders) {
  auto e = *ResolveEndpoint("custom:ollama", Config());
  auto r = DialectFor(e.wire).BuildRequest(e, ChatRequest{"llama3", "", "Hi", 10, 0.7, false, {}}, "").value();
  EXPECT_THAT(r.headers, Not(Contains(HasSubstr("Authorization"))));
  EXPECT_THAT(r.headers, Contains("X-Team: blue"));
}

std::string Transcript(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::ifstream f(std::string(srcdir ? srcdir : ".") + "/aix/tests/testdata/sse/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

absl::Status Play(Wire wire, const std::string& name, Reply* reply, std::string* deltas) {
  http::SseParser parser;
  std::vector<http::SseEvent> events;
  EXPECT_TRUE(parser.Feed(Transcript(name), &events).ok());
  for (const auto& ev : events) {
    Delta d;
    absl::Status s = DialectFor(wire).OnEvent(ev, reply, &d);
    if (!s.ok()) return s;
    *deltas += d.text + "|";
  }
  return absl::OkStatus();
}

TEST(OnEvent, OpenRouterTranscript) {
  Reply r;
  std::string deltas;
  ASSERT_TRUE(Play(Wire::kOpenAi, "openrouter_stream.sse", &r, &deltas).ok());
  EXPECT_EQ(r.text, "") << "streamed text travels in the deltas only";
  EXPECT_EQ(deltas, "Hel|lo||||");
  EXPECT_EQ(r.finish_reason, "stop");
  EXPECT_EQ(r.prompt_tokens, 9);
  EXPECT_EQ(r.completion_tokens, 2);
  EXPECT_TRUE(r.finished);
}

TEST(OnEvent, OpenRouterMidStreamErrorIsAborted) {
  Reply r;
  std::string deltas;
  absl::Status s = Play(Wire::kOpenAi, "openrouter_midstream_error.sse", &r, &deltas);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("upstream provider went away"));
  EXPECT_EQ(deltas, "Par|");
}

TEST(OnEvent, AnthropicTranscript) {
  Reply r;
  std::string deltas;
  ASSERT_TRUE(Play(Wire::kAnthropic, "anthropic_stream.sse", &r, &deltas).ok());
  EXPECT_EQ(absl::StrReplaceAll(deltas, {{"|", ""}}), "Hi there");
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(r.finish_reason, "end_turn");
  EXPECT_EQ(r.prompt_tokens, 12);
  EXPECT_EQ(r.completion_tokens, 3);
  EXPECT_TRUE(r.finished);
  Reply e;
  absl::Status s = Play(Wire::kAnthropic, "anthropic_error.sse", &e, &deltas);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("Overloaded"));
}

TEST(OnBody, BothWires) {
  Reply o;
  ASSERT_TRUE(DialectFor(Wire::kOpenAi).OnBody(
                     R"({"choices":[{"message":{"content":"Yo"},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":3,"completion_tokens":1}})",
                     &o)
                  .ok());
  EXPECT_EQ(o.text, "Yo");
  Reply a;
  ASSERT_TRUE(DialectFor(Wire::kAnthropic).OnBody(
                     R"({"content":[{"type":"text","text":"A"},{"type":"text","text":"B"}],
                         "stop_reason":"end_turn","usage":{"input_tokens":2,"output_tokens":2}})",
                     &a)
                  .ok());
  EXPECT_EQ(a.text, "AB");
  EXPECT_EQ(DialectFor(Wire::kOpenAi).OnBody( "not json", &a).code(), absl::StatusCode::kAborted);
}

TEST(HttpError, EachClassHasItsCodeAndFix) {
  auto e = *ResolveEndpoint("openai", Config());
  std::string body = R"({"error":{"message":"bad key"}})";
  auto s401 = HttpError(e, "gpt-4", 401, body, 0);
  EXPECT_EQ(s401.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s401.message(), HasSubstr("HTTP 401: bad key"));
  EXPECT_THAT(s401.message(), HasSubstr("aix api-key openai, or export OPENAI_API_KEY"));
  auto s404 = HttpError(e, "gpt-9", 404, body, 0);
  EXPECT_EQ(s404.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s404.message(), HasSubstr("Model 'gpt-9' was not found"));
  auto s429 = HttpError(e, "m", 429, body, 7);
  EXPECT_EQ(s429.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s429.message(), HasSubstr("retry in 7 s"));
  EXPECT_THAT(s429.message(), HasSubstr("--fallback"));
  auto s503 = HttpError(e, "m", 503, "<html>down</html>", 0);
  EXPECT_EQ(s503.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s503.message(), HasSubstr("--fallback"));
  EXPECT_EQ(HttpError(e, "m", 400, body, 0).code(), absl::StatusCode::kInvalidArgument);
  auto t = TransportError(e, absl::UnavailableError("Couldn't connect to server"));
  EXPECT_EQ(t.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(t.message(), HasSubstr("cannot reach openai"));
}

// Provider data is untrusted: every shape the issue tracker saw crash aixd,
// and their relatives, end as a clear Aborted status or are tolerated.
TEST(Hostile, OpenAiBodiesOfWrongTypes) {
  const Dialect& d = DialectFor(Wire::kOpenAi);
  Reply r;
  absl::Status s = d.OnBody(R"({"choices":[{"message":"oops"}]})", &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("no message object"));
  Reply null_content;
  ASSERT_TRUE(d.OnBody(R"({"choices":[{"message":{"content":null,"tool_calls":[]},
                          "finish_reason":"tool_calls"}]})", &null_content).ok());
  EXPECT_EQ(null_content.text, "");
  EXPECT_EQ(null_content.finish_reason, "tool_calls");
  Reply refusal;
  ASSERT_TRUE(d.OnBody(R"({"choices":[{"message":{"content":null,"refusal":"No."}}]})", &refusal).ok());
  EXPECT_EQ(refusal.text, "No.");
  Reply odd;
  ASSERT_TRUE(d.OnBody(R"({"choices":[{"message":{"content":"hi"},"finish_reason":3}],
                          "usage":{"prompt_tokens":null,"completion_tokens":"2"}})", &odd).ok());
  EXPECT_EQ(odd.text, "hi");
  EXPECT_EQ(odd.prompt_tokens, std::nullopt) << "null is not reported, not 0";
  EXPECT_EQ(odd.completion_tokens, std::nullopt) << "a string is not a count";
  EXPECT_EQ(d.OnBody(R"({"choices":[{"message":{"content":42}}]})", &r).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(d.OnBody(R"([1,2])", &r).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(d.OnBody(R"({"choices":null})", &r).code(), absl::StatusCode::kAborted);
}

TEST(Hostile, OpenAiStreamEventsOfWrongTypes) {
  const Dialect& d = DialectFor(Wire::kOpenAi);
  Reply r;
  Delta delta;
  http::SseEvent ev;
  ev.data = R"({"choices":[],"usage":{"prompt_tokens":null,"completion_tokens":5}})";
  ASSERT_TRUE(d.OnEvent(ev, &r, &delta).ok());
  EXPECT_EQ(r.completion_tokens, 5);
  ev.data = R"({"choices":[{"delta":{"content":null}}]})";
  ASSERT_TRUE(d.OnEvent(ev, &r, &delta).ok());
  ev.data = R"({"choices":[{"delta":"oops","finish_reason":null}]})";
  ASSERT_TRUE(d.OnEvent(ev, &r, &delta).ok());
  ev.data = R"({"choices":{"0":1},"usage":[]})";
  ASSERT_TRUE(d.OnEvent(ev, &r, &delta).ok());
  ev.data = R"({"usage":{"prompt_tokens":-4}})";
  ASSERT_TRUE(d.OnEvent(ev, &r, &delta).ok());
  EXPECT_EQ(r.prompt_tokens, std::nullopt) << "a negative count is not reported, not 0";
  EXPECT_EQ(delta.text, "");
  ev.data = "{\"error\":\"\u001b[2Jgone\"}";
  absl::Status s = d.OnEvent(ev, &r, &delta);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("gone"));
  EXPECT_THAT(s.message(), Not(HasSubstr("\x1b")));
}

TEST(Hostile, AnthropicEventsOfWrongTypes) {
  const Dialect& d = DialectFor(Wire::kAnthropic);
  Reply r;
  Delta delta;
  http::SseEvent ev;
  ev.type = "content_block_delta";
  ev.data = R"({"delta":{"type":"text_delta","text":5}})";
  absl::Status s = d.OnEvent(ev, &r, &delta);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("text is not a string"));
  ev.type = "message_start";
  ev.data = R"({"message":"oops"})";
  EXPECT_EQ(d.OnEvent(ev, &r, &delta).code(), absl::StatusCode::kAborted);
  ev.data = R"({"message":{"usage":null}})";
  EXPECT_TRUE(d.OnEvent(ev, &r, &delta).ok());
  ev.type = "message_delta";
  ev.data = R"({"delta":null,"usage":{"output_tokens":"many"}})";
  EXPECT_TRUE(d.OnEvent(ev, &r, &delta).ok());
  EXPECT_EQ(d.OnBody(R"({"content":"hello"})", &r).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(d.OnBody(R"({"content":[{"type":"text","text":null}]})", &r).code(),
            absl::StatusCode::kAborted);
}

TEST(Hostile, ErrorTextIsOneCleanLine) {
  std::string msg = ProviderMessage("\x1b]0;owned\x07line1\nline2\xff");
  EXPECT_EQ(msg.find('\x1b'), std::string::npos);
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  EXPECT_THAT(msg, HasSubstr("line1 line2"));
  EXPECT_EQ(ProviderMessage(std::string(5000, 'x')).size(), 303u);  // 300 + "..."
}

}  // namespace
}  // namespace aix::providers
