#include "client/version_check.h"
#include "common/version.h"

#include <gtest/gtest.h>

namespace aix {
namespace {

TEST(CompareVersions, NumericPartByPart) {
  EXPECT_LT(CompareVersions("0.1.0", "0.2.0"), 0);
  EXPECT_GT(CompareVersions("0.10.0", "0.9.1"), 0);
  EXPECT_EQ(CompareVersions("1.2", "1.2.0"), 0);
  EXPECT_GT(CompareVersions("2", "1.99.99"), 0);
  EXPECT_LT(CompareVersions("", "0.0.1"), 0);
}

TEST(DaemonVersionSeen, NothingBeforeAnyReply) { EXPECT_FALSE(DaemonVersionSeen().has_value()); }

}  // namespace
}  // namespace aix
