#include "daemon/endpoint/openai_shapes.h"

#include "common/tool_calls.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace aix::endpoint {
namespace {

using Json = nlohmann::json;

ChatCall Parse(const Json& body) {
  std::string param;
  auto call = ParseChatCall(body.dump(), &param);
  EXPECT_TRUE(call.ok()) << call.status();
  return call.ok() ? *call : ChatCall();
}

// Refused checks that `body` is refused, naming `param` and saying `says`.
void Refused(absl::string_view body, absl::string_view param, absl::string_view says) {
  std::string got;
  auto call = ParseChatCall(body, &got);
  ASSERT_FALSE(call.ok()) << body;
  EXPECT_EQ(call.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(got, param) << body;
  EXPECT_NE(call.status().message().find(says), std::string::npos) << call.status();
}

Json User(const std::string& text, const std::string& model) {
  return {{"model", model}, {"messages", {{{"role", "user"}, {"content", text}}}}};
}

TEST(ParseChatCall, RoutesByModelName) {
  struct Case {
    const char* model;
    const char* provider;
    const char* run_model;
  } cases[] = {
      {"openai/gpt-4o-mini", "openai", "gpt-4o-mini"},
      {"anthropic/claude-3-haiku-20240307", "anthropic", "claude-3-haiku-20240307"},
      {"openrouter/meta-llama/llama-3.2-3b-instruct:free", "openrouter",
       "meta-llama/llama-3.2-3b-instruct:free"},
      {"custom:ollama/llama3:8b", "custom:ollama", "llama3:8b"},
      {"custom:ollama", "custom:ollama", ""},
      {"openai/", "openai", ""},
      // Not a provider prefix: the default provider, model as written.
      {"meta-llama/llama-3.2-3b-instruct:free", "", "meta-llama/llama-3.2-3b-instruct:free"},
      {"llama3:8b", "", "llama3:8b"},
      {"openai", "", "openai"},
  };
  for (const Case& c : cases) {
    ChatCall call = Parse(User("hi", c.model));
    EXPECT_EQ(call.run.provider(), c.provider) << c.model;
    EXPECT_EQ(call.run.model(), c.run_model) << c.model;
    EXPECT_EQ(call.run.prompt(), "") << c.model;
    EXPECT_EQ(call.model, c.model);
  }
}

TEST(ParseChatCall, ASavedPromptTakesTheLastUserMessageAsInput) {
  Json body = {{"model", "prompt:summarize"},
               {"messages",
                {{{"role", "developer"}, {"content", "terse"}},
                 {{"role", "user"}, {"content", "old"}},
                 {{"role", "assistant"}, {"content", "x"}},
                 {{"role", "user"}, {"content", "new text"}}}}};
  ChatCall call = Parse(body);
  EXPECT_EQ(call.run.prompt(), "summarize");
  EXPECT_EQ(call.run.stdin_input(), "new text");
  EXPECT_EQ(call.run.messages_size(), 0);
  EXPECT_EQ(call.run.system(), "terse");
  Refused(Json{{"model", "prompt:"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}}.dump(),
          "model", "prompt:NAME");
  Refused(Json{{"model", "prompt:p"}, {"messages", {{{"role", "assistant"}, {"content", "x"}}}}}.dump(),
          "messages", "needs a user message");
}

TEST(ParseChatCall, AConversationKeepsItsTurnsAndJoinsSystemMessages) {
  Json body = {{"model", "m"},
               {"stream", true},
               {"stream_options", {{"include_usage", true}}},
               {"max_completion_tokens", 50},
               {"max_tokens", 99},
               {"temperature", 0},
               {"top_p", 1},
               {"n", 1},
               {"stop", nullptr},
               {"messages",
                {{{"role", "system"}, {"content", "one"}},
                 {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}}}},
                 {{"role", "assistant"}, {"content", nullptr}},
                 {{"role", "system"}, {"content", "two"}}}}};
  ChatCall call = Parse(body);
  EXPECT_TRUE(call.stream);
  EXPECT_TRUE(call.include_usage);
  EXPECT_EQ(call.run.max_tokens(), 50);  // max_completion_tokens wins
  EXPECT_EQ(call.run.temperature(), 0.0);
  EXPECT_TRUE(call.run.has_temperature());
  // System turns travel in place; the run joins them (runs/plan.cc).
  EXPECT_FALSE(call.run.has_system());
  ASSERT_EQ(call.run.messages_size(), 4);
  EXPECT_EQ(call.run.messages(0).role(), "system");
  EXPECT_EQ(call.run.messages(0).content(), "one");
  EXPECT_EQ(call.run.messages(1).role(), "user");
  EXPECT_EQ(call.run.messages(1).content(), "ab");
  EXPECT_EQ(call.run.messages(2).role(), "assistant");
  EXPECT_EQ(call.run.messages(2).content(), "");
  EXPECT_EQ(call.run.messages(3).role(), "system");
  EXPECT_FALSE(call.run.no_stream());
  ChatCall plain = Parse(User("x", "m"));
  EXPECT_FALSE(plain.stream);
  EXPECT_FALSE(plain.run.has_max_tokens());
  EXPECT_FALSE(plain.run.has_temperature());
  EXPECT_FALSE(plain.run.has_system());
}

