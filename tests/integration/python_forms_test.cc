// The Python aix's command forms, as its users' scripts and habits use
// them: aix config KEY [VALUE], --set KEY=VALUE, -g/-l/-s, -V, list -v,
// api-key --action, provider add without arguments, provider quick-setup.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

class PythonFormsTest : public ::testing::Test {
 protected:
  Sandbox box_;
};

TEST_F(PythonFormsTest, ConfigKeyValuePositionalAndSetWithEquals) {
  Result set = box_.Aix({"config", "max_tokens", "2048"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(box_.Aix({"config", "max_tokens"}).out, "2048\n");
  ASSERT_EQ(box_.Aix({"config", "--set", "temperature=0.3"}).exit_code, 0);
  EXPECT_EQ(box_.Aix({"config", "-g", "temperature"}).out, "0.3\n");
  ASSERT_EQ(box_.Aix({"config", "-s", "editor", "vim"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"config", "-s", "default_model=gpt-x"}).exit_code, 0);
  Result list = box_.Aix({"config", "-l"});
  EXPECT_THAT(list.out, HasSubstr("editor = vim\n"));
  EXPECT_THAT(list.out, HasSubstr("default_model = gpt-x\n"));
  // Values are validated the same way whatever the spelling.
  Result bad = box_.Aix({"config", "max_tokens", "lots"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("max_tokens"));
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_EQ(doc["max_tokens"], 2048);
  EXPECT_EQ(doc["temperature"], 0.3);
}

TEST_F(PythonFormsTest, ConfigRefusesAmbiguousForms) {
  Result three = box_.Aix({"config", "editor", "code", "vim"});
  EXPECT_EQ(three.exit_code, 2);
  Result no_eq = box_.Aix({"config", "--set", "editor"});
  EXPECT_EQ(no_eq.exit_code, 2);
  EXPECT_THAT(no_eq.err, HasSubstr("KEY=VALUE"));
  Result two = box_.Aix({"config", "editor", "--get", "max_tokens"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_THAT(two.err, HasSubstr("only one of"));
}

TEST_F(PythonFormsTest, HelpListsSettingsAndExitCodesFromTheirDefinitions) {
  Result help = box_.Aix({"config", "--help"});
  ASSERT_EQ(help.exit_code, 0);
  // Every setting, including those added after the help text was written.
  for (const char* key : {"connect_timeout", "fallback_providers", "ca_bundle", "max_retries"}) {
    EXPECT_THAT(help.out, HasSubstr(key));
  }
  Result top = box_.Aix({"--help"});
  EXPECT_THAT(top.out, HasSubstr("130 interrupted"));
}

TEST_F(PythonFormsTest, ShortVersionFlag) {
  Result v = box_.Aix({"-V"});
  ASSERT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, box_.Aix({"--version"}).out);
  EXPECT_THAT(v.out, HasSubstr("."));
}

TEST_F(PythonFormsTest, ApiKeyActions) {
  ASSERT_EQ(box_.Aix({"api-key", "openai", "--action", "set"}, "test-key-action-98765").exit_code, 0);
  Result get = box_.Aix({"api-key", "openai", "-a", "get"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_THAT(get.out, HasSubstr("openai: "));
  EXPECT_THAT(get.out, HasSubstr("8765"));
  EXPECT_THAT(get.out, Not(HasSubstr("test-key-action-98765")));
  ASSERT_EQ(box_.Aix({"api-key", "openai", "--action", "delete"}).exit_code, 0);
  Result gone = box_.Aix({"api-key", "openai", "--action", "get"});
  EXPECT_EQ(gone.exit_code, 4);
  EXPECT_THAT(gone.err, HasSubstr("aix api-key openai"));
  EXPECT_EQ(box_.Aix({"api-key", "openai", "--action", "rotate"}).exit_code, 2);
}

TEST_F(PythonFormsTest, ListVerboseShowsEachPromptsDetails) {
  ASSERT_EQ(box_.Aix({"create", "sum", "Summarise {text} for {reader}", "-d", "Summaries", "-t",
                      "work", "--model", "gpt-x"})
                .exit_code,
            0);
  ASSERT_EQ(box_.Aix({"create", "hi", "Hello"}).exit_code, 0);
  Result r = box_.Aix({"list", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sum\n  description: Summaries\n  tags:        work\n"
                               "  parameters:  text, reader\n  model:       gpt-x\n"));
  EXPECT_THAT(r.out, HasSubstr("hi\n  updated:"));
  EXPECT_EQ(box_.Aix({"list", "--verbose"}).out, r.out);
}

TEST_F(PythonFormsTest, ShowJsonHasNoEmptyFields) {
  ASSERT_EQ(box_.Aix({"create", "hi", "Hello {who}"}).exit_code, 0);
  Result r = box_.Aix({"show", "hi", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["name"], "hi");
  EXPECT_EQ(j["template"], "Hello {who}");
  EXPECT_EQ(j["variables"], Json::array({"who"}));
  for (const auto& [k, v] : j.items()) {
    EXPECT_FALSE(v.is_string() && v.get<std::string>().empty()) << k << " is empty";
    EXPECT_FALSE(v.is_array() && v.empty()) << k << " is empty";
  }
  EXPECT_FALSE(j.contains("yaml"));
  EXPECT_FALSE(j.contains("description"));
}

TEST_F(PythonFormsTest, QuickSetupAddsALocalServerFromAPreset) {
  Result r = box_.Aix({"provider", "quick-setup", "ollama"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("--provider custom:ollama"));
  Json info = Json::parse(box_.Aix({"provider", "info", "ollama", "--json"}).out);
  EXPECT_EQ(info["chat_url"], "http://localhost:11434/v1/chat/completions");
  EXPECT_EQ(info["default_model"], "llama3.2");
  EXPECT_EQ(info["auth_type"], "none");
  Result other = box_.Aix({"provider", "quick-setup", "vllm", "--name", "gpu-box", "--url",
                           "http://127.0.0.1:8001/v1", "-m", "qwen"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  Json gpu = Json::parse(box_.Aix({"provider", "info", "gpu-box", "--json"}).out);
  EXPECT_EQ(gpu["chat_url"], "http://127.0.0.1:8001/v1/chat/completions");
  EXPECT_EQ(gpu["default_model"], "qwen");
  // Off a terminal there is no menu: name a preset.
  Result none = box_.Aix({"provider", "quick-setup"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("ollama, vllm, lm-studio, llamacpp"));
  EXPECT_EQ(box_.Aix({"provider", "quick-setup", "tgi"}).exit_code, 2);
}

TEST_F(PythonFormsTest, ProviderAddWithoutArgumentsOffATerminalSaysWhatIsMissing) {
  Result r = box_.Aix({"provider", "add"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("aix provider add NAME URL"));
  // -H is the header flag (-h stays help).
  Result h = box_.Aix({"provider", "add", "gw", "http://127.0.0.1:9/v1", "-H", "X-Team: blue"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_EQ(doc["custom_providers"]["gw"]["headers"]["X-Team"], "blue");
}

}  // namespace
}  // namespace aix::testing
