// aix run end to end: real aix and aixd, and a real HTTP(S) server on
// 127.0.0.1 speaking each provider's wire format (tests/fakes).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kKey[] = "test-key-run-4242";

// RunTest: a sandbox whose built-in providers all point at one fake.
class RunTest : public ::testing::Test {
 protected:
  explicit RunTest(bool tls = false) : fake_(box_.dir, tls) {}
  void SetUp() override {
    for (const char* p : {"openrouter", "openai"}) {
      std::string base = fake_.base() + (std::string(p) == "openrouter" ? "/api/v1" : "/v1");
      ASSERT_EQ(box_.Aix({"config", "--set", std::string(p) + "_base_url", base}).exit_code, 0);
    }
    ASSERT_EQ(box_.Aix({"config", "--set", "anthropic_base_url", fake_.base() + "/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "greet", "Say hello to {who}."}).exit_code, 0);
  }
  void StoreKey(const std::string& provider) {
    ASSERT_EQ(box_.Aix({"api-key", provider}, kKey).exit_code, 0);
  }
  Json LastRequest() { return fake_.Requests().back(); }

  Sandbox box_;
  FakeProvider fake_;
};

TEST_F(RunTest, StreamsFromOpenRouterByDefault) {
  StoreKey("openrouter");
  Result r = box_.Aix({"run", "greet", "--param", "who=Ada"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Echo: Say hello to Ada.");
  Json req = LastRequest();
  EXPECT_EQ(req["path"], "/api/v1/chat/completions");
  EXPECT_EQ(req["headers"]["authorization"], std::string("Bearer ") + kKey);
  EXPECT_EQ(req["headers"]["x-title"], "aix");
  EXPECT_TRUE(req["headers"].contains("http-referer"));
  EXPECT_EQ(req["body"]["model"], "meta-llama/llama-3.2-3b-instruct:free");
  EXPECT_EQ(req["body"]["stream"], true);
  EXPECT_EQ(req["body"]["max_tokens"], 1024);
  EXPECT_EQ(req["body"]["temperature"], 0.7);
  EXPECT_EQ(req["body"]["messages"], Json::parse(R"([{"role":"user","content":"Say hello to Ada."}])"));
}

TEST_F(RunTest, ProviderDocExamples) {
  StoreKey("openai");
  StoreKey("anthropic");
  Result gpt4 = box_.Aix({"run", "greet", "-p", "who=x", "--provider", "openai", "--model",
                          "gpt-4", "--execute"});
  ASSERT_EQ(gpt4.exit_code, 0) << gpt4.err;
  EXPECT_EQ(LastRequest()["body"]["model"], "gpt-4");
  EXPECT_EQ(LastRequest()["path"], "/v1/chat/completions");
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=x", "--provider", "anthropic", "--execute"}).exit_code, 0);
  EXPECT_EQ(LastRequest()["body"]["model"], "claude-3-haiku-20240307");
  ASSERT_EQ(box_.Aix({"config", "--set", "default_provider", "openai"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"config", "--set", "openai_default_model", "gpt-4"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=x"}).exit_code, 0);
  EXPECT_EQ(LastRequest()["body"]["model"], "gpt-4");
}

TEST_F(RunTest, AnthropicWireFormat) {
  StoreKey("anthropic");
  Result r = box_.Aix({"run", "greet", "-p", "who=Bo", "--provider", "anthropic", "--system",
                       "Be brief.", "--max-tokens", "77"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Echo: Say hello to Bo.");
  Json req = LastRequest();
  EXPECT_EQ(req["path"], "/v1/messages");
  EXPECT_EQ(req["headers"]["x-api-key"], kKey);
  EXPECT_EQ(req["headers"]["anthropic-version"], "2023-06-01");
  EXPECT_FALSE(req["headers"].contains("authorization"));
  EXPECT_EQ(req["body"]["system"], "Be brief.");
  EXPECT_EQ(req["body"]["max_tokens"], 77);
  EXPECT_EQ(req["body"]["messages"].size(), 1u);
}

TEST_F(RunTest, ModelPrecedence) {
  StoreKey("openai");
  ASSERT_EQ(box_.Aix({"config", "--set", "default_provider", "openai"}).exit_code, 0);
  auto model = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "greet", "-p", "who=x"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = box_.Aix(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return LastRequest()["body"]["model"].get<std::string>();
  };
  EXPECT_EQ(model({}), "gpt-3.5-turbo");  // built-in
  ASSERT_EQ(box_.Aix({"config", "--set", "default_model", "dm"}).exit_code, 0);
  EXPECT_EQ(model({}), "dm");  // default_model: the default provider's
  ASSERT_EQ(box_.Aix({"config", "--set", "openai_default_model", "pm"}).exit_code, 0);
  EXPECT_EQ(model({}), "pm");  // <provider>_default_model
  ASSERT_EQ(box_.Aix({"create", "pinned", "{who}", "--model", "prompt-model"}).exit_code, 0);
  Result pinned = box_.Aix({"run", "pinned", "-p", "who=x"});
  EXPECT_EQ(LastRequest()["body"]["model"], "prompt-model");  // the prompt's
  EXPECT_EQ(model({"--model", "flag"}), "flag");               // --model
  // default_model applies to the default provider only.
  StoreKey("anthropic");
  EXPECT_EQ(model({"--provider", "anthropic"}), "claude-3-haiku-20240307");
}

TEST_F(RunTest, EnvironmentKeyWinsAndIsNeverStoredOrLogged) {
  StoreKey("openai");
  box_.env["OPENAI_API_KEY"] = "test-key-from-env-9999";
  Result r = box_.Aix({"run", "greet", "-p", "who=x", "--provider", "openai"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(LastRequest()["headers"]["authorization"], "Bearer test-key-from-env-9999");
  EXPECT_THAT(Sandbox::ReadFile(box_.ConfigPath()), Not(HasSubstr("from-env")));
  EXPECT_THAT(Sandbox::ReadFile(box_.AutoStartLog()), Not(HasSubstr("from-env")));
  Result dry = box_.Aix({"run", "greet", "-p", "who=x", "--provider", "openai", "--dry-run"});
  EXPECT_THAT(dry.out, HasSubstr("from environment (OPENAI_API_KEY)"));
  EXPECT_THAT(dry.out, Not(HasSubstr("from-env")));
}

TEST_F(RunTest, NoKeyNamesBothFixes) {
  Result r = box_.Aix({"run", "greet", "-p", "who=x", "--provider", "openai"});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_THAT(r.err, HasSubstr("No API key found for openai. Set one with: aix api-key "
                               "openai, or export OPENAI_API_KEY"));
  EXPECT_TRUE(fake_.Requests().empty()) << "nothing may be sent without a key";
}

TEST_F(RunTest, ProviderErrorsMapToMessagesAndExitCodes) {
  StoreKey("openrouter");
  fake_.Script(Json::parse(R"([
    {"status": 401, "error": "invalid key"},
    {"status": 404, "error": "no such model"},
    {"status": 429, "error": "slow down", "headers": {"Retry-After": "7"}},
    {"status": 503, "error": "overloaded"},
    {"chunks": ["Par", "tial"], "error": "upstream went away"},
    {"chunks": ["a", "b", "c"], "reset_after": 1},
    {"raw": "data: {not json\n\n"}
  ])"));
  struct Expect {
    int code;
    const char* text;
  } expected[] = {
      {7, "The API key was rejected"},
      {4, "Model 'meta-llama/llama-3.2-3b-instruct:free' was not found"},
      {8, "retry in 7 s"},
      {9, "HTTP 503: overloaded"},
      {9, "failed mid-answer: upstream went away"},
      {9, "openrouter"},
      {9, "malformed stream event"},
  };
  for (const Expect& e : expected) {
    // Without retries each scripted failure is seen as it is.
    Result r = box_.Aix({"run", "greet", "-p", "who=x", "--max-retries", "0"});
    EXPECT_EQ(r.exit_code, e.code) << e.text << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(e.text));
  }
  // The daemon stays healthy after all that.
  EXPECT_EQ(box_.Aix({"run", "greet", "-p", "who=ok"}).out, "Echo: Say hello to ok.");
}

TEST_F(RunTest, DeadProviderIsExplained) {
  StoreKey("openai");
  ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", "http://127.0.0.1:9/v1"}).exit_code, 0);
  Result r = box_.Aix({"run", "greet", "-p", "who=x", "--provider", "openai"});
  EXPECT_EQ(r.exit_code, 9);
  EXPECT_THAT(r.err, HasSubstr("cannot reach openai at http://127.0.0.1:9/v1/chat/completions"));
  EXPECT_THAT(r.err, HasSubstr("--fallback"));
  // Connection errors are retried (max_retries, 2 by default) before failing.
  EXPECT_THAT(r.err, HasSubstr("3 attempts"));
}

TEST_F(RunTest, ProcessingCommentsAndNoStream) {
  StoreKey("openrouter");
  fake_.Script(Json::parse(R"([{"comments": 3, "chunks": ["x", "y"]}])"));
  EXPECT_EQ(box_.Aix({"run", "greet", "-p", "who=x"}).out, "xy");
  Result whole = box_.Aix({"run", "greet", "-p", "who=W", "--no-stream"});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_EQ(whole.out, "Echo: Say hello to W.");
  EXPECT_EQ(LastRequest()["body"]["stream"], false);
}

TEST_F(RunTest, OutputFileJsonAndVerbose) {
  StoreKey("openrouter");
  std::string file = box_.dir + "/answer.txt";
  Result out = box_.Aix({"run", "greet", "-p", "who=F", "--output", file});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out, "");
  EXPECT_EQ(Sandbox::ReadFile(file), "Echo: Say hello to F.");
  Result json = box_.Aix({"run", "greet", "-p", "who=J", "--json"});
  Json j = Json::parse(json.out);
  EXPECT_EQ(j["text"], "Echo: Say hello to J.");
  EXPECT_EQ(j["provider"], "openrouter");
  EXPECT_EQ(j["usage"]["prompt_tokens"], 7);
  EXPECT_EQ(j["usage"]["completion_tokens"], 2);
  EXPECT_EQ(j["finish_reason"], "stop");
  EXPECT_GT(j["timings"]["total_ms"].get<double>(), 0);
  Result verbose = box_.Aix({"run", "greet", "-p", "who=V", "--verbose"});
  EXPECT_THAT(verbose.err, HasSubstr("7 prompt + 2 completion tokens; first token after"));
}

TEST_F(RunTest, DryRunAndNoExecuteSendNothing) {
  StoreKey("openrouter");
  Result dry = box_.Aix({"run", "greet", "-p", "who=D", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("provider:    openrouter\n"));
  EXPECT_THAT(dry.out, HasSubstr("model:       meta-llama/llama-3.2-3b-instruct:free\n"));
  EXPECT_THAT(dry.out, HasSubstr("url:         " + fake_.base() + "/api/v1/chat/completions\n"));
  EXPECT_THAT(dry.out, HasSubstr("tes\xE2\x80\xA6" "4242"));
  EXPECT_THAT(dry.out, Not(HasSubstr("run-4242")));
  EXPECT_THAT(dry.out, HasSubstr("Say hello to D."));
  Sandbox other;  // no key at all: --no-execute still renders
  ASSERT_EQ(other.Aix({"create", "greet", "Say hello to {who}."}).exit_code, 0);
  Result render = other.Aix({"run", "greet", "-p", "who=N", "--no-execute"});
  ASSERT_EQ(render.exit_code, 0) << render.err;
  EXPECT_EQ(render.out, "Say hello to N.\n");
  EXPECT_TRUE(fake_.Requests().empty());
}

TEST_F(RunTest, ParametersFromStdinAndFiles) {
  StoreKey("openrouter");
  ASSERT_EQ(box_.Aix({"create", "sum", "Summarize: {input} ({style})"}).exit_code, 0);
  std::string style = box_.dir + "/style.txt";
  std::ofstream(style) << "terse";
  Result r = box_.Aix({"run", "sum", "--param", "style=@" + style}, "piped text");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(LastRequest()["body"]["messages"][0]["content"], "Summarize: piped text (terse)");
  Result missing = box_.Aix({"run", "sum"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("missing parameters input, style"));
  Result unknown = box_.Aix({"run", "greet", "-p", "who=x", "-p", "colour=red"});
  EXPECT_EQ(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("warning: unknown parameter colour"));
  Result bad = box_.Aix({"run", "greet", "-p", "who"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("key=value"));
  EXPECT_EQ(box_.Aix({"run", "nope"}).exit_code, 4);
}

TEST_F(RunTest, SequentialRunsShareOneConnection) {
  StoreKey("openrouter");
  fake_.Reset();
  const int runs = Scaled(100, 20);
  for (int i = 0; i < runs; ++i) {
    Result r = box_.Aix({"run", "greet", "-p", "who=" + std::to_string(i)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(fake_.Connections(), 1);
}

TEST_F(RunTest, CtrlCCancelsTheUpstreamRequest) {
  StoreKey("openrouter");
  fake_.Script(Json::parse(R"([{"chunks": ["one ", "two ", "three ", "four ", "five ", "six ",
      "seven ", "eight ", "nine ", "ten "], "delay_ms": 300}])"));
  // Start aix run in the background; interrupt it once text has arrived.
  std::string out = box_.dir + "/run.out";
  pid_t pid = Spawn({AixPath(), "run", "greet", "-p", "who=x"}, box_.env, out, "");
  for (int i = 0; i < 500 && Sandbox::ReadFile(out).empty(); ++i) usleep(10000);
  ASSERT_FALSE(Sandbox::ReadFile(out).empty()) << "no text arrived";
  kill(pid, SIGINT);
  EXPECT_EQ(box_.WaitExit(pid, 5), 130);
  int abandoned = 0;
  for (int i = 0; i < 500 && abandoned == 0; ++i) {
    abandoned = fake_.Abandoned();
    usleep(10000);
  }
  EXPECT_EQ(abandoned, 1) << "the provider never saw the request cancelled";
  EXPECT_EQ(box_.Aix({"run", "greet", "-p", "who=after"}).out, "Echo: Say hello to after.");
}

TEST_F(RunTest, ProxyFromTheEnvironmentIsUsed) {
  StoreKey("openai");
  // provider.invalid never resolves; only a proxy can deliver the request.
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  box_.env["http_proxy"] = fake_.base();
  ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", "http://provider.invalid/v1"}).exit_code, 0);
  Result r = box_.Aix({"run", "greet", "-p", "who=P", "--provider", "openai"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Echo: Say hello to P.");
  EXPECT_EQ(LastRequest()["path"], "http://provider.invalid/v1/chat/completions");
}

class HttpsRunTest : public RunTest {
 protected:
  HttpsRunTest() : RunTest(/*tls=*/true) {}
};

TEST_F(HttpsRunTest, TrustsTheConfiguredCaAndReusesTheTlsConnection) {
  StoreKey("openrouter");
  Result untrusted = box_.Aix({"run", "greet", "-p", "who=x"});
  EXPECT_EQ(untrusted.exit_code, 9) << "a certificate from an unknown CA must be refused";
  EXPECT_THAT(untrusted.err, HasSubstr("ca_bundle"));
  ASSERT_EQ(box_.Aix({"config", "--set", "ca_bundle", fake_.ca()}).exit_code, 0);
  fake_.Reset();
  for (int i = 0; i < 20; ++i) {
    Result r = box_.Aix({"run", "greet", "-p", "who=" + std::to_string(i)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "Echo: Say hello to " + std::to_string(i) + ".");
  }
  EXPECT_EQ(fake_.Connections(), 1);
}

TEST_F(RunTest, DryRunNeedsNoKeyAndSaysHowToStoreOne) {
  for (const char* flag : {"--dry-run", "-n"}) {
    Result dry = box_.Aix({"run", "greet", "-p", "who=K", flag});
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_THAT(dry.out, HasSubstr("key:         none set; store one with: aix api-key openrouter"));
    EXPECT_THAT(dry.out, HasSubstr("Say hello to K."));
  }
  Result json = box_.Aix({"run", "greet", "-p", "who=K", "--dry-run", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json plan = Json::parse(json.out);
  EXPECT_EQ(plan["provider"], "openrouter");
  EXPECT_TRUE(plan["key"].is_null());
  EXPECT_THAT(plan["key_fix"].get<std::string>(), HasSubstr("aix api-key openrouter"));
  EXPECT_EQ(plan["prompt"], "Say hello to K.");
  StoreKey("openrouter");
  Json keyed = Json::parse(box_.Aix({"run", "greet", "-p", "who=K", "-n", "--json"}).out);
  EXPECT_EQ(keyed["key"]["source"], "config (api_keys.openrouter)");
  EXPECT_FALSE(keyed.contains("key_fix"));
  EXPECT_TRUE(fake_.Requests().empty()) << "a dry run sent something";
}

TEST_F(RunTest, OutputAndJsonWithNoExecuteAndDryRun) {
  std::string rendered = box_.dir + "/rendered.txt", plan = box_.dir + "/plan.txt";
  Result r = box_.Aix({"run", "greet", "-p", "who=F", "--no-execute", "-o", rendered});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Sandbox::ReadFile(rendered), "Say hello to F.\n");
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=F", "--dry-run", "-o", plan}).exit_code, 0);
  EXPECT_THAT(Sandbox::ReadFile(plan), HasSubstr("provider:    openrouter\n"));
  Result json = box_.Aix({"run", "greet", "-p", "who=F", "--no-execute", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json j = Json::parse(json.out);
  EXPECT_EQ(j["prompt"], "Say hello to F.");
  EXPECT_FALSE(j.contains("provider"));
  // -e is --execute, as the Python tool spelled it.
  StoreKey("openrouter");
  Result e = box_.Aix({"run", "greet", "-p", "who=F", "-e"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(e.out, "Echo: Say hello to F.");
}

TEST_F(RunTest, OutOfCreditsHasItsOwnMessageAndFallsBack) {
  StoreKey("openrouter");
  fake_.Script({{{"status", 402}, {"error", "Insufficient credits"}}});
  Result r = box_.Aix({"run", "greet", "-p", "who=C"});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_THAT(r.err, HasSubstr("out of credits"));
  EXPECT_THAT(r.err, HasSubstr("--fallback"));
  EXPECT_EQ(fake_.Requests().size(), 1u) << "a 402 is not worth retrying";
  StoreKey("openai");
  fake_.Script({{{"status", 402}, {"error", "Insufficient credits"}}});
  Result fb = box_.Aix({"run", "greet", "-p", "who=C", "--fallback", "openai"});
  ASSERT_EQ(fb.exit_code, 0) << fb.err;
  EXPECT_EQ(fb.out, "Echo: Say hello to C.");
  EXPECT_EQ(LastRequest()["path"], "/v1/chat/completions");
}

}  // namespace
}  // namespace aix::testing
