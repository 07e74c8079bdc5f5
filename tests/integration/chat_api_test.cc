// The whole chat API through aixd's endpoint: tools, structured output,
// images and every forwarded field, driven by the official `openai` npm
// package against fakes that speak OpenAI's and Anthropic's wire formats
// and really implement tools, images and structured output (from the
// request, deterministically); and hostile requests, each a clear 4xx.
#include <unistd.h>

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/endpoint_client.h"
#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kOpenAi[] = "openai/gpt-fake";
constexpr char kAnthropic[] = "anthropic/claude-fake";
constexpr char kRouter[] = "openrouter/some-model";

class ChatApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", fake_.base() + "/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"config", "--set", "anthropic_base_url", fake_.base() + "/v1"}).exit_code, 0);
    for (const char* p : {"openrouter", "openai", "anthropic"}) {
      ASSERT_EQ(box_.Aix({"api-key", p}, std::string("test-key-chat-api-") + p).exit_code, 0);
    }
    http_sock_ = box_.dir + "/run/http.sock";
  }

  // Node runs an SDK check script and returns the JSON line it printed.
  Json Node(const std::string& script, const std::string& package) {
    const char* modules = std::getenv("AIX_NODE_MODULES");
    EXPECT_TRUE(modules != nullptr && access((std::string(modules) + "/" + package).c_str(), R_OK) == 0)
        << "AIX_NODE_MODULES must name a node_modules with " << package
        << " (tools/test.sh installs tests/endpoint/package.json)";
    if (modules == nullptr) return Json();
    auto env = box_.env;
    env["NODE_PATH"] = modules;
    env["AIX_HTTP_SOCKET"] = http_sock_;
    env["AIX_MODELS"] = Json::array({kOpenAi, kAnthropic}).dump();
    env["AIX_FIELDS_MODEL"] = kRouter;
    env["AIX_REFUSING_MODEL"] = kAnthropic;
    Result r = RunProcess({"/usr/bin/node", Runfile("tests/endpoint/" + script)}, env, "", 120);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j.is_discarded() ? Json() : j;
  }

  HttpResult Chat(const Json& request) {
    return CurlEndpoint(box_.env, http_sock_, "POST", "/chat/completions", request.dump());
  }

  // Requests returns the recorded requests whose path ends with `suffix`.
  Json Requests(const std::string& suffix) {
    Json out = Json::array();
    for (const Json& r : fake_.Requests()) {
      const std::string path = r["path"];
      if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back(r);
      }
    }
    return out;
  }

  Sandbox box_;
  FakeProvider fake_{box_.dir};
  std::string http_sock_;
};

