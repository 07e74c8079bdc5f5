#include "common/provider_registry.h"

#include <gtest/gtest.h>

#include <set>

namespace aix::registry {
namespace {

TEST(ProviderRegistryTest, TheDefaultIsOpenRouterWithItsFreeModel) {
  EXPECT_STREQ(Default().name, "openrouter");
  EXPECT_STREQ(Default().default_model, "meta-llama/llama-3.2-3b-instruct:free");
  EXPECT_EQ(&Default(), &Builtins().front());
}

TEST(ProviderRegistryTest, EachBuiltinHasItsDefaultsAndNamesAreUnique) {
  std::set<std::string> names, settings;
  for (const BuiltinProvider& p : Builtins()) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    EXPECT_TRUE(settings.insert(p.base_url_setting).second) << p.name;
    EXPECT_TRUE(settings.insert(p.model_setting).second) << p.name;
    EXPECT_EQ(std::string(p.base_url).rfind("https://", 0), 0u) << p.name;
    EXPECT_NE(std::string(p.base_url).back(), '/') << p.name;
    EXPECT_NE(std::string(p.key_variable).find("_API_KEY"), std::string::npos) << p.name;
    EXPECT_EQ(Find(p.name), &p);
  }
  EXPECT_STREQ(Find("openai")->default_model, "gpt-3.5-turbo");
  EXPECT_STREQ(Find("anthropic")->default_model, "claude-3-haiku-20240307");
  EXPECT_EQ(Find("anthropic")->wire, Wire::kAnthropic);
  EXPECT_EQ(Find("anthropic")->auth, Auth::kApiKeyHeader);
  EXPECT_EQ(Find("OpenAI"), nullptr);
  EXPECT_EQ(Find("custom:openai"), nullptr);
}

TEST(ProviderRegistryTest, CustomProvidersAreNamedWithThePrefix) {
  EXPECT_EQ(Custom("ollama"), "custom:ollama");
  EXPECT_EQ(CustomName("custom:ollama"), "ollama");
  EXPECT_EQ(CustomName("custom:"), "");
  EXPECT_EQ(CustomName("ollama"), std::nullopt);
  EXPECT_EQ(CustomName("openai"), std::nullopt);
  EXPECT_TRUE(IsProviderName("custom:my-gw.2_x"));
  EXPECT_TRUE(IsProviderName("anthropic"));
  EXPECT_FALSE(IsProviderName("custom:"));
  EXPECT_FALSE(IsProviderName("custom:a/b"));
  EXPECT_FALSE(IsProviderName("custom:" + std::string(65, 'a')));
  EXPECT_TRUE(IsProviderName("custom:" + std::string(64, 'a')));
  EXPECT_FALSE(IsProviderName("ollama"));
  EXPECT_FALSE(IsProviderName(""));
}

TEST(ProviderRegistryTest, ChoicesListEveryBuiltinThenCustom) {
  EXPECT_EQ(Choices(), "openrouter, openai, anthropic or custom:NAME");
}

TEST(ProviderRegistryTest, ARefSplitsAtTheFirstSlash) {
  ProviderRef r = ParseRef("openai");
  EXPECT_EQ(r.provider, "openai");
  EXPECT_EQ(r.model, "");
  r = ParseRef("openrouter/meta-llama/llama-3.2-3b-instruct:free");
  EXPECT_EQ(r.provider, "openrouter");
  EXPECT_EQ(r.model, "meta-llama/llama-3.2-3b-instruct:free");
  r = ParseRef("custom:ollama/llama3.2");
  EXPECT_EQ(r.provider, "custom:ollama");
  EXPECT_EQ(r.model, "llama3.2");
  r = ParseRef("anthropic/");
  EXPECT_EQ(r.provider, "anthropic");
  EXPECT_EQ(r.model, "");
}

}  // namespace
}  // namespace aix::registry