TEST(ParseChatCall, EveryOtherFieldTravelsAsAnOption) {
  Json body = Json::parse(R"({"model": "openai/gpt-4o", "seed": 7, "top_p": 0.5, "user": "u",
      "stop": ["END"], "provider": {"order": ["a"]}, "max_completion_tokens": 20,
      "response_format": {"type": "json_object"}, "stream": false,
      "tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "auto",
      "messages": [{"role": "user", "content": "x"}]})");
  ChatCall call = Parse(body);
  Json options = Json::parse(call.run.options_json());
  for (const char* f : {"seed", "top_p", "user", "stop", "provider", "max_completion_tokens",
                        "response_format", "tools", "tool_choice"}) {
    EXPECT_EQ(options[f], body[f]) << f;
  }
  for (const char* f : {"model", "messages", "stream"}) EXPECT_FALSE(options.contains(f)) << f;
  EXPECT_EQ(call.run.max_tokens(), 20);
  EXPECT_TRUE(Parse(User("x", "m")).run.options_json().empty());
}

TEST(ParseChatCall, MessagesWithMoreThanTextGoWhole) {
  Json body = Json::parse(R"({"model": "m", "messages": [
      {"role": "user", "content": [{"type": "text", "text": "what is it?"},
        {"type": "image_url", "image_url": {"url": "https://img.invalid/a.png"}}]},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
        "function": {"name": "f", "arguments": "{}"}}]},
      {"role": "tool", "tool_call_id": "c1", "content": "42"},
      {"role": "user", "content": "so?"}]})");
  ChatCall call = Parse(body);
  ASSERT_EQ(call.run.messages_size(), 4);
  EXPECT_EQ(call.run.messages(0).content(), "what is it?");
  EXPECT_EQ(Json::parse(call.run.messages(0).message_json()), body["messages"][0]);
  EXPECT_EQ(Json::parse(call.run.messages(1).message_json()), body["messages"][1]);
  EXPECT_EQ(call.run.messages(2).role(), "tool");
  EXPECT_EQ(call.run.messages(2).content(), "42");
  EXPECT_EQ(Json::parse(call.run.messages(2).message_json()), body["messages"][2]);
  EXPECT_TRUE(call.run.messages(3).message_json().empty());
  body["model"] = "prompt:p";
  Refused(body.dump(), "messages", "text messages");
}

