// Anthropic's Messages API in and out: the translation of its requests
// into the run's terms, and its answers, whole and streamed.
#include "daemon/endpoint/anthropic_shapes.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix::endpoint {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

ChatCall Parse(const Json& body) {
  std::string param;
  absl::StatusOr<ChatCall> call = ParseMessagesCall(body.dump(), &param);
  EXPECT_TRUE(call.ok()) << call.status() << " param " << param;
  return call.ok() ? *call : ChatCall();
}

std::string Refused(const Json& body) {
  std::string param;
  absl::StatusOr<ChatCall> call = ParseMessagesCall(body.dump(), &param);
  EXPECT_EQ(call.status().code(), absl::StatusCode::kInvalidArgument) << body;
  return param;
}

TEST(ParseMessagesCall, TranslatesEveryPartIntoTheRunsTerms) {
  Json body = Json::parse(R"({
    "model": "anthropic/claude-3-haiku-20240307", "max_tokens": 300, "stream": true,
    "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
    "temperature": 0.5, "top_k": 5, "stop_sequences": ["END"], "metadata": {"user_id": "u-1"},
    "tools": [{"name": "weather", "description": "now", "input_schema": {"type": "object"}}],
    "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
    "messages": [
      {"role": "user", "content": [{"type": "text", "text": "Oslo?"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]},
      {"role": "assistant", "content": [{"type": "text", "text": "Looking."},
        {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Oslo"}}]},
      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "4 C"},
        {"type": "text", "text": "and?"}]}]})");
  ChatCall call = Parse(body);
  EXPECT_TRUE(call.stream);
  EXPECT_EQ(call.run.provider(), "anthropic");
  EXPECT_EQ(call.run.max_tokens(), 300);
  EXPECT_EQ(call.run.temperature(), 0.5);
  Json options = Json::parse(call.run.options_json());
  EXPECT_EQ(options["top_k"], 5);
  EXPECT_EQ(options["stop"], Json::array({"END"}));
  EXPECT_EQ(options["user"], "u-1");
  EXPECT_EQ(options["tool_choice"], "required");
  EXPECT_EQ(options["parallel_tool_calls"], false);
  EXPECT_EQ(options["tools"][0]["function"]["parameters"], (Json{{"type", "object"}}));
  ASSERT_EQ(call.run.messages_size(), 5);
  EXPECT_EQ(call.run.messages(0).role(), "system");
  EXPECT_EQ(call.run.messages(0).content(), "Be brief.");
  Json image = Json::parse(call.run.messages(1).message_json())["content"][1];
  EXPECT_EQ(image["image_url"]["url"], "data:image/png;base64,iVBORw0KGgo=");
  Json assistant = Json::parse(call.run.messages(2).message_json());
  EXPECT_EQ(assistant["content"], "Looking.");
  EXPECT_EQ(assistant["tool_calls"][0]["function"]["arguments"], "{\"city\":\"Oslo\"}");
  EXPECT_EQ(call.run.messages(3).role(), "tool");
  EXPECT_EQ(call.run.messages(3).content(), "4 C");
  EXPECT_EQ(call.run.messages(4).content(), "and?");
}

TEST(ParseMessagesCall, RefusesByNameWhatHasNoCounterpart) {
  Json ok = {{"model", "m"}, {"max_tokens", 10}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  Json thinking = ok;
  thinking["thinking"] = {{"type", "enabled"}, {"budget_tokens", 1024}};
  EXPECT_EQ(Refused(thinking), "thinking");
  Json server_tool = ok;
  server_tool["tools"] = {{{"type", "web_search_20250305"}, {"name", "web_search"}}};
  EXPECT_EQ(Refused(server_tool), "tools[0].type");
  Json document = ok;
  document["messages"][0]["content"] = {{{"type", "document"}, {"source", Json::object()}}};
  EXPECT_EQ(Refused(document), "messages[0].content[0]");
  Json no_max = ok;
  no_max.erase("max_tokens");
  EXPECT_EQ(Refused(no_max), "max_tokens");
  Json orphan = ok;
  orphan["messages"] = {{{"role", "user"}, {"content", {{{"type", "tool_result"}, {"tool_use_id", "x"},
                                                         {"content", "r"}}}}}};
  EXPECT_THAT(Refused(orphan), HasSubstr("tool_call_id"));
}

std::vector<Json> Events(const std::string& stream, std::vector<std::string>* names) {
  std::vector<Json> out;
  size_t at = 0;
  while ((at = stream.find("event: ", at)) != std::string::npos) {
    size_t nl = stream.find('\n', at);
    names->push_back(stream.substr(at + 7, nl - at - 7));
    size_t data = stream.find("data: ", nl);
    size_t end = stream.find("\n\n", data);
    out.push_back(Json::parse(stream.substr(data + 6, end - data - 6)));
    at = end;
  }
  return out;
}

TEST(AnthropicAnswer, StreamsBlocksAsTheSdkExpects) {
  ChatCall call;
  call.model = "anthropic/claude";
  auto answer = AnthropicMessagesApi().NewAnswer(call);
  v1::ToolCallDelta start, args;
  start.set_id("call_1");
  start.set_name("weather");
  args.set_arguments("{\"city\":\"Oslo\"}");
  v1::RunDone done;
  done.set_finish_reason("tool_calls");
  done.set_completion_tokens(9);
  std::string stream = answer->Text("Let me look.");  // one call at a time, in order
  stream += answer->ToolCall(start);
  v1::ToolCallDelta repeated = args;  // some gateways repeat the id in every piece
  repeated.set_id("call_1");
  repeated.set_arguments("");
  stream += answer->ToolCall(args);
  stream += answer->ToolCall(repeated);
  stream += answer->End(done);
  std::vector<std::string> names;
  std::vector<Json> events = Events(stream, &names);
  EXPECT_EQ(names, (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                             "content_block_stop", "content_block_start",
                                             "content_block_delta", "content_block_stop", "message_delta",
                                             "message_stop"}));
  EXPECT_EQ(events[0]["message"]["model"], "anthropic/claude");
  EXPECT_EQ(events[2]["delta"]["text"], "Let me look.");
  EXPECT_EQ(events[4]["index"], 1);
  EXPECT_EQ(events[4]["content_block"]["name"], "weather");
  EXPECT_EQ(events[5]["delta"]["partial_json"], "{\"city\":\"Oslo\"}");
  EXPECT_EQ(events[7]["delta"]["stop_reason"], "tool_use");
  EXPECT_EQ(events[7]["usage"]["output_tokens"], 9);
  EXPECT_TRUE(events[7]["usage"]["input_tokens"].is_null()) << "unknown, not 0";

  start.set_arguments(args.arguments());
  Json whole = Json::parse(answer->Whole("", {start}, done));
  EXPECT_EQ(whole["type"], "message");
  EXPECT_EQ(whole["content"][0], (Json{{"type", "tool_use"}, {"id", "call_1"}, {"name", "weather"},
                                       {"input", {{"city", "Oslo"}}}}));
  EXPECT_EQ(whole["stop_reason"], "tool_use");
  Json error = Json::parse(AnthropicErrorJson(429, "slow down"));
  EXPECT_EQ(error["error"]["type"], "rate_limit_error");
}

}  // namespace
}  // namespace aix::endpoint
