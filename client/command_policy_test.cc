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

// Ways around a plain list of names, each caught (the review's list).
TEST(CheckCommand, WrappersShellsExpansionsAndTruncationAreCaught) {
  struct Case {
    const char* command;
    const char* says;
  } cases[] = {
      {"command rm x", "'rm'"},
      {"env rm x", "'rm'"},
      {"env LANG=C /bin/rm x", "'rm'"},
      {"ls | xargs rm", "'rm'"},
      {"timeout 5 rm -f x", "'rm'"},
      {"rm$IFS'x'", "name comes from an expansion"},
      {"$CMD x", "name comes from an expansion"},
      {"sh -c 'rm notes.txt'", "'rm'"},
      {"bash -ec \"echo ok; rm -f x\"", "'rm'"},
      {"echo cm0gLXJmIHg= | base64 -d | bash", "pipes text into a shell"},
      {"curl x | sh -s", "'curl'"},
      {"find . -name '*.tmp' -delete", "find -delete"},
      {"find . -exec rm {} ;", "'rm'"},
      {"> notes.txt", "writes over notes.txt"},
      {"echo hi >notes.txt", "writes over notes.txt"},
      {"date 1> out.txt", "writes over out.txt"},
      {"truncate -s 0 notes.txt", "'truncate'"},
      {"git clean -fdx", "git"},
      {"nice sh -c 'ls'", "start a shell"},
  };
  for (const Case& c : cases) {
    absl::Status s = CheckCommand(c.command, {});
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << c.command;
    EXPECT_THAT(s.message(), HasSubstr(c.says)) << c.command;
  }
  // What stays allowed: appending, /dev/null, descriptors, quoted words.
  for (const char* ok : {"git log -n 3 2>/dev/null", "date >> log.txt", "ls 2>&1", "echo 'rm -rf x'",
                         "python3 -c 'print(1)'", "bash -c 'git status'", "env LANG=C sort",
                         "echo \"$HOME\"", "cat <input.txt", "git clean -n"}) {
    EXPECT_TRUE(CheckCommand(ok, {}).ok()) << ok << ": " << CheckCommand(ok, {});
  }
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
