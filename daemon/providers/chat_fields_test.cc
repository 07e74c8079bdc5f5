// The checks on what a chat request carries beyond text, and its
// translation to Anthropic's Messages API.
#include "daemon/providers/chat_fields.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/providers/anthropic_request.h"
#include "daemon/providers/provider.h"

namespace aix::providers {
namespace {

using ::testing::HasSubstr;

constexpr char kPng[] =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

Json WeatherTool() {
  return Json::parse(R"({"type": "function", "function": {"name": "weather",
      "description": "Weather now", "parameters": {"type": "object",
      "properties": {"city": {"type": "string"}}, "required": ["city"]}}})");
}

// Refused checks `options` and returns the field it names.
std::string RefusedOption(const Json& options) {
  std::string param;
  absl::Status s = CheckOptions(options, &param);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << options;
  EXPECT_THAT(std::string(s.message()), HasSubstr(param.substr(0, param.find('['))));
  return param;
}

TEST(CheckOptions, TakesWhatClientsSendAndAnyProviderField) {
  std::string param;
  Json o = {{"top_p", 0.5}, {"seed", 7}, {"stop", {"a", "b"}}, {"user", "u"},
            {"tools", {WeatherTool()}}, {"tool_choice", {{"type", "function"}, {"function", {{"name", "weather"}}}}},
            {"parallel_tool_calls", false}, {"response_format", {{"type", "json_object"}}},
            {"provider", {{"order", {"x"}}}}, {"n", 1}, {"logprobs", false}};
  EXPECT_TRUE(CheckOptions(o, &param).ok()) << CheckOptions(o, &param);
}

TEST(CheckOptions, RefusesEachBadFieldByName) {
  EXPECT_EQ(RefusedOption({{"model", "x"}}), "model");
  EXPECT_EQ(RefusedOption({{"n", 2}}), "n");
  EXPECT_EQ(RefusedOption({{"logprobs", true}}), "logprobs");
  EXPECT_EQ(RefusedOption({{"top_p", 3}}), "top_p");
  EXPECT_EQ(RefusedOption({{"seed", 1.5}}), "seed");
  EXPECT_EQ(RefusedOption({{"stop", {"a", "b", "c", "d", "e"}}}), "stop");
  EXPECT_EQ(RefusedOption({{"tools", {{{"type", "retrieval"}}}}}), "tools[0].type");
  EXPECT_EQ(RefusedOption({{"tools", {WeatherTool(), WeatherTool()}}}), "tools[1].function.name");
  EXPECT_EQ(RefusedOption({{"tool_choice", {{"type", "function"}, {"function", {{"name", "nope"}}}}}}),
            "tool_choice");
  EXPECT_EQ(RefusedOption({{"response_format", {{"type", "xml"}}}}), "response_format.type");
}

TEST(CheckOptions, BoundsToolsAndSchemas) {
  Json many = Json::array();
  for (int i = 0; i < 10000; ++i) {
    Json t = WeatherTool();
    t["function"]["name"] = "t" + std::to_string(i);
    many.push_back(std::move(t));
  }
  EXPECT_EQ(RefusedOption({{"tools", many}}), "tools");
  Json big = {{"type", "object"}, {"description", std::string(1 << 20, 'x')}};
  EXPECT_EQ(RefusedOption({{"response_format",
                            {{"type", "json_schema"}, {"json_schema", {{"name", "n"}, {"schema", big}}}}}}),
            "response_format.json_schema.schema");
}

std::string RefusedMessages(const char* messages) {
  std::string param;
  absl::Status s = CheckMessages(Json::parse(messages), &param);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << messages;
  return param;
}

TEST(CheckMessages, ToolCallsAndResultsMustMatch) {
  std::string param;
  EXPECT_TRUE(CheckMessages(Json::parse(R"([{"role": "user", "content": "hi"},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
        "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
      {"role": "tool", "tool_call_id": "c1", "content": "done"}])"), &param).ok());
  EXPECT_EQ(RefusedMessages(R"([{"role": "user", "content": "hi"},
      {"role": "tool", "tool_call_id": "nope", "content": "x"}])"), "messages[1].tool_call_id");
  EXPECT_EQ(RefusedMessages(R"([{"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
      "function": {"name": "f", "arguments": "{not json"}}]}])"),
            "messages[0].tool_calls[0].function.arguments");
  EXPECT_EQ(RefusedMessages(R"([{"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
      "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "c",
      "content": "1"}, {"role": "tool", "tool_call_id": "c", "content": "2"}])"),
            "messages[2].tool_call_id");
  EXPECT_EQ(RefusedMessages(R"([{"role": "wizard", "content": "x"}])"), "messages[0].role");
}

TEST(CheckMessages, ImagesAreBoundedAndOnlyWhereTheyBelong) {
  std::string param;
  Json ok = {{{"role", "user"}, {"content", {{{"type", "image_url"}, {"image_url", {{"url", kPng}}}}}}}};
  EXPECT_TRUE(CheckMessages(ok, &param).ok());
  Json huge = ok;
  huge[0]["content"][0]["image_url"]["url"] = "data:image/png;base64," + std::string(12 << 20, 'A');
  EXPECT_FALSE(CheckMessages(huge, &param).ok());
  EXPECT_EQ(param, "messages[0].content[0]");
  EXPECT_EQ(RefusedMessages(R"([{"role": "user", "content": [{"type": "image_url",
      "image_url": {"url": "http://insecure.invalid/a.png"}}]}])"), "messages[0].content[0]");
  EXPECT_EQ(RefusedMessages(R"([{"role": "user", "content": [{"type": "image_url",
      "image_url": {"url": "data:text/html;base64,PHNjcmlwdD4="}}]}])"), "messages[0].content[0]");
  EXPECT_EQ(RefusedMessages(R"([{"role": "system", "content": [{"type": "image_url",
      "image_url": {"url": "https://a.invalid/a.png"}}]}])"), "messages[0].content[0]");
}

