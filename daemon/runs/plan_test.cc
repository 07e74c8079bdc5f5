#include "daemon/runs/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix::runs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

prompts::Prompt MakePrompt(const std::string& text) {
  prompts::Prompt p;
  p.name = "p";
  p.template_text = text;
  return p;
}

Json Config() {
  return Json::parse(R"({
    "default_provider": "openrouter",
    "api_keys": {"openrouter": "test-or", "openai": "test-oa"},
    "custom_providers": {"local": {"base_url": "http://127.0.0.1:9/v1", "model": "tiny"}}
  })");
}

std::vector<std::string> Names(const Plan& plan) {
  std::vector<std::string> out;
  for (const Attempt& a : plan.attempts) out.push_back(a.endpoint.provider + "/" + a.model);
  return out;
}

TEST(MakePlan, DefaultsWhenNothingIsSaid) {
  RunInputs in;
  in.params["who"] = "Ada";
  auto plan = MakePlan(Config(), MakePrompt("Hi {who}"), in, true);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->rendered, "Hi Ada");
  EXPECT_THAT(Names(*plan), ElementsAre("openrouter/meta-llama/llama-3.2-3b-instruct:free"));
  EXPECT_EQ(plan->max_retries, 2);
  EXPECT_EQ(plan->chat.max_tokens, 1024);
  EXPECT_EQ(plan->limits.idle_timeout, absl::Seconds(60));
  EXPECT_EQ(plan->attempts[0].key.key, "test-or");
}

TEST(MakePlan, FlagsBeatPromptBeatConfig) {
  Json config = Config();
  config["openai_default_model"] = "gpt-4";
  config["max_tokens"] = 300;
  config["max_retries"] = 5;
  prompts::Prompt p = MakePrompt("x");
  p.provider = "openai";
  p.max_tokens = 200;
  auto from_prompt = MakePlan(config, p, {}, true);
  ASSERT_TRUE(from_prompt.ok());
  EXPECT_THAT(Names(*from_prompt), ElementsAre("openai/gpt-4"));
  EXPECT_EQ(from_prompt->chat.max_tokens, 200);
  EXPECT_EQ(from_prompt->max_retries, 5);
  RunInputs flags;
  flags.provider = "local";
  flags.max_tokens = 100;
  flags.max_retries = 0;
  auto from_flags = MakePlan(config, p, flags, true);
  ASSERT_TRUE(from_flags.ok()) << from_flags.status();
  EXPECT_THAT(Names(*from_flags), ElementsAre("custom:local/tiny"));
  EXPECT_EQ(from_flags->chat.max_tokens, 100);
  EXPECT_EQ(from_flags->max_retries, 0);
}

TEST(MakePlan, EnvironmentKeyWinsOverStoredKey) {
  RunInputs in;
  in.env_keys["openrouter"] = "test-env";
  auto plan = MakePlan(Config(), MakePrompt("x"), in, true);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->attempts[0].key.key, "test-env");
  EXPECT_THAT(plan->attempts[0].key.source, HasSubstr("environment"));
}

TEST(MakePlan, NoKeyForTheChosenProviderIsUnauthenticated) {
  RunInputs in;
  in.provider = "anthropic";
  auto plan = MakePlan(Config(), MakePrompt("x"), in, true);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(plan.status().message(), HasSubstr("aix api-key anthropic"));
  EXPECT_TRUE(MakePlan(Config(), MakePrompt("x"), in, /*require_key=*/false).ok());
}

