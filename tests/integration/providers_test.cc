// Custom providers (aix provider ...) and aix models, against the fake.
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

class ProvidersTest : public ::testing::Test {
 protected:
  ProvidersTest() : fake_(box_.dir) {}
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"create", "greet", "Hi {who}"}).exit_code, 0);
  }
  Json LastRequest() { return fake_.Requests().back(); }
  Sandbox box_;
  FakeProvider fake_;
};

TEST_F(ProvidersTest, LocalServerWithoutAuthGetsHeadersAndNoKey) {
  Result add = box_.Aix({"provider", "add", "ollama", fake_.base() + "/v1", "--model", "llama3",
                         "--auth-type", "none", "--header", "X-Team: blue"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  Result run = box_.Aix({"run", "greet", "-p", "who=O", "--provider", "custom:ollama"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "Echo: Hi O");
  Json req = LastRequest();
  EXPECT_EQ(req["path"], "/v1/chat/completions");
  EXPECT_EQ(req["headers"]["x-team"], "blue");
  EXPECT_FALSE(req["headers"].contains("authorization"));
  EXPECT_EQ(req["body"]["model"], "llama3");
  // The plain name works too, and as the default provider.
  ASSERT_EQ(box_.Aix({"config", "--set", "default_provider", "custom:ollama"}).exit_code, 0);
  EXPECT_EQ(box_.Aix({"run", "greet", "-p", "who=D"}).out, "Echo: Hi D");
}

TEST_F(ProvidersTest, BearerAndApiKeyAuth) {
  ASSERT_EQ(box_.Aix({"provider", "add", "gw", fake_.base() + "/v1"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"api-key", "custom:gw"}, "test-key-gw-1111").exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=x", "--provider", "gw", "--model", "m"}).exit_code, 0);
  EXPECT_EQ(LastRequest()["headers"]["authorization"], "Bearer test-key-gw-1111");
  ASSERT_EQ(box_.Aix({"provider", "add", "az", fake_.base() + "/v1", "--auth-type", "api-key",
                      "--model", "m"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"api-key", "az"}, "test-key-az-2222").exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=x", "--provider", "az"}).exit_code, 0);
  EXPECT_EQ(LastRequest()["headers"]["api-key"], "test-key-az-2222");
  EXPECT_FALSE(LastRequest()["headers"].contains("authorization"));
}

TEST_F(ProvidersTest, BadDefinitionsAreRefusedWithTheReasonAndNothingWritten) {
  ASSERT_EQ(box_.Aix({"config", "--list"}).exit_code, 0);
  std::string before = Sandbox::ReadFile(box_.ConfigPath());
  struct Case {
    std::vector<std::string> args;
    const char* reason;
  } cases[] = {
      {{"provider", "add", "x", "ftp://host/v1"}, "must be http:// or https://"},
      {{"provider", "add", "x", "not a url"}, "is not a valid URL"},
      {{"provider", "add", "x", "http://127.0.0.1:/v1"}, "but no port"},
      {{"provider", "add", "x", "http://h/v1", "--header", "NoColon"}, "NAME:VALUE"},
      {{"provider", "add", "x", "http://h/v1", "--header", "Bad Name:v"}, "header name"},
      {{"provider", "add", "x", "http://h/v1", "--auth-type", "magic"}, "magic"},
      {{"provider", "add", "openai", "http://h/v1"}, "built-in"},
      {{"provider", "add", "../x", "http://h/v1"}, "letters, digits"},
  };
  for (const Case& c : cases) {
    Result r = box_.Aix(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.reason;
    EXPECT_THAT(r.err, HasSubstr(c.reason));
  }
  EXPECT_EQ(Sandbox::ReadFile(box_.ConfigPath()), before);
}

TEST_F(ProvidersTest, ListInfoRemove) {
  ASSERT_EQ(box_.Aix({"provider", "add", "gw", fake_.base() + "/v1", "--model", "m",
                      "--header", "X-Secret:sekrit-value-123456"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"api-key", "custom:gw"}, "test-key-gw-3333").exit_code, 0);
  Result list = box_.Aix({"provider", "list"});
  EXPECT_THAT(list.out, HasSubstr("* openrouter"));
  EXPECT_THAT(list.out, HasSubstr("custom:gw"));
  Json j = Json::parse(box_.Aix({"provider", "list", "--json"}).out);
  EXPECT_EQ(j["providers"].size(), 4u);
  Result info = box_.Aix({"provider", "info", "gw"});
  EXPECT_THAT(info.out, HasSubstr("url:           " + fake_.base() + "/v1/chat/completions"));
  EXPECT_THAT(info.out, HasSubstr("tes\xE2\x80\xA6" "3333"));
  EXPECT_THAT(info.out, Not(HasSubstr("sekrit-value"))) << "header values are masked";
  EXPECT_THAT(box_.Aix({"provider", "info", "openai"}).out, HasSubstr("$OPENAI_API_KEY"));

  ASSERT_EQ(box_.Aix({"config", "--set", "default_provider", "custom:gw"}).exit_code, 0);
  Result busy = box_.Aix({"provider", "remove", "gw"});
  EXPECT_EQ(busy.exit_code, 6);
  EXPECT_THAT(busy.err, HasSubstr("aix config --set default_provider"));
  ASSERT_EQ(box_.Aix({"config", "--unset", "default_provider"}).exit_code, 0);
  Result removed = box_.Aix({"provider", "remove", "gw"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_THAT(removed.out, HasSubstr("and its API key"));
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_FALSE(doc["custom_providers"].contains("gw"));
  EXPECT_FALSE(doc["api_keys"].contains("custom:gw"));
  EXPECT_EQ(box_.Aix({"provider", "info", "gw"}).exit_code, 4);
  EXPECT_EQ(box_.Aix({"provider", "remove", "gw"}).exit_code, 4);
}

TEST_F(ProvidersTest, ModelsComeFromTheProvidersModelsEndpoint) {
  ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", fake_.base() + "/v1"}).exit_code, 0);
  box_.env["OPENAI_API_KEY"] = "test-key-models-5555";
  Result r = box_.Aix({"models", "--provider", "openai"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "fake/model-a\nfake/model-b\n");
  Json req = LastRequest();
  EXPECT_EQ(req["method"], "GET");
  EXPECT_EQ(req["path"], "/v1/models");
  EXPECT_EQ(req["headers"]["authorization"], "Bearer test-key-models-5555");
}

}  // namespace
}  // namespace aix::testing
