#include "common/text.h"

#include <gtest/gtest.h>

namespace aix {
namespace {

TEST(Utf8, AcceptsValidText) {
  EXPECT_EQ(FirstInvalidUtf8("plain ascii"), absl::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), absl::string_view::npos);
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8("caf\xE9!"), 3u);                 // Latin-1 e-acute
  EXPECT_EQ(FirstInvalidUtf8("ab\xC0\xAF"), 2u);               // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xED\xA0\x80"), 0u);             // surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);         // above U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("ok\xE2\x82"), 2u);               // truncated
}

TEST(Utf8, ReplacesBadBytes) {
  EXPECT_EQ(ToValidUtf8("a\xE9z"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(ToValidUtf8("fine"), "fine");
}

TEST(Utf8, MessageNamesByteAndFix) {
  std::string m = NotUtf8Message("standard input", "caf\xE9");
  EXPECT_NE(m.find("0xE9"), std::string::npos) << m;
  EXPECT_NE(m.find("offset 3"), std::string::npos) << m;
  EXPECT_NE(m.find("iconv"), std::string::npos) << m;
}

TEST(StripControl, RemovesEscapesAndC1) {
  EXPECT_EQ(StripControl("\x1b]0;pwned\x07red\x1b[31m!\r\n"), "]0;pwnedred[31m!\n");
  EXPECT_EQ(StripControl("a\xC2\x9B" "b\tc"), "ab\tc");
  EXPECT_EQ(StripControl("\xC3\xA9"), "\xC3\xA9");
}

TEST(PrintableExcerpt, CutsOnCharacterBoundary) {
  std::string s = "\xE2\x82\xAC\xE2\x82\xAC";  // two euro signs, 6 bytes
  EXPECT_EQ(PrintableExcerpt(s, 4), "\xE2\x82\xAC...");
  EXPECT_EQ(PrintableExcerpt("line1\nline2", 100), "line1 line2");
  EXPECT_EQ(PrintableExcerpt("x\x1b[2J", 100), "x[2J");
}

}  // namespace
}  // namespace aix
