#include "client/command_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CommandNames, EveryCommandOfAPipelineOrList) {
  EXPECT_THAT(CommandNames("git log -n 3"), ElementsAre("git"));
  EXPECT_THAT(CommandNames("ls | grep x; /bin/rm -f a && echo ok || true"),
              ElementsAre("ls", "grep", "rm", "echo", "true"));
  EXPECT_THAT(CommandNames("LANG=C FOO=1 date"), ElementsAre("date"));
  EXPECT_THAT(CommandNames("echo `whoami` $(id -u)"), ElementsAre("echo", "whoami", "id"));
  EXPECT_THAT(CommandNames("'r''m' x"), ElementsAre("rm"));
  EXPECT_THAT(CommandNames("echo 'a; rm b'"), ElementsAre("echo"));
  EXPECT_THAT(CommandNames("(cd /tmp && ls)\nwc -l"), ElementsAre("cd", "ls", "wc"));
}

TEST(CheckCommand, TheBuiltInListAndItsReplacement) {
  EXPECT_TRUE(CheckCommand("git status --short", {}).ok());
  EXPECT_TRUE(CheckCommand("date +%F", {}).ok());
  absl::Status rm = CheckCommand("ls && rm -f notes.txt", {});
  EXPECT_EQ(rm.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(rm.message(), HasSubstr("'rm'"));
  EXPECT_THAT(rm.message(), HasSubstr("built-in list"));
  EXPECT_FALSE(CheckCommand("/usr/bin/curl -s example.invalid", {}).ok());
  EXPECT_FALSE(CheckCommand("sudo true", {}).ok());
  // disabled_commands replaces the list: curl allowed, git refused.
  std::vector<std::string> mine = {"git"};
  EXPECT_TRUE(CheckCommand("curl --version", mine).ok());
  absl::Status git = CheckCommand("git log", mine);
  EXPECT_FALSE(git.ok());
  EXPECT_THAT(git.message(), HasSubstr("disabled_commands"));
}

TEST(CheckCommand, DangerousPatternsApplyWhateverTheList) {
  std::vector<std::string> lax = {"nothing"};
  EXPECT_FALSE(CheckCommand("rm -rf /", lax).ok());
  EXPECT_FALSE(CheckCommand("cat x | sh", lax).ok());
  EXPECT_FALSE(CheckCommand("eval $X", lax).ok());
  EXPECT_FALSE(CheckCommand("dd if=/dev/zero of=/dev/sda", lax).ok());
  EXPECT_FALSE(CheckCommand(":(){ :|:& };:", lax).ok());
  EXPECT_TRUE(CheckCommand("echo fine", lax).ok());
  EXPECT_FALSE(CheckCommand("EVAL $X", lax).ok()) << "patterns ignore case";
  // A long command is checked in linear time, without recursion.
  std::string longest(1 << 20, 'a');
  EXPECT_TRUE(CheckCommand("echo " + longest, lax).ok());
}

}  // namespace
}  // namespace aix
