// aix config, end to end: real aix, real aixd (auto-started), real files.
#include <sys/stat.h>

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

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(ConfigCommand, FirstListShowsDefaultsAndCreatesPrivateFiles) {
  Sandbox box;
  Result r = box.Aix({"config", "--list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("default_provider = openrouter\n"));
  EXPECT_THAT(r.out, HasSubstr("max_tokens = 1024\n"));
  EXPECT_THAT(r.out, HasSubstr("temperature = 0.7\n"));
  EXPECT_THAT(r.out, HasSubstr("editor = nano\n"));
  EXPECT_THAT(r.out, HasSubstr("commands_enabled = true\n"));
  EXPECT_THAT(r.out, HasSubstr("storage_path = " + box.storage + "\n"));
  EXPECT_EQ(ModeOf(box.storage), 0700u);
  EXPECT_EQ(ModeOf(box.ConfigPath()), 0600u);
  EXPECT_EQ(ModeOf(box.dir + "/run"), 0700u);
  EXPECT_EQ(ModeOf(box.socket), 0600u);
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  EXPECT_TRUE(doc["api_keys"].empty());
  EXPECT_TRUE(doc["custom_providers"].empty());
}

TEST(ConfigCommand, NoOptionListsEverything) {
  Sandbox box;
  Result r = box.Aix({"config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("default_provider = openrouter\n"));
  EXPECT_THAT(r.out, HasSubstr("max_tokens = 1024\n"));
}

TEST(ConfigCommand, SetGetUnsetRoundTrip) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--set", "default_provider", "openai"}).exit_code, 0);
  ASSERT_EQ(box.Aix({"config", "--set", "openai_default_model", "gpt-4"}).exit_code, 0);
  ASSERT_EQ(box.Aix({"config", "--set", "temperature", "1.5"}).exit_code, 0);
  ASSERT_EQ(box.Aix({"config", "--set", "commands_enabled", "false"}).exit_code, 0);
  EXPECT_EQ(box.Aix({"config", "--get", "default_provider"}).out, "openai\n");
  EXPECT_EQ(box.Aix({"config", "--get", "openai_default_model"}).out, "gpt-4\n");
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  EXPECT_EQ(doc["temperature"], 1.5);
  EXPECT_EQ(doc["commands_enabled"], false);

  Result unset = box.Aix({"config", "--unset", "default_provider"});
  ASSERT_EQ(unset.exit_code, 0) << unset.err;
  EXPECT_EQ(box.Aix({"config", "--get", "default_provider"}).out, "openrouter\n");
}

TEST(ConfigCommand, ProviderDocExamplesWork) {
  Sandbox box;
  for (auto args : std::vector<std::vector<std::string>>{
           {"config", "--set", "default_provider", "openai"},
           {"config", "--set", "default_provider", "openrouter"},
           {"config", "--set", "openai_default_model", "gpt-4"},
           {"config", "--set", "anthropic_default_model", "claude-3-5-sonnet-20241022"},
           {"config", "--set", "default_model", "meta-llama/llama-3.2-3b-instruct:free"},
           {"config", "--set", "api_keys.openrouter", "test-key-openrouter-1234"},
           {"config", "--set", "api_keys.openai", "test-key-openai-1234"},
           {"config", "--set", "api_keys.anthropic", "test-key-anthropic-1234"},
       }) {
    Result r = box.Aix(args);
    EXPECT_EQ(r.exit_code, 0) << args[2] << ": " << r.err;
  }
  Result list = box.Aix({"config", "--list"});
  ASSERT_EQ(list.exit_code, 0);
  // `aix config --list | grep api_keys` shows each key, masked.
  EXPECT_THAT(list.out, HasSubstr("api_keys.openai = tes\xE2\x80\xA6" "1234\n"));
  EXPECT_THAT(list.out, HasSubstr("api_keys.anthropic = "));
  EXPECT_THAT(list.out, HasSubstr("api_keys.openrouter = "));
  EXPECT_THAT(list.out, Not(HasSubstr("openai-1234")));
}

TEST(ConfigCommand, UnknownKeyIsUsageErrorListingValidKeysAndWritesNothing) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  std::string before = Sandbox::ReadFile(box.ConfigPath());
  Result r = box.Aix({"config", "--set", "max_tokenz", "5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown setting 'max_tokenz'"));
  EXPECT_THAT(r.err, HasSubstr("max_tokens"));
  EXPECT_THAT(r.err, HasSubstr("api_keys.PROVIDER"));
  EXPECT_EQ(Sandbox::ReadFile(box.ConfigPath()), before);
}

TEST(ConfigCommand, BadValuesAreUsageErrorsWithExampleAndWriteNothing) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  std::string before = Sandbox::ReadFile(box.ConfigPath());
  struct Case {
    std::string key, value, expect;
  } cases[] = {
      {"max_tokens", "0", "integer greater than 0"},
      {"temperature", "3", "from 0 to 2"},
      {"default_provider", "gemini", "openrouter, openai, anthropic or custom:NAME"},
      {"commands_enabled", "maybe", "true or false"},
      {"storage_path", "/x", "AIX_STORAGE_PATH"},
  };
  for (const Case& c : cases) {
    Result r = box.Aix({"config", "--set", c.key, c.value});
    EXPECT_EQ(r.exit_code, 2) << c.key;
    EXPECT_THAT(r.err, HasSubstr(c.expect)) << c.key;
  }
  EXPECT_EQ(Sandbox::ReadFile(box.ConfigPath()), before);
}

TEST(ConfigCommand, UnsetOptionalGetIsNotFoundWithTheFix) {
  Sandbox box;
  Result r = box.Aix({"config", "--get", "default_model"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("aix config --set default_model"));
}

TEST(ConfigCommand, JsonListIsMachineReadableAndMasked) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--set", "api_keys.openai", "sk-test-fake-0000-WXYZ"}).exit_code, 0);
  Result r = box.Aix({"config", "--list", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  Json doc = Json::parse(r.out);
  EXPECT_EQ(doc["max_tokens"], 1024);
  EXPECT_EQ(doc["temperature"], 0.7);
  EXPECT_EQ(doc["commands_enabled"], true);
  EXPECT_TRUE(doc["default_model"].is_null());
  EXPECT_EQ(doc["api_keys"]["openai"], "sk-\xE2\x80\xA6WXYZ");
  EXPECT_THAT(r.out, Not(HasSubstr("fake-0000")));
}

TEST(ConfigCommand, ResetNeedsConfirmationWhenNotOnATerminal) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--set", "max_tokens", "77"}).exit_code, 0);
  Result refused = box.Aix({"config", "--reset"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("aix config --reset --yes"));
  EXPECT_EQ(box.Aix({"config", "--get", "max_tokens"}).out, "77\n");
  ASSERT_EQ(box.Aix({"config", "--reset", "--yes"}).exit_code, 0);
  EXPECT_EQ(box.Aix({"config", "--get", "max_tokens"}).out, "1024\n");
}

TEST(ConfigCommand, HandEditIsPickedUpByTheRunningDaemon) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  doc["editor"] = "vim";
  std::ofstream(box.ConfigPath(), std::ios::trunc) << doc.dump(2);
  EXPECT_EQ(box.Aix({"config", "--get", "editor"}).out, "vim\n");
}

TEST(ConfigCommand, MalformedConfigFailsWithLineAndFixDaemonSurvivesFileUntouched) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  const std::string broken = "{\n  \"editor\": \"vim\"\n  \"max_tokens\": 5\n}\n";
  std::ofstream(box.ConfigPath(), std::ios::trunc) << broken;
  for (auto args : std::vector<std::vector<std::string>>{
           {"config", "--list"},
           {"config", "--get", "editor"},
           {"config", "--set", "editor", "ed"},
           {"config", "--reset", "--yes"}}) {
    Result r = box.Aix(args);
    EXPECT_EQ(r.exit_code, 6) << args[1];
    EXPECT_THAT(r.err, HasSubstr(box.ConfigPath() + ":3:"));
    EXPECT_THAT(r.err, HasSubstr("mv " + box.ConfigPath()));
  }
  Result key = box.Aix({"api-key", "openai"}, "test-key-123\n");
  EXPECT_EQ(key.exit_code, 6);
  EXPECT_EQ(Sandbox::ReadFile(box.ConfigPath()), broken);
  EXPECT_EQ(box.Aix({"daemon", "status"}).exit_code, 0);

  // Wrong type: named with its line.
  std::ofstream(box.ConfigPath(), std::ios::trunc)
      << "{\n  \"editor\": \"vim\",\n  \"temperature\": \"hot\"\n}\n";
  Result typed = box.Aix({"config", "--list"});
  EXPECT_EQ(typed.exit_code, 6);
  EXPECT_THAT(typed.err, HasSubstr(":3:"));
  EXPECT_THAT(typed.err, HasSubstr("temperature must be a number from 0 to 2"));

  // Fixed by hand: works again, no restart.
  std::ofstream(box.ConfigPath(), std::ios::trunc) << "{\"editor\": \"vim\"}\n";
  EXPECT_EQ(box.Aix({"config", "--get", "editor"}).out, "vim\n");
}

TEST(ConfigCommand, BadFlagIsUsageError) {
  Sandbox box;
  Result r = box.Aix({"config", "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("aix --help"));
  Result two = box.Aix({"config", "--get", "editor", "--unset", "editor"});
  EXPECT_EQ(two.exit_code, 2);
}

TEST(ConfigCommand, HelpListsOnlyWhatWorks) {
  Sandbox box;
  Result r = box.Aix({"--help"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("config"));
  EXPECT_THAT(r.out, HasSubstr("api-key"));
  EXPECT_THAT(r.out, HasSubstr("daemon"));
  EXPECT_THAT(r.out, HasSubstr("\n  run "));
  EXPECT_THAT(r.out, HasSubstr("\n  create "));
  EXPECT_THAT(r.out, HasSubstr("Usage: aix [OPTIONS]")) << "named aix, not by the path it ran from";
  EXPECT_THAT(box.Aix({"run", "--help"}).out, HasSubstr("Usage: aix run "));
  EXPECT_EQ(box.Daemons().size(), 0u) << "--help must not start aixd";
}

}  // namespace
}  // namespace aix::testing
