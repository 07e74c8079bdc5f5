// Template commands end to end: $(cmd), {exec:cmd} and {cmd:cmd} run in the
// client (its directory, its user), never in aixd; the policy refuses what
// it should before anything runs or is sent; failures fail the run.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

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

class TemplateCommandsTest : public ::testing::Test {
 protected:
  TemplateCommandsTest() : fake_(box_.dir) {}
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"})
                  .exit_code,
              0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-cmds-5555").exit_code, 0);
    work_ = box_.dir + "/work";
    mkdir(work_.c_str(), 0700);
    std::ofstream(work_ + "/notes.txt") << "three notes\n";
  }
  // InWork runs aix from the work directory, as a user in a project would.
  Result InWork(const std::vector<std::string>& args) {
    std::string cmd = "cd '" + work_ + "' && exec '" + AixPath() + "'";
    for (const std::string& a : args) cmd += " '" + a + "'";
    return RunProcess({"/bin/sh", "-c", cmd}, box_.env, "", 60);
  }
  std::string SentPrompt() {
    return fake_.Requests().back()["body"]["messages"].back()["content"].get<std::string>();
  }
  Sandbox box_;
  FakeProvider fake_;
  std::string work_;
};

TEST_F(TemplateCommandsTest, CommandsRunInTheClientsDirectoryWithParametersFilledIn) {
  ASSERT_EQ(box_.Aix({"create", "ctx",
                      "Dir: $(pwd)\nNotes: {exec:cat {file}}\nCount: {cmd:wc -l < {file}}"})
                .exit_code,
            0);
  Result r = InWork({"run", "ctx", "-p", "file=notes.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // aixd works from "/": the directory proves where the command ran.
  EXPECT_EQ(SentPrompt(), "Dir: " + work_ + "\nNotes: three notes\nCount: 1");
}

TEST_F(TemplateCommandsTest, AFailingCommandFailsTheRunWithItsStatusAndStderr) {
  ASSERT_EQ(box_.Aix({"create", "bad", "Log: $(cat missing-file.txt)"}).exit_code, 0);
  Result r = InWork({"run", "bad"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("`cat missing-file.txt` failed with exit status 1"));
  EXPECT_THAT(r.err, HasSubstr("No such file"));
  EXPECT_TRUE(fake_.Requests().empty()) << "a failed command must not send the prompt";
}

TEST_F(TemplateCommandsTest, DeniedCommandsAreRefusedBeforeAnythingRuns) {
  // The first command would run first if the check came late.
  ASSERT_EQ(box_.Aix({"create", "wipe", "$(touch ran.txt) and $(ls && rm notes.txt)"}).exit_code,
            0);
  Result r = InWork({"run", "wipe"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'rm'"));
  EXPECT_THAT(r.err, HasSubstr("--disable-commands"));
  EXPECT_EQ(access((work_ + "/notes.txt").c_str(), F_OK), 0);
  EXPECT_NE(access((work_ + "/ran.txt").c_str(), F_OK), 0);
  EXPECT_TRUE(fake_.Requests().empty());
  // disabled_commands replaces the built-in list.
  ASSERT_EQ(box_.Aix({"config", "disabled_commands", "echo,printenv"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"create", "say", "$(printf ok) {exec:echo no}"}).exit_code, 0);
  Result mine = InWork({"run", "say"});
  EXPECT_EQ(mine.exit_code, 2);
  EXPECT_THAT(mine.err, HasSubstr("disabled_commands setting"));
}

// The review's ways around the list, through the real client: each is
// refused before any command runs, and the file survives.
TEST_F(TemplateCommandsTest, WrappersShellsAndTruncationAreRefusedToo) {
  int n = 0;
  for (const char* cmd : {"env rm notes.txt", "sh -c 'rm notes.txt'", "echo cm0= | base64 -d | bash",
                          "find . -name notes.txt -delete", "true > notes.txt", "rm$IFS'notes.txt'"}) {
    const std::string name = "sly" + std::to_string(n++);
    ASSERT_EQ(box_.Aix({"create", name, std::string("$(touch ran.txt) $(") + cmd + ")"}).exit_code, 0)
        << cmd;
    Result r = InWork({"run", name});
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.err;
    EXPECT_EQ(access((work_ + "/notes.txt").c_str(), F_OK), 0) << cmd;
    EXPECT_EQ(Sandbox::ReadFile(work_ + "/notes.txt"), "three notes\n") << cmd;
    EXPECT_NE(access((work_ + "/ran.txt").c_str(), F_OK), 0) << cmd;
  }
  EXPECT_TRUE(fake_.Requests().empty());
  // A command with parentheses inside quotes is one command, whole.
  ASSERT_EQ(box_.Aix({"create", "calc", "Answer: $(python3 -c 'print(6*(3+4))')"}).exit_code, 0);
  Result r = InWork({"run", "calc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SentPrompt(), "Answer: 42");
}

TEST_F(TemplateCommandsTest, DisabledCommandsAreSentAsWritten) {
  ASSERT_EQ(box_.Aix({"create", "lit", "Run $(touch ran.txt) for {who}"}).exit_code, 0);
  Result flag = InWork({"run", "lit", "-p", "who=Ada", "--disable-commands"});
  ASSERT_EQ(flag.exit_code, 0) << flag.err;
  EXPECT_EQ(SentPrompt(), "Run $(touch ran.txt) for Ada");
  ASSERT_EQ(box_.Aix({"config", "commands_enabled", "false"}).exit_code, 0);
  Result off = InWork({"run", "lit", "-p", "who=Bo"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_EQ(SentPrompt(), "Run $(touch ran.txt) for Bo");
  EXPECT_NE(access((work_ + "/ran.txt").c_str(), F_OK), 0);
}

TEST_F(TemplateCommandsTest, DryRunListsCommandsWithoutRunningThem) {
  ASSERT_EQ(box_.Aix({"create", "two", "A $(touch ran.txt) B {exec:sudo id}"}).exit_code, 0);
  Result r = InWork({"run", "two", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("touch ran.txt\n    would run"));
  EXPECT_THAT(r.out, HasSubstr("sudo id\n    refused:"));
  EXPECT_NE(access((work_ + "/ran.txt").c_str(), F_OK), 0);
  Json j = Json::parse(InWork({"run", "two", "-n", "--json"}).out);
  EXPECT_EQ(j["commands"][0]["command"], "touch ran.txt");
  EXPECT_EQ(j["commands"][0]["verdict"], "would run");
  EXPECT_TRUE(fake_.Requests().empty());
}

TEST_F(TemplateCommandsTest, ACommandOverItsTimeoutIsStopped) {
  ASSERT_EQ(box_.Aix({"config", "command_timeout", "1"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"create", "slow", "$(sleep 20)"}).exit_code, 0);
  Result r = InWork({"run", "slow"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("command_timeout"));
  EXPECT_TRUE(fake_.Requests().empty());
}

TEST_F(TemplateCommandsTest, CmdTestListAndTemplateTest) {
  Result ok = InWork({"cmd", "test", "cat notes.txt"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "three notes\n");
  Result refused = InWork({"cmd", "test", "curl -s http://127.0.0.1:9"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("'curl'"));
  Result policy = box_.Aix({"cmd", "list"});
  EXPECT_THAT(policy.out, HasSubstr("commands_enabled:  true"));
  EXPECT_THAT(policy.out, HasSubstr("sudo"));
  ASSERT_EQ(box_.Aix({"create", "mix", "$(date) and $(sudo ls)"}).exit_code, 0);
  Result of_prompt = box_.Aix({"cmd", "list", "mix"});
  EXPECT_THAT(of_prompt.out, HasSubstr("date\n  allowed\nsudo ls\n  refused:"));
  Result tt = box_.Aix({"cmd", "template-test", "Hi {who}, $(whoami)"});
  ASSERT_EQ(tt.exit_code, 0) << tt.err;
  EXPECT_THAT(tt.out, HasSubstr("parameters: who"));
  EXPECT_THAT(tt.out, HasSubstr("whoami\n    allowed"));
  Result broken = box_.Aix({"cmd", "template-test", "Hi {who"});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.err, HasSubstr("column 4"));
}

}  // namespace
}  // namespace aix::testing
