// aix api-key, end to end.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kKey[] = "test-key-not-real-9876";

TEST(ApiKeyCommand, PipedKeyIsStoredAndOnlyEverShownMasked) {
  Sandbox box;
  // printf %s "$KEY" | aix api-key openai  (no trailing newline)
  Result r = box.Aix({"api-key", "openai"}, kKey);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("tes\xE2\x80\xA6" "9876"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("not-real")));
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  EXPECT_EQ(doc["api_keys"]["openai"], kKey);

  for (auto args : std::vector<std::vector<std::string>>{
           {"config", "--list"}, {"config", "--list", "--json"},
           {"config", "--get", "api_keys.openai"}, {"daemon", "status", "--json"}}) {
    Result shown = box.Aix(args);
    EXPECT_EQ(shown.exit_code, 0);
    EXPECT_THAT(shown.out + shown.err, Not(HasSubstr("not-real"))) << args[1];
  }
  EXPECT_THAT(Sandbox::ReadFile(box.AutoStartLog()), Not(HasSubstr("not-real")));
}

TEST(ApiKeyCommand, NewlineTerminatedInputIsTrimmed) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"api-key", "anthropic"}, std::string(kKey) + "\n").exit_code, 0);
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  EXPECT_EQ(doc["api_keys"]["anthropic"], kKey);
}

TEST(ApiKeyCommand, EmptyInputIsAnErrorAndStoresNothing) {
  Sandbox box;
  Result r = box.Aix({"api-key", "openrouter"}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("empty"));
  EXPECT_EQ(box.Aix({"config", "--get", "api_keys.openrouter"}).exit_code, 4);
}

TEST(ApiKeyCommand, UnknownProviderListsValidOnes) {
  Sandbox box;
  Result r = box.Aix({"api-key", "gemini"}, "test-key-123");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("openrouter, openai, anthropic or custom:NAME"));
  Result missing = box.Aix({"api-key"});
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(ApiKeyCommand, CustomProvidersByQualifiedAndPlainName) {
  Sandbox box;
  // A key for a custom provider that does not exist is refused with the fix.
  Result unknown = box.Aix({"api-key", "custom:provider-name"}, "test-key-custom-1");
  EXPECT_EQ(unknown.exit_code, 4);
  EXPECT_THAT(unknown.err, HasSubstr("aix provider add provider-name BASE_URL"));
  EXPECT_EQ(box.Aix({"config", "--set", "api_keys.custom:provider-name", "test-key-custom-1"})
                .exit_code,
            4);
  ASSERT_EQ(box.Aix({"provider", "add", "provider-name", "http://127.0.0.1:9/v1"}).exit_code, 0);
  ASSERT_EQ(box.Aix({"api-key", "custom:provider-name"}, "test-key-custom-1").exit_code, 0);
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  EXPECT_EQ(doc["api_keys"]["custom:provider-name"], "test-key-custom-1");
  // A plain NAME works once a custom provider of that name is configured.
  EXPECT_EQ(box.Aix({"api-key", "ollama"}, "test-key-2").exit_code, 2);
  doc["custom_providers"]["ollama"] = {{"base_url", "http://127.0.0.1:11434/v1"}};
  std::ofstream(box.ConfigPath(), std::ios::trunc) << doc.dump(2);
  Result plain = box.Aix({"api-key", "ollama"}, "test-key-ollama-3");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, HasSubstr("custom:ollama"));
}

TEST(ApiKeyCommand, DeleteRemovesAndSecondDeleteIsNotFound) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"api-key", "openai"}, kKey).exit_code, 0);
  ASSERT_EQ(box.Aix({"api-key", "--delete", "openai"}).exit_code, 0);
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  EXPECT_FALSE(doc["api_keys"].contains("openai"));
  Result again = box.Aix({"api-key", "--delete", "openai"});
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_THAT(again.err, HasSubstr("no API key is stored for openai"));
}

TEST(ApiKeyCommand, UnsetApiKeySettingRemovesIt) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--set", "api_keys.openai", kKey}).exit_code, 0);
  ASSERT_EQ(box.Aix({"config", "--unset", "api_keys.openai"}).exit_code, 0);
  EXPECT_EQ(box.Aix({"config", "--get", "api_keys.openai"}).exit_code, 4);
}

}  // namespace
}  // namespace aix::testing