TEST(MakePlan, FallbackPrecedenceAndUnusableOnesLeftOutWithAWarning) {
  Json config = Config();
  config["fallback_providers"] = "openai";
  prompts::Prompt p = MakePrompt("x");
  auto from_config = MakePlan(config, p, {}, true);
  ASSERT_TRUE(from_config.ok());
  EXPECT_THAT(Names(*from_config), ElementsAre("openrouter/meta-llama/llama-3.2-3b-instruct:free",
                                               "openai/gpt-3.5-turbo"));
  p.fallback = {"local"};
  auto from_prompt = MakePlan(config, p, {}, true);
  ASSERT_TRUE(from_prompt.ok());
  EXPECT_THAT(Names(*from_prompt).back(), "custom:local/tiny");
  RunInputs in;
  in.fallback = {"anthropic", "openai/gpt-4o", "nosuch", "openrouter"};
  auto from_flag = MakePlan(config, p, in, true);
  ASSERT_TRUE(from_flag.ok());
  // anthropic has no key, nosuch does not exist, openrouter's default is the
  // primary already.
  EXPECT_THAT(Names(*from_flag), ElementsAre("openrouter/meta-llama/llama-3.2-3b-instruct:free",
                                             "openai/gpt-4o"));
  ASSERT_EQ(from_flag->warnings.size(), 2u);
  EXPECT_THAT(from_flag->warnings[0], HasSubstr("fallback anthropic left out: no API key"));
  EXPECT_THAT(from_flag->warnings[1], HasSubstr("fallback nosuch left out"));
}

TEST(MakePlan, RequestForUsesTheAttemptsModelAndLimits) {
  Json config = Config();
  config["idle_timeout"] = 7;
  RunInputs in;
  in.fallback = {"openai/gpt-4o"};
  auto plan = MakePlan(config, MakePrompt("x"), in, true);
  ASSERT_TRUE(plan.ok());
  http::HttpRequest r = RequestFor(*plan, plan->attempts[1]).value();
  EXPECT_EQ(Json::parse(r.body)["model"], "gpt-4o");
  EXPECT_EQ(r.limits.idle_timeout, absl::Seconds(7));
}

}  // namespace
TEST(MakePlan, CommandsNeedTheClientsOutputsOrTheTextFlag) {
  RunInputs in;
  in.params["n"] = "3";
  in.env_keys["openrouter"] = "test-key-env";
  prompts::Prompt p = MakePrompt("Log: $(git log -n {n}) done");
  auto none = MakePlan(Config(), p, in, true);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("run in the client"), std::string::npos);
  in.command_outputs = {"abc123 fix"};
  auto ran = MakePlan(Config(), p, in, true);
  ASSERT_TRUE(ran.ok()) << ran.status();
  EXPECT_EQ(ran->rendered, "Log: abc123 fix done");
  in.command_outputs.clear();
  in.commands_as_text = true;
  auto text = MakePlan(Config(), p, in, true);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->rendered, "Log: $(git log -n 3) done");
}

TEST(MakePlan, AConversationIsSentAsWritten) {
  RunInputs in;
  in.messages = {{"system", "Be {brief}."},
                 {"user", "first {who}"},
                 {"assistant", "ok"},
                 {"system", "Really."},
                 {"user", "second"}};
  in.provider = "openai";
  in.model = "gpt-4o-mini";
  auto plan = MakePlan(Config(), prompts::Prompt(), in, true);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Names(*plan), ElementsAre("openai/gpt-4o-mini"));
  EXPECT_EQ(plan->chat.system, "Be {brief}.\n\nReally.");
  ASSERT_EQ(plan->chat.turns.size(), 3u);
  EXPECT_EQ(plan->chat.turns[0].content, "first {who}");  // no template syntax read
  EXPECT_EQ(plan->chat.turns[1].role, "assistant");
  EXPECT_EQ(plan->rendered, "second");
  // The dialects send the turns in order.
  auto body = Json::parse(RequestFor(*plan, plan->attempts[0])->body);
  ASSERT_EQ(body["messages"].size(), 4u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][2]["content"], "ok");
  // --system (RunRequest.system) wins over the conversation's.
  in.system = "override";
  EXPECT_EQ(MakePlan(Config(), prompts::Prompt(), in, true)->chat.system, "override");
}

