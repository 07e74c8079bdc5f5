#include "common/secrets.h"

#include <gtest/gtest.h>

namespace aix {
namespace {

TEST(Secrets, RandomBytesAreFreshEachTime) {
  auto a = RandomBytes(32), b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(RandomBytes(0)->size(), 0u);
}

TEST(Secrets, EqualsComparesWholeStrings) {
  EXPECT_TRUE(SecretEquals("aixd-token", "aixd-token"));
  EXPECT_FALSE(SecretEquals("aixd-token", "aixd-tokeN"));
  EXPECT_FALSE(SecretEquals("aixd-token", "aixd-toke"));
  EXPECT_FALSE(SecretEquals("", "x"));
  EXPECT_TRUE(SecretEquals("", ""));
}

}  // namespace
}  // namespace aix