TEST_F(ChatApiTest, TheOpenAiSdkRunsToolsStructuredOutputAndImagesOnEveryProvider) {
  Json j = Node("chat_api_check.cjs", "openai");
  ASSERT_TRUE(j.is_object());

  for (const char* model : {kOpenAi, kAnthropic}) {
    SCOPED_TRACE(model);
    const Json& m = j["models"][model];
    for (const char* how : {"stream_tools", "whole_tools"}) {
      SCOPED_TRACE(how);
      const Json& loop = m[how];
      ASSERT_EQ(loop["first"]["calls"].size(), 1u) << loop;
      EXPECT_EQ(loop["first"]["calls"][0]["name"], "get_weather");
      EXPECT_FALSE(loop["first"]["calls"][0]["id"].get<std::string>().empty());
      EXPECT_EQ(loop["args"], (Json{{"city", "Oslo"}, {"days", 42}}));
      EXPECT_EQ(loop["first"]["finish"], "tool_calls");
      EXPECT_EQ(loop["answer"], "Tool result: 4 degrees in Oslo");
      EXPECT_EQ(loop["finish"], "stop");
    }
    EXPECT_GT(m["stream_tools"]["first"]["fragments"].get<int>(), 2) << "arguments arrive in pieces";
    EXPECT_EQ(m["parsed"]["parsed"], (Json{{"name", "Ada"}, {"age", 42}, {"tags", {"Ada"}}}));
    EXPECT_EQ(m["parsed"]["finish"], "stop");
    EXPECT_THAT(m["image"].get<std::string>(), HasSubstr("I see 1 image(s): image/png, 70 bytes"));
  }

  // What the providers were sent: OpenAI's shapes as the SDK wrote them;
  // Anthropic's translated.
  bool openai_tool_result = false;
  for (const Json& req : Requests("/chat/completions")) {
    for (const Json& msg : req["body"]["messages"]) {
      openai_tool_result |= msg["role"] == "tool" && msg["content"] == "4 degrees in Oslo";
    }
  }
  EXPECT_TRUE(openai_tool_result);
  bool tool_use = false, tool_result = false, image = false, forced = false;
  for (const Json& req : Requests("/v1/messages")) {
    const Json& body = req["body"];
    forced |= body.contains("tool_choice") && body["tool_choice"]["type"] == "tool";
    for (const Json& msg : body["messages"]) {
      if (!msg["content"].is_array()) continue;
      for (const Json& block : msg["content"]) {
        tool_use |= block["type"] == "tool_use" && block["input"]["city"] == "Oslo";
        tool_result |= block["type"] == "tool_result" && block["content"] == "4 degrees in Oslo";
        image |= block["type"] == "image" && block["source"]["media_type"] == "image/png";
      }
    }
  }
  EXPECT_TRUE(tool_use && tool_result && image && forced)
      << tool_use << tool_result << image << forced;

  // Every field reached the OpenAI-compatible provider as sent.
  Json sent = j["fields"]["sent"];
  Json got;
  for (const Json& req : Requests("/chat/completions")) {
    if (req["body"]["messages"][0]["content"] == "fields please") got = req["body"];
  }
  ASSERT_TRUE(got.is_object()) << "the fields request never reached the provider";
  for (auto it = sent.begin(); it != sent.end(); ++it) {
    if (it.key() == "model" || it.key() == "messages") continue;
    EXPECT_EQ(got[it.key()], it.value()) << it.key();
  }
  EXPECT_EQ(got["model"], "some-model");
  EXPECT_FALSE(got.contains("max_tokens")) << "max_completion_tokens goes instead";

  EXPECT_EQ(j["refused"]["status"], 400) << j["refused"];
  EXPECT_THAT(j["refused"]["message"].get<std::string>(), HasSubstr("seed"));
  EXPECT_THAT(j["refused"]["message"].get<std::string>(), HasSubstr("Anthropic"));
  EXPECT_EQ(j["n2"]["status"], 400);
  EXPECT_EQ(j["n2"]["param"], "n");

  // The history keeps the tool calls answers made, and what was asked for.
  Result listed = box_.Aix({"history", "--runs", "--json", "-n", "100"});
  Json runs = Json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(runs.is_object()) << listed.out << listed.err;
  runs = runs["runs"];
  std::string tool_run, schema_run;
  for (const Json& run : runs) {
    if (run.value("tool_calls", Json::array()).dump().find("get_weather") != std::string::npos) {
      tool_run = run.value("id", "");
    }
    if (!run.value("response_format_json", "").empty()) schema_run = run.value("id", "");
  }
  ASSERT_FALSE(tool_run.empty()) << runs.dump().substr(0, 2000);
  EXPECT_THAT(box_.Aix({"history", "show", "--run", tool_run}).out,
              HasSubstr("tool call: get_weather {\"city\": \"Oslo\", \"days\": 42}"));
  ASSERT_FALSE(schema_run.empty());
  EXPECT_THAT(box_.Aix({"history", "show", "--run", schema_run}).out, HasSubstr("asked for: json_"));
}