ChatRequest Chat(const char* options) {
  ChatRequest chat;
  chat.model = "claude-3-haiku-20240307";
  chat.user = "hi";
  chat.options = Json::parse(options);
  return chat;
}

TEST(AnthropicBody, TranslatesFieldsWhereTheMessagesApiHasThem) {
  ChatRequest chat = Chat(R"({"stop": "END", "top_p": 0.5, "top_k": 3, "user": "u-1",
      "max_completion_tokens": 77, "parallel_tool_calls": false, "tool_choice": "required",
      "tools": [{"type": "function", "function": {"name": "weather", "parameters":
        {"type": "object", "properties": {"city": {"type": "string"}}}}}]})");
  Json b = AnthropicBody(chat).value();
  EXPECT_EQ(b["stop_sequences"], Json::array({"END"}));
  EXPECT_EQ(b["top_p"], 0.5);
  EXPECT_EQ(b["top_k"], 3);
  EXPECT_EQ(b["metadata"]["user_id"], "u-1");
  EXPECT_EQ(b["max_tokens"], 77);
  EXPECT_EQ(b["tools"][0]["name"], "weather");
  EXPECT_EQ(b["tools"][0]["input_schema"]["properties"]["city"]["type"], "string");
  EXPECT_EQ(b["tool_choice"], (Json{{"type", "any"}, {"disable_parallel_tool_use", true}}));
}

TEST(AnthropicBody, RefusesByNameWhatItHasNoCounterpartFor) {
  for (const char* field : {"seed", "logit_bias", "presence_penalty", "frequency_penalty",
                            "metadata", "reasoning_effort"}) {
    Json o = {{field, field == std::string("logit_bias") || field == std::string("metadata")
                          ? Json::object({{"1", 1}})
                          : Json(1)}};
    if (field == std::string("reasoning_effort")) o[field] = "low";
    ChatRequest chat = Chat("{}");
    chat.options = o;
    absl::Status s = AnthropicBody(chat).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(std::string(s.message()), HasSubstr(field));
    EXPECT_THAT(std::string(s.message()), HasSubstr("Anthropic"));
  }
}

TEST(AnthropicBody, AParticipantsNameGoesToOpenAiAndIsRefusedByAnthropic) {
  Json named = {{"role", "user"}, {"name", "ada"}, {"content", "hi"}};
  EXPECT_FALSE(PlainMessage(named)) << "the name travels with the whole message";
  EXPECT_TRUE(PlainMessage(Json{{"role", "user"}, {"content", "hi"}}));
  ChatRequest chat = Chat("{}");
  chat.user.clear();
  chat.turns = {{"user", "hi", named}};
  absl::Status s = AnthropicBody(chat).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("name"));
}

TEST(AnthropicBody, ToolTurnsImagesAndResults) {
  ChatRequest chat = Chat("{}");
  chat.user.clear();
  chat.turns = {
      {"user", "look", Json::parse(std::string(R"({"role": "user", "content": [{"type": "text",
          "text": "look"}, {"type": "image_url", "image_url": {"url": ")") + kPng + R"("}}]})")},
      {"assistant", "", Json::parse(R"({"role": "assistant", "content": null, "tool_calls": [
          {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}},
          {"id": "c2", "type": "function", "function": {"name": "g", "arguments": "{}"}}]})")},
      {"tool", "one", Json::parse(R"({"role": "tool", "tool_call_id": "c1", "content": "one"})")},
      {"tool", "two", Json::parse(R"({"role": "tool", "tool_call_id": "c2", "content": "two"})")},
      {"user", "so?"},
  };
  Json m = AnthropicBody(chat).value()["messages"];
  ASSERT_EQ(m.size(), 4u) << m;
  EXPECT_EQ(m[0]["content"][1]["type"], "image");
  EXPECT_EQ(m[0]["content"][1]["source"]["media_type"], "image/png");
  EXPECT_EQ(m[1]["content"][0], (Json{{"type", "tool_use"}, {"id", "c1"}, {"name", "f"},
                                      {"input", {{"a", 1}}}}));
  EXPECT_EQ(m[2]["role"], "user");
  ASSERT_EQ(m[2]["content"].size(), 2u) << "consecutive results share one user turn";
  EXPECT_EQ(m[2]["content"][1]["tool_use_id"], "c2");
  EXPECT_EQ(m[3], (Json{{"role", "user"}, {"content", "so?"}}));
}

TEST(AnthropicBody, StructuredOutputIsAForcedTool) {
  ChatRequest chat = Chat(R"({"response_format": {"type": "json_schema", "json_schema":
      {"name": "person", "schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}})");
  Json b = AnthropicBody(chat).value();
  EXPECT_EQ(b["tool_choice"], (Json{{"type", "tool"}, {"name", kAnswerTool}}));
  EXPECT_EQ(b["tools"][0]["input_schema"]["properties"]["name"]["type"], "string");
  EXPECT_EQ(AnswerToolFor(chat), kAnswerTool);
  chat.options["tools"] = Json::array({WeatherTool()});
  EXPECT_THAT(std::string(AnthropicBody(chat).status().message()), HasSubstr("tools"));
}

}  // namespace
}  // namespace aix::providers
