#include "common/json_depth.h"

#include <string>

#include <gtest/gtest.h>

namespace aix {
namespace {

TEST(NestingWithin, CountsArraysAndObjectsTogether) {
  EXPECT_TRUE(NestingWithin("{\"a\": [1, {\"b\": [2]}]}", 4));
  EXPECT_FALSE(NestingWithin("{\"a\": [1, {\"b\": [2]}]}", 3));
  EXPECT_TRUE(NestingWithin("[][][][]", 1));
}

TEST(NestingWithin, BracketsInStringsDoNotCount) {
  EXPECT_TRUE(NestingWithin("{\"a\": \"[[[[[[{{{{\"}", 1));
  EXPECT_TRUE(NestingWithin("{\"a\": \"\\\"[[[[\"}", 1));  // an escaped quote stays in the string
  EXPECT_FALSE(NestingWithin("[\"\\\\\", [[", 2));          // an escaped backslash ends it
}

TEST(NestingWithin, AHostileBodyIsRefusedWithoutParsing) {
  EXPECT_FALSE(NestingWithin(std::string(16 << 20, '['), kMaxJsonDepth));
  EXPECT_TRUE(NestingWithin(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
  EXPECT_FALSE(NestingWithin(std::string(kMaxJsonDepth + 1, '{')));
}

}  // namespace
}  // namespace aix
