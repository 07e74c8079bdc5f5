#include "daemon/config/settings.h"

#include <gtest/gtest.h>

namespace aix::config {
namespace {

const SettingSpec& Spec(const char* key) {
  const SettingSpec* s = FindSetting(key);
  EXPECT_NE(s, nullptr) << key;
  return *s;
}

TEST(Settings, DefaultsMatchTheDocumentedOnes) {
  Json d = DefaultDocument("/home/u/.prompts");
  EXPECT_EQ(d["default_provider"], "openrouter");
  EXPECT_EQ(d["max_tokens"], 1024);
  EXPECT_EQ(d["temperature"], 0.7);
  EXPECT_EQ(d["editor"], "nano");
  EXPECT_EQ(d["commands_enabled"], true);
  EXPECT_EQ(d["storage_path"], "/home/u/.prompts");
  EXPECT_TRUE(d["api_keys"].is_object() && d["api_keys"].empty());
  EXPECT_TRUE(d["custom_providers"].is_object() && d["custom_providers"].empty());
  EXPECT_FALSE(d.contains("default_model"));
}

TEST(Settings, ParsesTypedValues) {
  Json doc = DefaultDocument("/s");
  EXPECT_EQ(*ParseValue(Spec("max_tokens"), "2048", doc), 2048);
  EXPECT_EQ(*ParseValue(Spec("temperature"), "0", doc), 0.0);
  EXPECT_EQ(*ParseValue(Spec("temperature"), "2", doc), 2.0);
  EXPECT_EQ(*ParseValue(Spec("commands_enabled"), "FALSE", doc), false);
  EXPECT_EQ(*ParseValue(Spec("default_provider"), "anthropic", doc), "anthropic");
  EXPECT_EQ(*ParseValue(Spec("default_provider"), "custom:ollama", doc), "custom:ollama");
  EXPECT_EQ(*ParseValue(Spec("openai_default_model"), "gpt-4", doc), "gpt-4");
}

TEST(Settings, RejectsBadValuesNamingKeyValueAndWhatIsValid) {
  Json doc = DefaultDocument("/s");
  struct Case {
    const char* key;
    const char* value;
    const char* expect;
  } cases[] = {
      {"max_tokens", "0", "integer greater than 0"},
      {"max_tokens", "12abc", "integer greater than 0"},
      {"max_tokens", "-5", "integer greater than 0"},
      {"temperature", "2.5", "from 0 to 2"},
      {"temperature", "nan", "from 0 to 2"},
      {"commands_enabled", "yes", "true or false"},
      {"default_provider", "gemini", "openrouter, openai, anthropic or custom:NAME"},
      {"default_provider", "custom:../x", "custom:NAME"},
      {"default_model", "", "non-empty"},
      {"openai_base_url", "http://127.0.0.1:/v1", "http:// or https:// URL"},
  };
  for (const Case& c : cases) {
    auto v = ParseValue(Spec(c.key), c.value, doc);
    ASSERT_FALSE(v.ok()) << c.key << "=" << c.value;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    std::string msg(v.status().message());
    EXPECT_NE(msg.find(c.key), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::string("'") + c.value + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    EXPECT_NE(msg.find("aix config --set"), std::string::npos) << msg;
  }
}

TEST(Settings, StoragePathIsReadOnly) {
  auto v = ParseValue(Spec("storage_path"), "/elsewhere", DefaultDocument("/s"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("AIX_STORAGE_PATH"), std::string::npos);
}

TEST(Settings, CanonicalProviderAcceptsPlainCustomNameOnlyWhenConfigured) {
  Json doc = DefaultDocument("/s");
  EXPECT_FALSE(CanonicalProvider("ollama", doc).ok());
  doc["custom_providers"]["ollama"] = {{"base_url", "http://127.0.0.1:11434/v1"}};
  EXPECT_EQ(*CanonicalProvider("ollama", doc), "custom:ollama");
  EXPECT_EQ(*CanonicalProvider("custom:vllm", doc), "custom:vllm");
  EXPECT_EQ(*CanonicalProvider("openai", doc), "openai");
  auto bad = CanonicalProvider("bogus", doc);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("openrouter, openai, anthropic"),
            std::string::npos);
}

TEST(Settings, ValidateApiKeyRefusesEmptyAndWhitespaceWithoutEchoingTheKey) {
  EXPECT_TRUE(ValidateApiKey("openai", "test-key-123").ok());
  EXPECT_FALSE(ValidateApiKey("openai", "").ok());
  auto s = ValidateApiKey("openai", "test key SECRETPART");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("SECRETPART"), std::string::npos);
}

TEST(Settings, ValidateDocumentFindsWrongTypes) {
  std::string problem;
  EXPECT_TRUE(ValidateDocument(DefaultDocument("/s"), &problem).ok());

  Json doc = DefaultDocument("/s");
  doc["max_tokens"] = "many";
  auto s = ValidateDocument(doc, &problem);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(problem, "max_tokens");
  EXPECT_NE(s.message().find("\"many\""), std::string::npos);

  doc = DefaultDocument("/s");
  doc["api_keys"] = Json::array();
  EXPECT_FALSE(ValidateDocument(doc, &problem).ok());
  EXPECT_EQ(problem, "api_keys");

  doc = DefaultDocument("/s");
  doc["api_keys"]["openai"] = 5;
  EXPECT_FALSE(ValidateDocument(doc, &problem).ok());

  EXPECT_FALSE(ValidateDocument(Json::array(), &problem).ok());
}

TEST(Settings, ValidateDocumentKeepsUnknownFields) {
  Json doc = DefaultDocument("/s");
  doc["added_by_a_newer_release"] = {1, 2, 3};
  std::string problem;
  EXPECT_TRUE(ValidateDocument(doc, &problem).ok());
}

TEST(Settings, HelpListsEveryKey) {
  std::string help = ValidSettingsHelp();
  for (const SettingSpec& s : FixedSettings()) {
    EXPECT_NE(help.find(s.key), std::string::npos) << s.key;
  }
  EXPECT_NE(help.find("api_keys.PROVIDER"), std::string::npos);
}

}  // namespace
}  // namespace aix::config
