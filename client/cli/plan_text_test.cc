#include "client/cli/plan_text.h"

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aix {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::RunPlan Plan() {
  v1::RunPlan p;
  p.set_provider("openrouter");
  p.set_model("meta-llama/llama-3.2-3b-instruct:free");
  p.set_url("https://openrouter.ai/api/v1/chat/completions");
  p.set_masked_key("tes...FAKE");
  p.set_key_source("config.json");
  p.set_max_tokens(1024);
  p.set_temperature(0.7);
  p.set_max_retries(2);
  p.set_rendered_prompt("Say hello to Ada.");
  return p;
}

TEST(PlanTextTest, ADryRunShowsWhereItWouldGoAndWhatItWouldSend) {
  const std::string out = FormatPlan(Plan(), {}, /*render_only=*/false, /*json=*/false);
  EXPECT_THAT(out, HasSubstr("provider:    openrouter\n"));
  EXPECT_THAT(out, HasSubstr("model:       meta-llama/llama-3.2-3b-instruct:free\n"));
  EXPECT_THAT(out, HasSubstr("key:         tes...FAKE from config.json\n"));
  EXPECT_THAT(out, HasSubstr("retries:     2\n"));
  EXPECT_THAT(out, Not(HasSubstr("fallback:")));
  EXPECT_THAT(out, Not(HasSubstr("--- system ---")));
  EXPECT_THAT(out, HasSubstr("\n--- prompt ---\nSay hello to Ada.\n"));
}

TEST(PlanTextTest, NoKeySaysHowToStoreOne) {
  v1::RunPlan p = Plan();
  p.clear_masked_key();
  p.set_key_fix("aix api-key openrouter");
  EXPECT_THAT(FormatPlan(p, {}, false, false),
              HasSubstr("key:         none set; store one with: aix api-key openrouter\n"));
  p.clear_key_fix();
  EXPECT_THAT(FormatPlan(p, {}, false, false), HasSubstr("none (this provider takes none)"));
  nlohmann::json j = nlohmann::json::parse(FormatPlan(p, {}, false, true));
  EXPECT_TRUE(j["key"].is_null());
}

TEST(PlanTextTest, FallbacksCommandsAndSystemAreListed) {
  v1::RunPlan p = Plan();
  p.add_fallbacks("openai");
  p.add_fallbacks("anthropic/claude-3-haiku-20240307");
  p.set_system("be brief");
  const std::string out =
      FormatPlan(p, {CommandNote{"date +%F", "would run"}}, /*render_only=*/false, /*json=*/false);
  EXPECT_THAT(out, HasSubstr("fallback:    openai, anthropic/claude-3-haiku-20240307\n"));
  EXPECT_THAT(out, HasSubstr("date +%F\n    would run\n"));
  EXPECT_THAT(out, HasSubstr("--- system ---\nbe brief\n"));
}

TEST(PlanTextTest, JsonIsOneObjectForMachines) {
  v1::RunPlan p = Plan();
  p.add_fallbacks("openai");
  nlohmann::json j = nlohmann::json::parse(FormatPlan(p, {}, false, true));
  EXPECT_EQ(j["provider"], "openrouter");
  EXPECT_EQ(j["key"]["masked"], "tes...FAKE");
  EXPECT_EQ(j["key"]["source"], "config.json");
  EXPECT_EQ(j["max_retries"], 2);
  EXPECT_EQ(j["fallbacks"], nlohmann::json::array({"openai"}));
  EXPECT_EQ(j["prompt"], "Say hello to Ada.");
  EXPECT_FALSE(j.contains("commands"));
}

TEST(PlanTextTest, RenderOnlyIsThePromptAlone) {
  EXPECT_EQ(FormatPlan(Plan(), {}, /*render_only=*/true, /*json=*/false), "Say hello to Ada.\n");
  nlohmann::json j = nlohmann::json::parse(FormatPlan(Plan(), {}, true, true));
  EXPECT_EQ(j["prompt"], "Say hello to Ada.");
  EXPECT_FALSE(j.contains("provider"));
}

}  // namespace
}  // namespace aix