TEST(ParseChatCall, RefusesWhatItCannotHonour) {
  Refused("", "", "not valid JSON");
  Refused("{\"model\": \"m\",", "", "not valid JSON");
  Refused("\"just a string\"", "", "JSON object");
  Refused(R"({"messages": [{"role": "user", "content": "x"}]})", "model", "model is required");
  Refused(R"({"model": null, "messages": []})", "model", "model is required");
  Refused(R"({"model": "", "messages": []})", "model", "model is required");
  Refused(R"({"model": ["m"], "messages": []})", "model", "must be a string");
  Refused(R"({"model": "m"})", "messages", "non-empty array");
  Refused(R"({"model": "m", "messages": {}})", "messages", "non-empty array");
  Refused(R"({"model": "m", "messages": [1]})", "messages[0]", "must be an object");
  Refused(R"({"model": "m", "messages": [{"content": "x"}]})", "messages[0].role", "must be a string");
  Refused(R"({"model": "m", "messages": [{"role": 7, "content": "x"}]})", "messages[0].role", "must be a string");
  Refused(R"({"model": "m", "messages": [{"role": "tool", "content": "x"}]})", "messages[0].tool_call_id",
          "without a tool_call_id");
  Refused(R"({"model": "m", "messages": [{"role": "critic", "content": "x"}]})", "messages[0].role",
          "use system, developer, user, assistant or tool");
  Refused(R"({"model": "m", "messages": [{"role": "user", "content": 5}]})", "messages[0].content", "string or an array");
  Refused(R"({"model": "m", "messages": [{"role": "user", "content": [{"text": "x"}]}]})",
          "messages[0].content[0]", "no type");
  Refused(R"({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]})",
          "messages[0].content[0]", "without image_url.url");
  Refused(R"({"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": null}]}]})",
          "messages[0].content[0]", "without text");
  Refused(R"({"model": "m", "messages": [{"role": "system", "content": "x"}]})", "messages", "no user message");
  Refused(R"({"model": "m", "messages": [{"role": "assistant", "content": "x", "tool_calls": [{}]}]})",
          "messages[0].tool_calls[0].id", "has no id");
  const std::string ok_messages = R"("messages": [{"role": "user", "content": "x"}])";
  Refused("{\"model\": \"m\", " + ok_messages + ", \"tools\": [{}]}", "tools[0].type", "function");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"n\": 2}", "n", "n must be 1");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"stop\": 5}", "stop", "up to 4 strings");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"response_format\": {\"type\": \"yaml\"}}",
          "response_format.type", "json_schema");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"stream\": \"yes\"}", "stream", "true or false");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"max_tokens\": 0}", "max_tokens", "1 or more");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"max_tokens\": 1.5}", "max_tokens", "1 or more");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"temperature\": 3}", "temperature", "0 to 2");
  Refused("{\"model\": \"m\", " + ok_messages + ", \"temperature\": \"hot\"}", "temperature", "0 to 2");
}

TEST(ParseChatCall, SurvivesHostileBodies) {
  // Deep nesting, invalid UTF-8, huge numbers: refused or parsed, never a crash.
  std::string deep(100000, '[');
  std::string param;
  EXPECT_FALSE(ParseChatCall(deep, &param).ok());
  EXPECT_FALSE(ParseChatCall("{\"model\": \"\xff\xfe\", \"messages\": []}", &param).ok());
  EXPECT_FALSE(ParseChatCall(R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 1e999})", &param).ok());
  auto nested = [](int depth) {
    return "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"extra\": " +
           std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']') + "}";
  };
  EXPECT_TRUE(ParseChatCall(nested(100), &param).ok());
  // Deeper than any real request: refused by name before a parser sees it.
  absl::StatusOr<ChatCall> deeper = ParseChatCall(nested(5000), &param);
  ASSERT_FALSE(deeper.ok());
  EXPECT_NE(deeper.status().message().find("levels deep"), std::string::npos) << deeper.status();
  EXPECT_EQ(deeper.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Shapes, ErrorObjectsFollowTheStatus) {
  Json e = Json::parse(ErrorJson(404, "no such model", "model", "model_not_found"));
  EXPECT_EQ(e["error"]["message"], "no such model");
  EXPECT_EQ(e["error"]["type"], "not_found_error");
  EXPECT_EQ(e["error"]["param"], "model");
  EXPECT_EQ(e["error"]["code"], "model_not_found");
  Json plain = Json::parse(ErrorJson(400, "bad"));
  EXPECT_TRUE(plain["error"]["param"].is_null());
  EXPECT_TRUE(plain["error"]["code"].is_null());
  EXPECT_EQ(Json::parse(ErrorJson(401, "x"))["error"]["type"], "authentication_error");
  EXPECT_EQ(Json::parse(ErrorJson(429, "x"))["error"]["type"], "rate_limit_error");
  EXPECT_EQ(Json::parse(ErrorJson(502, "x"))["error"]["type"], "api_error");
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kAborted), 502);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDeadlineExceeded), 504);
  // Invalid UTF-8 in a message still makes valid JSON.
  EXPECT_FALSE(Json::parse(ErrorJson(500, "bad \xff byte"), nullptr, false).is_discarded());
}

TEST(Shapes, FinishReasonsInOpenAiTerms) {
  EXPECT_EQ(FinishReason("end_turn"), "stop");
  EXPECT_EQ(FinishReason("stop_sequence"), "stop");
  EXPECT_EQ(FinishReason(""), "stop");
  EXPECT_EQ(FinishReason("max_tokens"), "length");
  EXPECT_EQ(FinishReason("length"), "length");
  EXPECT_EQ(FinishReason("content_filter"), "content_filter");
}

