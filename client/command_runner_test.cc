#include "client/command_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix {
namespace {

using ::testing::HasSubstr;

TEST(RunCommand, StdoutTrimmed) {
  auto out = RunCommand("printf '  two\\nlines \\n\\n'", absl::Seconds(10));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "two\nlines");
}

TEST(RunCommand, FailureCarriesExitStatusAndStderr) {
  auto out = RunCommand("echo partial; echo 'no such branch' >&2; exit 3", absl::Seconds(10));
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("exit status 3"));
  EXPECT_THAT(out.status().message(), HasSubstr("no such branch"));
}

TEST(RunCommand, TimeoutKillsTheWholeGroup) {
  absl::Time start = absl::Now();
  // The background sleep keeps the pipe open: only killing the group ends it.
  auto out = RunCommand("sleep 30 & sleep 30", absl::Milliseconds(300));
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("command_timeout"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST(RunCommand, StdinIsEmptyAndOutputIsBounded) {
  auto in = RunCommand("wc -c", absl::Seconds(10));
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(*in, "0");
  auto flood = RunCommand("head -c 5000000 /dev/zero", absl::Seconds(20));
  ASSERT_FALSE(flood.ok());
  EXPECT_THAT(flood.status().message(), HasSubstr("MiB"));
}

}  // namespace
}  // namespace aix