TEST(MakePlan, AConversationNeedsKnownRolesAndATurn) {
  RunInputs in;
  in.messages = {{"wizard", "x"}};
  auto bad = MakePlan(Config(), prompts::Prompt(), in, true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("role 'wizard'"));
  in.messages = {{"system", "only"}};
  auto none = MakePlan(Config(), prompts::Prompt(), in, true);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(std::string(none.status().message()), ::testing::HasSubstr("no user or assistant"));
}

// A request Anthropic cannot express is refused when Anthropic would
// answer it, and Anthropic is left out when it is only a fallback.
TEST(MakePlan, AProviderThatCannotTakeTheOptionsIsRefusedOrLeftOut) {
  Json config = Config();
  config["api_keys"]["anthropic"] = "test-an";
  RunInputs in;
  in.messages = {{"user", "hi"}};
  in.options = {{"seed", 7}};
  in.provider = "anthropic";
  auto refused = MakePlan(config, prompts::Prompt(), in, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("anthropic: the field seed"));
  in.provider = "openai";
  in.fallback = {"anthropic", "openrouter"};
  auto plan = MakePlan(config, prompts::Prompt(), in, true);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->attempts.size(), 2u) << ::testing::PrintToString(Names(*plan));
  EXPECT_EQ(plan->attempts[1].endpoint.provider, "openrouter");
  EXPECT_THAT(plan->warnings, ::testing::Contains(::testing::HasSubstr("fallback anthropic/")));
  Json body = Json::parse(RequestFor(*plan, plan->attempts[0])->body);
  EXPECT_EQ(body["seed"], 7) << "an OpenAI-compatible provider gets the option as sent";
}

// A follow-up stays with whoever answered the conversation, with its system
// prompt, unless a flag says otherwise; its turns go before the new prompt.
TEST(MakePlan, AFollowUpInheritsTheConversationUnlessToldOtherwise) {
  prompts::Prompt p = MakePrompt("next {who}");
  p.provider = "openrouter";
  p.system = "prompt's system";
  RunInputs in;
  in.params["who"] = "Bo";
  Earlier e;
  e.conversation = 4;
  e.turns = {{"user", "q1"}, {"assistant", "a1"}};
  e.provider = "openai";
  e.model = "gpt-4o";
  e.system = "be terse";
  in.earlier = e;
  auto plan = MakePlan(Config(), p, in, true);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Names(*plan), ElementsAre("openai/gpt-4o"));
  EXPECT_EQ(plan->chat.system, "be terse");
  EXPECT_EQ(plan->chat.user, "");
  ASSERT_EQ(plan->chat.turns.size(), 3u);
  EXPECT_EQ(plan->chat.turns[2].role, "user");
  EXPECT_EQ(plan->chat.turns[2].content, "next Bo");

  in.provider = "openrouter";
  in.system = "flag";
  auto told = MakePlan(Config(), p, in, true);
  ASSERT_TRUE(told.ok()) << told.status();
  EXPECT_THAT(Names(*told), ElementsAre("openrouter/meta-llama/llama-3.2-3b-instruct:free"));
  EXPECT_EQ(told->chat.system, "flag");

  // Messages after the conversation: appended in order.
  RunInputs reply;
  reply.earlier = e;
  reply.messages = {{"user", "and then?"}};
  auto replied = MakePlan(Config(), MakePrompt(""), reply, true);
  ASSERT_TRUE(replied.ok()) << replied.status();
  ASSERT_EQ(replied->chat.turns.size(), 3u);
  EXPECT_EQ(replied->chat.turns[2].content, "and then?");
  EXPECT_EQ(replied->chat.system, "be terse");

  // A provider that is gone is named, with the way on.
  reply.earlier->provider = "removed-gateway";
  auto gone = MakePlan(Config(), MakePrompt(""), reply, true);
  ASSERT_FALSE(gone.ok());
  EXPECT_THAT(std::string(gone.status().message()),
              HasSubstr("conversation 4 was answered by removed-gateway"));
  EXPECT_THAT(std::string(gone.status().message()), HasSubstr("--provider"));
}

}  // namespace aix::runs