TEST(Shapes, StreamEventsAndWholeCompletion) {
  ReplyId id{"chatcmpl-x", 1700000000, "openai/gpt-4o-mini"};
  std::string first = ChunkEvent(id, "Hel", true);
  ASSERT_EQ(first.substr(0, 6), "data: ");
  ASSERT_EQ(first.substr(first.size() - 2), "\n\n");
  Json c = Json::parse(first.substr(6));
  EXPECT_EQ(c["object"], "chat.completion.chunk");
  EXPECT_EQ(c["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(c["choices"][0]["delta"]["content"], "Hel");
  EXPECT_TRUE(c["choices"][0]["finish_reason"].is_null());
  EXPECT_FALSE(Json::parse(ChunkEvent(id, "lo", false).substr(6))["choices"][0]["delta"].contains("role"));

  v1::RunDone done;
  done.set_finish_reason("max_tokens");
  done.set_prompt_tokens(3);
  done.set_completion_tokens(4);
  std::string end = FinalEvents(id, done, /*include_usage=*/true);
  EXPECT_NE(end.find("\"finish_reason\":\"length\""), std::string::npos);
  EXPECT_NE(end.find("\"total_tokens\":7"), std::string::npos);
  EXPECT_EQ(end.substr(end.size() - 14), "data: [DONE]\n\n");
  EXPECT_EQ(FinalEvents(id, done, false).find("usage"), std::string::npos);

  Json whole = Json::parse(CompletionJson(id, "Hello", {}, done));
  EXPECT_EQ(whole["object"], "chat.completion");
  EXPECT_EQ(whole["model"], "openai/gpt-4o-mini");
  EXPECT_EQ(whole["choices"][0]["message"]["content"], "Hello");
  EXPECT_EQ(whole["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(whole["usage"]["total_tokens"], 7);
  v1::RunDone unreported;  // the provider reported no usage
  EXPECT_TRUE(Json::parse(CompletionJson(id, "Hello", {}, unreported))["usage"].is_null());
  EXPECT_NE(FinalEvents(id, unreported, true).find("\"usage\":null"), std::string::npos);

  Json models = Json::parse(ModelsJson({"openai/gpt-3.5-turbo", "prompt:p"}, {"openai", "aixd"}));
  EXPECT_EQ(models["object"], "list");
  ASSERT_EQ(models["data"].size(), 2u);
  EXPECT_EQ(models["data"][1]["id"], "prompt:p");
  EXPECT_EQ(models["data"][1]["object"], "model");
  EXPECT_EQ(models["data"][0]["owned_by"], "openai");
}

TEST(Shapes, ToolCallsStreamAsOpenAiDoesAndJoinForAWholeAnswer) {
  ReplyId id{"chatcmpl-1", 5, "m"};
  v1::ToolCallDelta first, more;
  first.set_index(0);
  first.set_id("call_1");
  first.set_name("weather");
  more.set_index(0);
  more.set_arguments("{\"city\": \"Oslo\"}");
  std::string ev = ToolCallEvent(id, first, /*first=*/true);
  Json chunk = Json::parse(ev.substr(6));
  Json delta = chunk["choices"][0]["delta"];
  EXPECT_EQ(delta["role"], "assistant");
  EXPECT_EQ(delta["tool_calls"][0], (Json{{"index", 0}, {"id", "call_1"}, {"type", "function"},
                                          {"function", {{"name", "weather"}, {"arguments", ""}}}}));
  delta = Json::parse(ToolCallEvent(id, more, false).substr(6))["choices"][0]["delta"];
  EXPECT_EQ(delta["tool_calls"][0], (Json{{"index", 0}, {"function", {{"arguments", more.arguments()}}}}));

  std::vector<v1::ToolCallDelta> calls;
  ASSERT_TRUE(JoinToolCall(first, &calls, 8, std::string::npos));
  ASSERT_TRUE(JoinToolCall(more, &calls, 8, std::string::npos));
  v1::RunDone done;
  done.set_finish_reason("tool_use");
  Json whole = Json::parse(CompletionJson(id, "", calls, done));
  Json message = whole["choices"][0]["message"];
  EXPECT_TRUE(message["content"].is_null());
  EXPECT_EQ(message["tool_calls"], Json::parse(R"([{"id": "call_1", "type": "function",
      "function": {"name": "weather", "arguments": "{\"city\": \"Oslo\"}"}}])"));
  EXPECT_EQ(whole["choices"][0]["finish_reason"], "tool_calls");
}

}  // namespace
}  // namespace aix::endpoint