// Programs built on the Anthropic SDK use aixd too: POST /v1/messages,
// routed by the same model names to either kind of provider.
TEST_F(ChatApiTest, TheAnthropicSdkWorksThroughMessagesOnEveryProvider) {
  Json j = Node("anthropic_sdk_check.cjs", "@anthropic-ai/sdk");
  ASSERT_TRUE(j.is_object());
  for (const char* model : {kOpenAi, kAnthropic}) {
    SCOPED_TRACE(model);
    const Json& m = j["models"][model];
    EXPECT_EQ(m["whole"]["text"], "Echo: whole please");
    EXPECT_EQ(m["whole"]["stop"], "end_turn");
    EXPECT_EQ(m["whole"]["type"], "message");
    EXPECT_GT(m["whole"]["usage"]["output_tokens"].get<int>(), 0);
    EXPECT_EQ(m["streamed"]["deltas"], "Echo: stream please");
    EXPECT_EQ(m["streamed"]["text"], "Echo: stream please");
    EXPECT_EQ(m["streamed"]["stop"], "end_turn");
    for (const char* event : {"message_start", "content_block_start", "content_block_delta",
                              "content_block_stop", "message_delta", "message_stop"}) {
      EXPECT_THAT(m["streamed"]["events"].dump(), HasSubstr(event));
    }
    for (const char* how : {"tools", "stream_tools"}) {
      SCOPED_TRACE(how);
      EXPECT_EQ(m[how]["stop"], "tool_use");
      EXPECT_EQ(m[how]["name"], "get_weather");
      EXPECT_EQ(m[how]["input"], (Json{{"city", "Oslo"}, {"days", 42}}));
      EXPECT_EQ(m[how]["answer"], "Tool result: 4 degrees in Oslo");
      EXPECT_EQ(m[how]["stop2"], "end_turn");
    }
    EXPECT_THAT(m["image"].get<std::string>(), HasSubstr("I see 1 image(s): image/png, 70 bytes"));
  }
  EXPECT_EQ(j["not_found"]["status"], 404) << j["not_found"];
  EXPECT_EQ(j["not_found"]["name"], "NotFoundError");
  EXPECT_EQ(j["refused"]["status"], 400) << j["refused"];
  EXPECT_EQ(j["refused"]["type"], "invalid_request_error");
  EXPECT_THAT(j["refused"]["message"].get<std::string>(), HasSubstr("thinking"));
}

void Write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// aix run sends files with a prompt and asks for structured output; the
// history records both (attachments by digest, not bytes), and the cost
// OpenRouter reports.
TEST_F(ChatApiTest, AixRunAttachesFilesAsksForJsonAndTheHistoryKeepsIt) {
  ASSERT_EQ(box_.Aix({"create", "look", "Look at this."}).exit_code, 0);
  const std::string png = box_.dir + "/cat.png", notes = box_.dir + "/notes.txt",
                    schema = box_.dir + "/person.json", blob = box_.dir + "/blob.bin";
  std::string png_bytes = "\x89PNG\r\n\x1a\n";
  png_bytes += std::string(62, '\x01');
  Write(png, png_bytes);
  Write(notes, "the cat is grey\n");
  Write(schema, R"({"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                    "required": ["name", "age"], "additionalProperties": false})");
  Write(blob, std::string("\x00\xff\xfe binary", 10));

  Result r = box_.Aix({"run", "look", "--provider", "openrouter", "-a", png, "-a", notes});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("I see 1 image(s): image/png, 70 bytes. Look at this."));
  Json content = fake_.Requests().back()["body"]["messages"].back()["content"];
  ASSERT_EQ(content.size(), 3u) << content;
  EXPECT_EQ(content[0], (Json{{"type", "text"}, {"text", "Look at this."}}));
  EXPECT_EQ(content[1]["image_url"]["url"].get<std::string>().substr(0, 22), "data:image/png;base64,");
  EXPECT_THAT(content[2]["text"].get<std::string>(), HasSubstr("--- notes.txt ---\nthe cat is grey"));
  Result sum = RunProcess({"/usr/bin/sha256sum", png}, box_.env, "", 10);
  Result show = box_.Aix({"history", "show", "--run", Json::parse(box_.Aix({"history", "--runs", "--json"}).out)["runs"][0]["id"].get<std::string>()});
  EXPECT_THAT(show.out, HasSubstr("attached:  cat.png (image/png, 70 bytes, sha256 " + sum.out.substr(0, 16)));
  EXPECT_THAT(show.out, HasSubstr("attached:  notes.txt (text/plain, 16 bytes"));
  EXPECT_THAT(show.out, HasSubstr("cost:      0.00")) << "OpenRouter was asked for its cost";
  EXPECT_THAT(box_.Aix({"usage"}).out, HasSubstr("cost"));

  Result structured = box_.Aix({"run", "look", "--schema", schema, "--json"});
  ASSERT_EQ(structured.exit_code, 0) << structured.err;
  Json answer = Json::parse(Json::parse(structured.out)["text"].get<std::string>());
  EXPECT_EQ(answer, (Json{{"name", "Look at this."}, {"age", 42}}));
  Json format = fake_.Requests().back()["body"]["response_format"];
  EXPECT_EQ(format["json_schema"]["name"], "person");
  EXPECT_EQ(format["json_schema"]["strict"], true);
  const std::string id = Json::parse(structured.out)["run_id"].dump();
  EXPECT_THAT(box_.Aix({"history", "show", "--run", id}).out, HasSubstr("asked for: json_schema person"));

  fake_.Script(Json::parse(R"([{"chunks": ["not ", "json"]}])"));
  Result not_json = box_.Aix({"run", "look", "--schema", schema});
  EXPECT_EQ(not_json.exit_code, 1);
  EXPECT_THAT(not_json.err, HasSubstr("not the JSON --schema asked for"));
  EXPECT_THAT(not_json.err, HasSubstr("aix history show"));

  Result binary = box_.Aix({"run", "look", "-a", blob});
  EXPECT_EQ(binary.exit_code, 2);
  EXPECT_THAT(binary.err, HasSubstr("neither an image (PNG, JPEG, GIF, WebP) nor UTF-8 text"));
}

