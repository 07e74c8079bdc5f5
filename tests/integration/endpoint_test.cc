// aixd's OpenAI-compatible endpoint, driven as users' tools drive it: curl on
// the Unix socket and on the loopback port, and the official `openai` npm
// package. Behind it, the fake provider speaks each provider's wire format.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/endpoint_client.h"
#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kKey[] = "test-key-endpoint-4242";

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* p : {"openrouter", "openai"}) {
      std::string base = fake_.base() + (std::string(p) == "openrouter" ? "/api/v1" : "/v1");
      ASSERT_EQ(box_.Aix({"config", "--set", std::string(p) + "_base_url", base}).exit_code, 0);
    }
    ASSERT_EQ(box_.Aix({"config", "--set", "anthropic_base_url", fake_.base() + "/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, kKey).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "greet", "Say hello to {input}."}).exit_code, 0);
    http_sock_ = box_.dir + "/run/http.sock";
  }

  // Curl calls the endpoint: on the Unix socket unless `url` is given.
  HttpResult Curl(const std::string& method, const std::string& path, const std::string& body,
                  std::vector<std::string> extra = {}, const std::string& url = "") {
    return CurlEndpoint(box_.env, http_sock_, method, path, body, extra, url);
  }

  HttpResult Chat(const Json& request, std::vector<std::string> extra = {}, const std::string& url = "") {
    return Curl("POST", "/chat/completions", request.dump(), std::move(extra), url);
  }

  static Json Ask(const std::string& model, const std::string& text, bool stream = false) {
    return Json{{"model", model}, {"stream", stream}, {"messages", {{{"role", "user"}, {"content", text}}}}};
  }

  Json LastRequest() { return fake_.Requests().back(); }

  static void ExpectError(const HttpResult& r, int status, const std::string& type,
                          const std::string& says) {
    ExpectOpenAiError(r, status, type, says);
  }

  // WaitNoRuns waits until aixd has no run in flight: a run cancelled
  // because its HTTP client left ends only once its provider request is
  // cancelled (a stalled provider never notices by itself).
  bool WaitNoRuns(int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 50) {
      Result r = box_.Aix({"daemon", "status", "--json"});
      Json j = Json::parse(r.out, nullptr, false);
      if (!j.is_discarded() && j.value("active_runs", -1) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  bool WaitAbandoned(int n, int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 20) {
      if (fake_.Abandoned() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  Sandbox box_;
  FakeProvider fake_{box_.dir};
  std::string http_sock_;
};

TEST_F(EndpointTest, CurlOnTheSocketGetsWholeAndStreamedAnswers) {
  ASSERT_EQ(box_.Aix({"daemon", "start"}).exit_code, 0);
  struct stat st;
  ASSERT_EQ(stat(http_sock_.c_str(), &st), 0) << "aixd serves http.sock beside its gRPC socket";
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  HttpResult whole = Chat(Ask("some-model", "Ada"));
  ASSERT_EQ(whole.status, 200) << whole.body << whole.err;
  Json j = Json::parse(whole.body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "some-model");
  EXPECT_THAT(j["id"].get<std::string>(), ::testing::StartsWith("chatcmpl-"));
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "Echo: Ada");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["usage"]["total_tokens"].get<int>(),
            j["usage"]["prompt_tokens"].get<int>() + j["usage"]["completion_tokens"].get<int>());
  // The stored key went to the default provider; the caller never had it.
  Json sent = LastRequest();
  EXPECT_EQ(sent["path"], "/api/v1/chat/completions");
  EXPECT_EQ(sent["headers"]["authorization"], std::string("Bearer ") + kKey);
  EXPECT_EQ(sent["body"]["model"], "some-model");

  fake_.Script(Json::parse(R"([{"chunks": ["Hel", "lo ", "there"], "delay_ms": 20}])"));
  Json ask = Ask("some-model", "x", /*stream=*/true);
  ask["stream_options"] = {{"include_usage", true}};
  HttpResult streamed = Chat(ask);
  ASSERT_EQ(streamed.status, 200) << streamed.body << streamed.err;
  std::vector<std::string> events = SseData(streamed.body);
  ASSERT_GE(events.size(), 5u) << streamed.body;
  EXPECT_EQ(events.back(), "[DONE]");
  Json first = Json::parse(events[0]);
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(StreamText(streamed.body), "Hello there");
  Json usage = Json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_GT(usage["usage"]["total_tokens"].get<int>(), 0);
  Json finish = Json::parse(events[events.size() - 3]);
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "stop");
  for (const std::string& e : events) {
    if (e != "[DONE]") {
      EXPECT_EQ(Json::parse(e)["id"], first["id"]) << "one id per answer";
    }
  }
}

TEST_F(EndpointTest, AConversationReachesTheProviderAsSentAndIsKept) {
  Json req = {{"model", "openrouter/some/model:free"},
              {"temperature", 0.2},
              {"max_tokens", 77},
              {"messages",
               {{{"role", "system"}, {"content", "Be {terse}."}},
                {{"role", "user"}, {"content", "first {not a param}"}},
                {{"role", "assistant"}, {"content", "reply one"}},
                {{"role", "user"}, {"content", Json::array({{{"type", "text"}, {"text", "second "}},
                                                            {{"type", "text"}, {"text", "turn"}}})}}}}};
  HttpResult r = Chat(req);
  ASSERT_EQ(r.status, 200) << r.body << r.err;
  Json body = LastRequest()["body"];
  EXPECT_EQ(body["model"], "some/model:free");
  EXPECT_EQ(body["temperature"], 0.2);
  EXPECT_EQ(body["max_tokens"], 77);
  // Content parts go as sent.
  EXPECT_EQ(body["messages"], Json::parse(R"([
      {"role": "system", "content": "Be {terse}."},
      {"role": "user", "content": "first {not a param}"},
      {"role": "assistant", "content": "reply one"},
      {"role": "user", "content": [{"type": "text", "text": "second "},
                                   {"type": "text", "text": "turn"}]}])"));
  // The run history keeps it as a conversation, from "http": the last user
  // message is the turn's prompt, the messages before it its context.
  Result list = box_.Aix({"history", "--runs", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  Json runs = Json::parse(list.out)["runs"];
  ASSERT_EQ(runs.size(), 1u) << list.out;
  const std::string id = runs[0]["id"].get<std::string>();
  Result show = box_.Aix({"history", "show", id, "--run", "--json"});
  Json run = Json::parse(show.out);
  EXPECT_EQ(run["client"], "http");
  EXPECT_EQ(run["system"], "Be {terse}.");
  EXPECT_EQ(run["rendered"], "second turn");
  ASSERT_EQ(run["context"].size(), 2u) << run;
  EXPECT_EQ(run["context"][0]["role"], "user");
  EXPECT_EQ(run["context"][0]["content"], "first {not a param}");
  EXPECT_EQ(run["context"][1]["role"], "assistant");
  EXPECT_EQ(run["context"][1]["content"], "reply one");
  EXPECT_EQ(run["answer"], "Echo: second turn");
  EXPECT_THAT(box_.Aix({"history"}).out, HasSubstr("(chat)"));
  // aix continues it: the provider gets it all again, then the reply.
  Result reply = box_.Aix({"reply", "-c", id, "third"});
  ASSERT_EQ(reply.exit_code, 0) << reply.err;
  body = LastRequest()["body"];
  EXPECT_EQ(body["model"], "some/model:free");
  EXPECT_EQ(body["messages"], Json::parse(R"([
      {"role": "system", "content": "Be {terse}."},
      {"role": "user", "content": "first {not a param}"},
      {"role": "assistant", "content": "reply one"},
      {"role": "user", "content": "second turn"},
      {"role": "assistant", "content": "Echo: second turn"},
      {"role": "user", "content": "third"}])"));
}

TEST_F(EndpointTest, RoutesByModelName) {
  ASSERT_EQ(box_.Aix({"api-key", "openai"}, kKey).exit_code, 0);
  ASSERT_EQ(box_.Aix({"api-key", "anthropic"}, kKey).exit_code, 0);
  ASSERT_EQ(box_.Aix({"provider", "add", "local", fake_.base() + "/custom/v1", "--model", "llama3",
                      "--auth-type", "none"}).exit_code, 0);

  ASSERT_EQ(Chat(Ask("openai/gpt-4o-mini", "a")).status, 200);
  EXPECT_EQ(LastRequest()["path"], "/v1/chat/completions");
  EXPECT_EQ(LastRequest()["body"]["model"], "gpt-4o-mini");

  // Anthropic's stream comes back as OpenAI chunks.
  fake_.Script(Json::parse(R"([{"chunks": ["An", "thropic"]}])"));
  HttpResult a = Chat(Ask("anthropic/claude-3-haiku-20240307", "b", /*stream=*/true));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(LastRequest()["path"], "/v1/messages");
  EXPECT_EQ(LastRequest()["body"]["model"], "claude-3-haiku-20240307");
  EXPECT_EQ(StreamText(a.body), "Anthropic");
  EXPECT_EQ(SseData(a.body).back(), "[DONE]");
  HttpResult aw = Chat(Ask("anthropic/claude-3-haiku-20240307", "whole"));
  ASSERT_EQ(aw.status, 200) << aw.body;
  EXPECT_EQ(Json::parse(aw.body)["choices"][0]["finish_reason"], "stop");

  ASSERT_EQ(Chat(Ask("custom:local/qwen2", "c")).status, 200);
  EXPECT_EQ(LastRequest()["path"], "/custom/v1/chat/completions");
  EXPECT_EQ(LastRequest()["body"]["model"], "qwen2");
  ASSERT_EQ(Chat(Ask("custom:local", "c")).status, 200);
  EXPECT_EQ(LastRequest()["body"]["model"], "llama3");

  // A saved prompt: {input} is the last user message.
  HttpResult p = Chat(Ask("prompt:greet", "Grace"));
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(Json::parse(p.body)["choices"][0]["message"]["content"], "Echo: Say hello to Grace.");

  // A bare model goes to the default provider, named as written.
  ASSERT_EQ(box_.Aix({"config", "--set", "default_provider", "openai"}).exit_code, 0);
  ASSERT_EQ(Chat(Ask("meta-llama/llama-3.2-3b-instruct:free", "d")).status, 200);
  EXPECT_EQ(LastRequest()["path"], "/v1/chat/completions");
  EXPECT_EQ(LastRequest()["body"]["model"], "meta-llama/llama-3.2-3b-instruct:free");

  HttpResult models = Curl("GET", "/models", "");
  ASSERT_EQ(models.status, 200) << models.body;
  std::vector<std::string> ids;
  const Json listed = Json::parse(models.body);
  for (const Json& m : listed["data"]) ids.push_back(m["id"].get<std::string>());
  EXPECT_THAT(ids, ::testing::IsSupersetOf({std::string("openai/gpt-3.5-turbo"),
                                            std::string("anthropic/claude-3-haiku-20240307"),
                                            std::string("custom:local/llama3"),
                                            std::string("prompt:greet")}));
}

// GET /v1/models/{id} answers for any model a chat would route.
TEST_F(EndpointTest, ModelsAreFoundOneByOne) {
  HttpResult named = Curl("GET", "/models/openai/gpt-4o-mini", "");
  ASSERT_EQ(named.status, 200) << named.body;
  EXPECT_EQ(Json::parse(named.body), (Json{{"id", "openai/gpt-4o-mini"}, {"object", "model"},
                                           {"created", 0}, {"owned_by", "openai"}}));
  HttpResult prompt = Curl("GET", "/models/prompt:greet", "");
  ASSERT_EQ(prompt.status, 200) << prompt.body;
  EXPECT_EQ(Json::parse(prompt.body)["owned_by"], "aixd");
  HttpResult bare = Curl("GET", "/models/some-model", "");
  ASSERT_EQ(bare.status, 200) << bare.body;
  EXPECT_EQ(Json::parse(bare.body)["owned_by"], "openrouter") << "the default provider's";
  ExpectError(Curl("GET", "/models/prompt:no-such", ""), 404, "not_found_error", "GET /v1/models lists");
  ExpectError(Curl("GET", "/models/custom:nowhere/x", ""), 404, "not_found_error", "custom:nowhere/x");
}

TEST_F(EndpointTest, BadRequestsGetOpenAiErrorObjects) {
  ExpectError(Curl("POST", "/chat/completions", "{\"model\": \"m\", \"messages\": ["), 400,
              "invalid_request_error", "not valid JSON");
  ExpectError(Curl("POST", "/chat/completions", "[1, 2]"), 400, "invalid_request_error",
              "JSON object");
  HttpResult missing = Chat(Json{{"messages", {{{"role", "user"}, {"content", "hi"}}}}});
  ExpectError(missing, 400, "invalid_request_error", "model is required");
  EXPECT_EQ(Json::parse(missing.body)["error"]["param"], "model");
  ExpectError(Chat(Ask("custom:nope/some-model", "hi")), 404, "not_found_error",
              "aix provider add nope");
  ExpectError(Chat(Ask("prompt:no-such-prompt", "hi")), 404, "not_found_error", "no-such-prompt");
  ExpectError(Chat(Json{{"model", 42}, {"messages", Json::array()}}), 400, "invalid_request_error",
              "model must be a string");
  ExpectError(Chat(Json{{"model", "m"}, {"messages", nullptr}}), 400, "invalid_request_error",
              "messages must be a non-empty array");
  ExpectError(Chat(Json{{"model", "m"}, {"messages", {{{"role", "tool"}, {"content", "x"}}}}}), 400,
              "invalid_request_error", "tool message without a tool_call_id");
  ExpectError(Chat(Json{{"model", "m"},
                        {"messages", {{{"role", "user"},
                                       {"content", {{{"type", "image_url"}, {"image_url", "x"}}}}}}}}),
              400, "invalid_request_error", "image_url part without image_url.url");
  Json tools = Ask("m", "hi");
  tools["tools"] = Json::array({{{"type", "function"}}});
  ExpectError(Chat(tools), 400, "invalid_request_error", "tools[0].function.name must be a name");
  Json n = Ask("m", "hi");
  n["n"] = 3;
  ExpectError(Chat(n), 400, "invalid_request_error", "n must be 1");
  Json temp = Ask("m", "hi");
  temp["temperature"] = "hot";
  ExpectError(Chat(temp), 400, "invalid_request_error", "temperature");
  ExpectError(Curl("GET", "/chat/completions", ""), 405, "invalid_request_error", "use POST");
  ExpectError(Curl("GET", "/embeddings", ""), 404, "not_found_error", "/v1/chat/completions");
  // A body over the bound is refused without being kept.
  std::string file = box_.dir + "/big.json";
  ASSERT_EQ(RunProcess({"/bin/sh", "-c", "head -c " + std::to_string(17 << 20) +
                                              " /dev/zero | tr '\\0' a > " + file},
                       box_.env).exit_code, 0);
  ExpectError(Curl("POST", "/chat/completions", "", {"--data-binary", "@" + file}), 413,
              "invalid_request_error", "over 16 MiB");
  // None of it reached the provider.
  EXPECT_TRUE(fake_.Requests().empty());
  // And aixd still serves.
  EXPECT_EQ(Chat(Ask("m", "still here")).status, 200);
}

TEST_F(EndpointTest, ProviderFailuresKeepTheirMeaning) {
  ASSERT_EQ(box_.Aix({"config", "--set", "max_retries", "0"}).exit_code, 0);
  fake_.Script(Json::parse(R"([{"status": 429, "error": "slow down", "headers": {"Retry-After": "1"}}])"));
  ExpectError(Chat(Ask("m", "hi")), 429, "rate_limit_error", "slow down");
  fake_.Script(Json::parse(R"([{"status": 500, "error": "it broke"}])"));
  ExpectError(Chat(Ask("m", "hi", /*stream=*/true)), 502, "api_error", "it broke");
  // No key for OpenAI: the fix is named.
  ExpectError(Chat(Ask("openai/gpt-4o-mini", "hi")), 401, "authentication_error", "aix api-key");
  // The stream broke after text had gone out: an error event ends it.
  fake_.Script(Json::parse(R"([{"chunks": ["part", "ial", "never"], "reset_after": 2}])"));
  HttpResult broken = Chat(Ask("m", "hi", /*stream=*/true));
  EXPECT_EQ(broken.status, 200);
  EXPECT_EQ(StreamText(broken.body), "partial");
  Json last = Json::parse(SseData(broken.body).back(), nullptr, false);
  ASSERT_FALSE(last.is_discarded()) << broken.body;
  EXPECT_TRUE(last.contains("error")) << broken.body;
  // Retries and fallbacks are the run path's: a 503 is retried.
  ASSERT_EQ(box_.Aix({"config", "--set", "max_retries", "1"}).exit_code, 0);
  fake_.Script(Json::parse(R"([{"status": 503, "error": "busy"}, {"chunks": ["second try"]}])"));
  HttpResult retried = Chat(Ask("m", "hi"));
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(Json::parse(retried.body)["choices"][0]["message"]["content"], "second try");
}

TEST_F(EndpointTest, LoopbackPortNeedsTheToken) {
  Result off = box_.Aix({"endpoint"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_THAT(off.out, HasSubstr(http_sock_));
  EXPECT_THAT(off.out, HasSubstr("url:    off"));

  Result refused = box_.Aix({"config", "--set", "http_listen", "0.0.0.0:8791"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("not a loopback address"));

  const int port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  Result on = box_.Aix({"config", "--set", "http_listen", "127.0.0.1:" + std::to_string(port)});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  Result info = box_.Aix({"endpoint", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  Json j = Json::parse(info.out);
  EXPECT_EQ(j["url"], url);
  EXPECT_EQ(j["token"], "");
  std::string masked = j["masked_token"];
  Result token = box_.Aix({"endpoint", "token"});
  ASSERT_EQ(token.exit_code, 0);
  std::string t = token.out.substr(0, token.out.find('\n'));
  ASSERT_GE(t.size(), 32u);
  EXPECT_THAT(info.out, Not(HasSubstr(t)));
  EXPECT_EQ(masked.substr(masked.size() - 4), t.substr(t.size() - 4));
  struct stat st;
  ASSERT_EQ(stat(j["token_path"].get<std::string>().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ExpectError(Chat(Ask("m", "hi"), {}, url), 401, "authentication_error", "aix endpoint token");
  ExpectError(Chat(Ask("m", "hi"), {"-H", "Authorization: Bearer wrong-token-000"}, url), 401,
              "authentication_error", "wrong token");
  EXPECT_EQ(Curl("GET", "/models", "", {}, url).status, 401);
  // Anthropic's SDKs send the key as x-api-key, and hear Anthropic's error.
  const std::string messages = R"({"model": "m", "max_tokens": 9, "messages": [{"role": "user", "content": "hi"}]})";
  HttpResult anthropic_refused = Curl("POST", "/messages", messages, {"-H", "x-api-key: wrong-token-000"}, url);
  EXPECT_EQ(anthropic_refused.status, 401);
  EXPECT_EQ(Json::parse(anthropic_refused.body)["error"]["type"], "authentication_error") << anthropic_refused.body;
  EXPECT_EQ(Json::parse(anthropic_refused.body)["type"], "error");
  HttpResult anthropic_ok = Curl("POST", "/messages", messages, {"-H", "x-api-key: " + t}, url);
  ASSERT_EQ(anthropic_ok.status, 200) << anthropic_ok.body;
  EXPECT_EQ(Json::parse(anthropic_ok.body)["content"][0]["text"], "Echo: hi");
  HttpResult ok = Chat(Ask("m", "tcp"), {"-H", "Authorization: Bearer " + t}, url);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json::parse(ok.body)["choices"][0]["message"]["content"], "Echo: tcp");
  HttpResult st_ok = Chat(Ask("m", "tcp stream", true), {"-H", "Authorization: Bearer " + t}, url);
  EXPECT_EQ(StreamText(st_ok.body), "Echo: tcp stream");

  // Rotation: the old token stops working at once.
  Result rotated = box_.Aix({"endpoint", "token", "--rotate"});
  ASSERT_EQ(rotated.exit_code, 0);
  std::string t2 = rotated.out.substr(0, rotated.out.find('\n'));
  EXPECT_NE(t2, t);
  EXPECT_EQ(Chat(Ask("m", "hi"), {"-H", "Authorization: Bearer " + t}, url).status, 401);
  EXPECT_EQ(Chat(Ask("m", "hi"), {"-H", "Authorization: Bearer " + t2}, url).status, 200);

  // The setting outlives the daemon.
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"daemon", "start"}).exit_code, 0);
  EXPECT_EQ(Chat(Ask("m", "hi"), {"-H", "Authorization: Bearer " + t2}, url).status, 200);

  // Unset: the port closes.
  ASSERT_EQ(box_.Aix({"config", "--unset", "http_listen"}).exit_code, 0);
  EXPECT_EQ(Chat(Ask("m", "hi"), {"-H", "Authorization: Bearer " + t2}, url).status, 0);
  // A port in use is reported, with the fix.
  int busy = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t len = sizeof sa;
  getsockname(busy, reinterpret_cast<sockaddr*>(&sa), &len);
  Result taken = box_.Aix({"config", "--set", "http_listen", "127.0.0.1:" + std::to_string(ntohs(sa.sin_port))});
  close(busy);
  EXPECT_NE(taken.exit_code, 0);
  EXPECT_THAT(taken.err, HasSubstr("choose another port"));
}

TEST_F(EndpointTest, AClientThatLeavesMidStreamCancelsTheProviderRequest) {
  fake_.Script(Json::parse(R"([{"chunks": ["a", "b", "c", "d", "e", "f", "g", "h"], "delay_ms": 300}])"));
  HttpResult r = Chat(Ask("m", "hi", true), {"--max-time", "1"});
  EXPECT_THAT(r.body, HasSubstr("chat.completion.chunk"));
  EXPECT_TRUE(WaitAbandoned(1, 5000)) << "the provider never saw the request cancelled";
  // The run is recorded as cancelled.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_THAT(box_.Aix({"history"}).out, HasSubstr("cancelled"));
}

TEST_F(EndpointTest, AClientThatLeavesWhileTheProviderStallsCancelsItToo) {
  // No more bytes come from the provider, so only aixd's own watch over the
  // waiting connection can notice the client left.
  fake_.Script(Json::parse(R"([{"chunks": ["a", "b"], "stall_after": 1, "stall_s": 30}])"));
  HttpResult r = Chat(Ask("m", "hi", true), {"--max-time", "1"});
  EXPECT_THAT(r.body, HasSubstr("chat.completion.chunk"));
  EXPECT_TRUE(WaitNoRuns(3000)) << "the stalled run was never cancelled";
  // Same for a whole answer (aixd still streams from the provider).
  fake_.Script(Json::parse(R"([{"chunks": ["a", "b"], "stall_after": 1, "stall_s": 30}])"));
  HttpResult whole = Chat(Ask("m", "hi"), {"--max-time", "1"});
  EXPECT_EQ(whole.status, 0) << "curl gave up before any answer";
  EXPECT_TRUE(WaitNoRuns(3000)) << "the whole answer's run was never cancelled";
  // Both are in the history as cancelled.
  Result list = box_.Aix({"history"});
  size_t cancelled = 0;
  for (size_t at = 0; (at = list.out.find("cancelled", at)) != std::string::npos; ++at) ++cancelled;
  EXPECT_EQ(cancelled, 2u) << list.out;
  EXPECT_EQ(Chat(Ask("m", "after")).status, 200);
}

// A client that shuts down its sending side once the request is out still
// gets its answer (it was cancelled with 499 before), on the Unix socket.
TEST_F(EndpointTest, AClientThatHalfClosesAfterItsRequestGetsTheAnswer) {
  fake_.Script(Json::parse(R"([{"chunks": ["half ", "closed"], "head_delay_ms": 700}])"));
  const std::string script = R"PY(
import socket, sys
body = sys.argv[2].encode()
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode("utf-8", "replace"))
)PY";
  Result r = RunProcess({"/usr/bin/python3", "-c", script, http_sock_, Ask("m", "hi").dump()},
                        box_.env, "", 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(r.out, HasSubstr("half closed"));
}

TEST_F(EndpointTest, ASlowReaderGetsEveryByte) {
  // 4 MiB of text through a reader that waits before reading: aixd holds at
  // most a bounded amount and pauses the provider meanwhile.
  fake_.Script(Json::parse(R"([{"flood_mb": 4}])"));
  std::string out = box_.dir + "/flood.txt";
  std::string cmd = "curl -sS -N --unix-socket '" + http_sock_ +
                    "' -H 'Content-Type: application/json' --data-binary '" +
                    Ask("m", "flood", true).dump() +
                    "' http://localhost/v1/chat/completions | (sleep 2; cat) > '" + out + "'";
  Result r = RunProcess({"/bin/sh", "-c", cmd}, box_.env, "", 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string body = Sandbox::ReadFile(out);
  EXPECT_EQ(StreamText(body).size(), 4u << 20);
  EXPECT_EQ(SseData(body).back(), "[DONE]");
}

TEST_F(EndpointTest, ManyStreamsAtOnceAllArriveWhole) {
  constexpr int kStreams = 40;
  fake_.Script(Json::array());
  std::vector<pid_t> pids;
  for (int i = 0; i < kStreams; ++i) {
    std::string out = box_.dir + "/s" + std::to_string(i);
    pids.push_back(Spawn({"/usr/bin/curl", "-sS", "-N", "--unix-socket", http_sock_, "-H",
                          "Content-Type: application/json", "--data-binary",
                          Ask("m", "stream " + std::to_string(i), true).dump(),
                          "http://localhost/v1/chat/completions"},
                         box_.env, out, out + ".err"));
  }
  for (pid_t p : pids) EXPECT_EQ(box_.WaitExit(p, 60), 0);
  for (int i = 0; i < kStreams; ++i) {
    std::string body = Sandbox::ReadFile(box_.dir + "/s" + std::to_string(i));
    EXPECT_EQ(StreamText(body), "Echo: stream " + std::to_string(i)) << body;
  }
}

TEST_F(EndpointTest, StopEndsOpenStreamsPromptly) {
  fake_.Script(Json::parse(R"([{"chunks": ["a", "b"], "stall_after": 1, "stall_s": 60}])"));
  std::string out = box_.dir + "/open.txt";
  pid_t curl = Spawn({"/usr/bin/curl", "-sS", "-N", "--unix-socket", http_sock_, "-H",
                      "Content-Type: application/json", "--data-binary",
                      Ask("m", "hi", true).dump(), "http://localhost/v1/chat/completions"},
                     box_.env, out, out + ".err");
  for (int i = 0; i < 200 && Sandbox::ReadFile(out).find("chunk") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto start = std::chrono::steady_clock::now();
  Result stop = box_.Aix({"daemon", "stop"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(9));
  EXPECT_EQ(box_.WaitExit(curl, 10), 0);
  std::string body = Sandbox::ReadFile(out);
  EXPECT_THAT(body, HasSubstr("\"error\"")) << body;
  EXPECT_THAT(body, HasSubstr("aixd is stopping")) << body;
  EXPECT_TRUE(box_.Daemons().empty());
}

TEST_F(EndpointTest, ASquattedHttpSocketPathIsLeftAloneAndReported) {
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  // A file where http.sock goes: not aixd's to delete.
  ASSERT_EQ(RunProcess({"/bin/sh", "-c", "echo notes > '" + http_sock_ + "'"}, box_.env).exit_code, 0);
  Result info = box_.Aix({"endpoint"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("socket: not served"));
  EXPECT_THAT(info.out, HasSubstr("exists and is not a socket"));
  EXPECT_EQ(Sandbox::ReadFile(http_sock_), "notes\n");
  // gRPC is served regardless.
  EXPECT_EQ(box_.Aix({"run", "greet"}, "Ada").exit_code, 0);
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  // A socket somebody serves (another aixd sharing the directory) is not
  // taken over either.
  ASSERT_EQ(unlink(http_sock_.c_str()), 0);
  pid_t other = Spawn({"/usr/bin/python3", "-c",
                       "import socket,time\ns=socket.socket(socket.AF_UNIX)\ns.bind('" + http_sock_ +
                           "')\ns.listen(4)\ntime.sleep(60)\n"},
                      box_.env, "", "");
  for (int i = 0; i < 200 && access(http_sock_.c_str(), F_OK) != 0; ++i) usleep(10000);
  Result taken = box_.Aix({"endpoint"});
  EXPECT_THAT(taken.out, HasSubstr("served by another process"));
  kill(other, SIGKILL);
  box_.WaitExit(other);
}

TEST_F(EndpointTest, TheOfficialOpenAiNodeSdkWorksOnBothDoors) {
  const char* modules = std::getenv("AIX_NODE_MODULES");
  ASSERT_TRUE(modules != nullptr && access((std::string(modules) + "/openai").c_str(), R_OK) == 0)
      << "AIX_NODE_MODULES must name a node_modules with the openai package "
         "(tools/test.sh installs tests/endpoint/package.json)";
  const int port = FreePort();
  ASSERT_EQ(box_.Aix({"config", "--set", "http_listen", "127.0.0.1:" + std::to_string(port)}).exit_code, 0);
  std::string token = box_.Aix({"endpoint", "token"}).out;
  token = token.substr(0, token.find('\n'));
  auto env = box_.env;
  env["NODE_PATH"] = modules;
  env["AIX_HTTP_SOCKET"] = http_sock_;
  env["AIX_HTTP_URL"] = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  env["AIX_HTTP_TOKEN"] = token;
  env["AIX_MODEL"] = "some-model";
  fake_.Script(Json::array());
  Result r = RunProcess({"/usr/bin/node", Runfile("tests/endpoint/openai_sdk_check.cjs")}, env, "", 120);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  for (const char* door : {"unix", "tcp"}) {
    const Json& whole = j[std::string(door) + "_whole"];
    EXPECT_EQ(whole["text"], "Echo: whole please") << door;
    EXPECT_EQ(whole["finish"], "stop") << door;
    EXPECT_EQ(whole["object"], "chat.completion") << door;
    const Json& stream = j[std::string(door) + "_stream"];
    EXPECT_EQ(stream["text"], "Echo: stream please") << door;
    EXPECT_EQ(stream["finish"], "stop") << door;
    EXPECT_GT(stream["usage"].get<int>(), 0) << door;
  }
  EXPECT_EQ(j["tcp_wrong_token"]["status"], 401);
  EXPECT_EQ(j["tcp_wrong_token"]["name"], "AuthenticationError");
  EXPECT_EQ(j["missing_model"]["status"], 400);
  EXPECT_EQ(j["unknown_provider"]["status"], 404);
  EXPECT_THAT(j["unix_models"].dump(), HasSubstr("prompt:greet"));
  // The Node example in docs/ works as written, on the socket.
  auto example_env = env;
  example_env.erase("AIX_HTTP_URL");
  fake_.Script(Json::parse(R"([{"chunks": ["from ", "the ", "docs"]}])"));
  Result example = RunProcess({"/usr/bin/node", Runfile("docs/examples/node/chat.cjs"), "--model",
                               "openrouter/some-model", "Hello"},
                              example_env, "", 60);
  EXPECT_EQ(example.exit_code, 0) << example.err;
  EXPECT_EQ(example.out, "from the docs\n");
  bool saw_system = false;
  for (const Json& req : fake_.Requests()) {
    for (const Json& m : req["body"]["messages"]) saw_system |= m["role"] == "system" && m["content"] == "Be brief.";
  }
  EXPECT_TRUE(saw_system);
}

}  // namespace
}  // namespace aix::testing
