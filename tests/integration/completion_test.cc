// Shell completion: the answers of `aix __complete` against a real aixd,
// bash's completion function driven as bash would drive it, and the zsh
// and fish scripts loaded in those shells.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CompletionTest : public ::testing::Test {
 protected:
  CompletionTest() : fake_(box_.dir) {}
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"})
                  .exit_code,
              0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-tab-1234").exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "greet", "Say hello to {who} in {lang}.", "-t", "social"})
                  .exit_code,
              0);
    ASSERT_EQ(box_.Aix({"create", "gamma", "Hi", "-t", "maths"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"provider", "add", "gw", "http://127.0.0.1:9/v1"}).exit_code, 0);
  }
  std::string Complete(const std::string& line) {
    Result r = box_.Aix({"__complete", line});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  // Bash runs the script and calls _aix as readline would for `line`
  // (COMP_WORDS split with bash's default word breaks).
  std::string Bash(const std::string& line, const std::string& words, int cword) {
    std::string dir = AixPath().substr(0, AixPath().rfind('/'));
    std::string script = "PATH='" + dir + "':$PATH; eval \"$(aix completion bash)\"; COMP_LINE='" +
                         line + "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(" + words +
                         "); COMP_CWORD=" + std::to_string(cword) +
                         "; _aix; printf '%s\\n' \"${COMPREPLY[@]}\"";
    Result r = RunProcess({"/bin/bash", "-c", script}, box_.env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  Sandbox box_;
  FakeProvider fake_;
};

TEST_F(CompletionTest, CommandsAndOptions) {
  std::string top = Complete("aix ");
  EXPECT_THAT(top, HasSubstr("run\n"));
  EXPECT_THAT(top, HasSubstr("config\n"));
  EXPECT_THAT(top, Not(HasSubstr("__complete")));
  EXPECT_EQ(Complete("aix ru"), "run\n");
  EXPECT_EQ(Complete("aix run greet --dry"), "--dry-run\n");
  EXPECT_EQ(Complete("aix provider "), "add\ninfo\nlist\nquick-setup\nremove\n");
  EXPECT_EQ(Complete("aix completion "), "bash\nfish\nzsh\n");
}

TEST_F(CompletionTest, PromptsParametersProvidersTags) {
  EXPECT_EQ(Complete("aix run g"), "gamma\ngreet\n");
  EXPECT_EQ(Complete("aix show gr"), "greet\n");
  EXPECT_EQ(Complete("aix run greet --param "), "lang=\nwho=\n");
  EXPECT_EQ(Complete("aix run greet -p who=Ada -p l"), "lang=\n");
  EXPECT_EQ(Complete("aix run greet --provider custom"), "custom:gw\n");
  EXPECT_THAT(Complete("aix api-key "), HasSubstr("anthropic\n"));
  EXPECT_EQ(Complete("aix provider remove "), "custom:gw\n");
  EXPECT_EQ(Complete("aix list --tag "), "maths\nsocial\n");
}

TEST_F(CompletionTest, SettingsAndTheirValues) {
  EXPECT_EQ(Complete("aix config max_"), "max_retries\nmax_tokens\n");
  EXPECT_EQ(Complete("aix config commands_enabled "), "false\ntrue\n");
  EXPECT_THAT(Complete("aix config --set default_provider "), HasSubstr("openai\n"));
  EXPECT_EQ(Complete("aix config --get command_t"), "command_timeout\n");
  EXPECT_EQ(Complete("aix api-key openai --action "), "delete\nget\nset\n");
}

TEST_F(CompletionTest, ModelsAreCachedAfterTheFirstAsk) {
  EXPECT_EQ(Complete("aix run greet --model fake/"), "fake/model-a\nfake/model-b\n");
  size_t asked = fake_.Requests().size();
  EXPECT_EQ(Complete("aix run greet --model fake/model-b"), "fake/model-b\n");
  EXPECT_EQ(fake_.Requests().size(), asked) << "the second TAB went to the provider";
}

TEST_F(CompletionTest, BashCompletionFunction) {
  EXPECT_EQ(Bash("aix run gr", "aix run gr", 2), "greet\n");
  EXPECT_EQ(Bash("aix run greet --param w", "aix run greet --param w", 4), "who=\n");
  // Bash breaks words at ':': only the part after it is offered.
  EXPECT_EQ(Bash("aix run greet --provider custom:g", "aix run greet --provider custom : g", 6),
            "gw\n");
}

TEST_F(CompletionTest, ZshAndFishScriptsLoad) {
  std::string aix_dir = AixPath().substr(0, AixPath().rfind('/'));
  if (access("/usr/bin/zsh", X_OK) == 0) {
    Result z = RunProcess(
        {"/usr/bin/zsh", "-fc",
         "PATH='" + aix_dir + "':$PATH; autoload -U compinit && compinit -u -D; "
         "source <(aix completion zsh) && whence -w _aix"},
        box_.env);
    EXPECT_EQ(z.exit_code, 0) << z.err;
    EXPECT_THAT(z.out, HasSubstr("_aix: function"));
  } else {
    ADD_FAILURE() << "zsh is missing: tools/install-deps.sh installs it";
  }
  if (access("/usr/bin/fish", X_OK) == 0) {
    Result f = RunProcess({"/usr/bin/fish", "--no-config", "-c",
                           "set PATH '" + aix_dir + "' $PATH; aix completion fish | source; "
                           "complete -C 'aix run gr'"},
                          box_.env);
    EXPECT_EQ(f.exit_code, 0) << f.err;
    EXPECT_THAT(f.out, HasSubstr("greet"));
  } else {
    ADD_FAILURE() << "fish is missing: tools/install-deps.sh installs it";
  }
}

}  // namespace
}  // namespace aix::testing