TEST_F(ChatApiTest, HostileRequestsGetAClear4xxAndTheDaemonGoesOn) {
  auto ask = [](Json extra) {
    Json j = {{"model", kOpenAi}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    j.update(extra);
    return j;
  };
  struct Case {
    const char* what;
    Json request;
    const char* param;
  };
  Json many = Json::array();
  for (int i = 0; i < 10000; ++i) {
    many.push_back({{"type", "function"}, {"function", {{"name", "t" + std::to_string(i)}}}});
  }
  Json big_schema = {{"type", "object"}, {"description", std::string(1 << 20, 'x')}};
  const std::string huge_image = "data:image/png;base64," + std::string(12 << 20, 'A');
  std::vector<Case> cases = {
      {"arguments that are not JSON",
       ask({{"messages", {{{"role", "user"}, {"content", "hi"}},
                          {{"role", "assistant"}, {"tool_calls", {{{"id", "c1"}, {"type", "function"},
                             {"function", {{"name", "f"}, {"arguments", "{city: Oslo"}}}}}}}}}}),
       "messages[1].tool_calls[0].function.arguments"},
      {"a 1 MB schema",
       ask({{"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "n"}, {"schema", big_schema}}}}}}),
       "response_format.json_schema.schema"},
      {"10,000 tools", ask({{"tools", many}}), "tools"},
      {"a huge data URL",
       ask({{"messages", {{{"role", "user"}, {"content", {{{"type", "image_url"},
                                                          {"image_url", {{"url", huge_image}}}}}}}}}}),
       "messages[0].content[0]"},
      {"a tool message with no matching call",
       ask({{"messages", {{{"role", "user"}, {"content", "hi"}},
                          {{"role", "tool"}, {"tool_call_id", "call_nowhere"}, {"content", "x"}}}}}),
       "messages[1].tool_call_id"},
  };
  const size_t before = fake_.Requests().size();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    HttpResult r = Chat(c.request);
    EXPECT_EQ(r.status, 400) << r.body.substr(0, 300) << r.err;
    Json e = Json::parse(r.body, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << r.body.substr(0, 300);
    EXPECT_EQ(e["error"]["param"], c.param) << e;
    EXPECT_EQ(e["error"]["type"], "invalid_request_error");
  }
  EXPECT_EQ(fake_.Requests().size(), before) << "nothing refused reached a provider";
  HttpResult ok = Chat(ask(Json::object()));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_THAT(ok.body, HasSubstr("Echo: hi"));
}

}  // namespace
}  // namespace aix::testing
