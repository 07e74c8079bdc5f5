#include "common/mask.h"

#include <gtest/gtest.h>

namespace aix {
namespace {

TEST(MaskSecret, LongKeyShowsPrefixAndLastFour) {
  EXPECT_EQ(MaskSecret("sk-test-fake-key-WXYZ"), "sk-\xE2\x80\xA6WXYZ");
}

TEST(MaskSecret, MediumKeyShowsOnlyLastTwo) {
  EXPECT_EQ(MaskSecret("fake-key"), "\xE2\x80\xA6" "ey");
}

TEST(MaskSecret, ShortKeyShowsNothing) {
  EXPECT_EQ(MaskSecret("abc"), "\xE2\x80\xA6");
  EXPECT_EQ(MaskSecret(""), "\xE2\x80\xA6");
}

TEST(MaskSecret, NeverContainsTheMiddleOfTheKey) {
  const std::string key = "test-key-MIDDLE-SECRET-1234";
  EXPECT_EQ(MaskSecret(key).find("MIDDLE"), std::string::npos);
}

TEST(MaskUrl, HidesUserinfoCredentials) {
  EXPECT_EQ(MaskUrl("http://user:hunter2@127.0.0.1:8080/v1"), "http://user:****@127.0.0.1:8080/v1");
  EXPECT_EQ(MaskUrl("https://tok123@gw.example/v1?a=b@c"), "https://****@gw.example/v1?a=b@c");
  EXPECT_EQ(MaskUrl("https://api.openai.com/v1"), "https://api.openai.com/v1");
  EXPECT_EQ(MaskUrl("not a url"), "not a url");
}

}  // namespace
}  // namespace aix
