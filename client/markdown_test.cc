#include "client/markdown.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Plain drops the styles, to check the text and its layout.
std::string Plain(const std::string& ansi) {
  std::string out;
  for (size_t i = 0; i < ansi.size(); ++i) {
    if (ansi[i] == '\x1b') {
      while (i < ansi.size() && ansi[i] != 'm') ++i;
      continue;
    }
    out += ansi[i];
  }
  return out;
}

TEST(RenderMarkdown, HeadingsListsCodeAndQuotesAreSetApart) {
  const std::string out = RenderMarkdown(
      "# Plan\n\nSome *emphasis* and `code`.\n\n1. first\n2. second\n   - nested\n\n"
      "```\nint x = 1;\n```\n\n> quoted\n");
  EXPECT_THAT(out, HasSubstr("\x1b[1m\x1b[4mPlan\x1b[24m\x1b[22m"));
  EXPECT_THAT(out, HasSubstr("\x1b[3memphasis\x1b[23m"));
  EXPECT_THAT(out, HasSubstr("\x1b[36mcode\x1b[39m"));
  EXPECT_EQ(Plain(out),
            "Plan\n\nSome emphasis and code.\n\n1. first\n2. second\n   • nested\n\n"
            "    int x = 1;\n\n│ quoted\n");
}

TEST(RenderMarkdown, ControlCharactersFromTheProviderAreNotPassedToTheTerminal) {
  const std::string out = RenderMarkdown("red \x1b]0;title\x07 text");
  EXPECT_THAT(out, Not(HasSubstr("\x1b]")));
  EXPECT_THAT(out, Not(HasSubstr("\x07")));
  EXPECT_THAT(Plain(out), HasSubstr("red \xef\xbf\xbd]0;title\xef\xbf\xbd text"));
}

TEST(MarkdownStream, ABlockIsShownOnceItIsComplete) {
  MarkdownStream s;
  EXPECT_EQ(s.Feed("Hello, "), "");
  EXPECT_EQ(s.Feed("world.\n"), "") << "the paragraph may go on";
  EXPECT_EQ(Plain(s.Feed("\nNext")), "Hello, world.\n");
  EXPECT_EQ(Plain(s.Flush()), "\nNext\n");
}

TEST(MarkdownStream, AFencedBlockWaitsForItsFenceBlankLinesIncluded) {
  MarkdownStream s;
  std::string out = s.Feed("```\na\n\nb\n");
  EXPECT_EQ(out, "");
  out = s.Feed("```\n");
  EXPECT_EQ(Plain(out), "    a\n\n    b\n");
}

TEST(MarkdownStream, PiecesShowWhatTheWholeShows) {
  const std::string answer =
      "# T\n\npara one\nstill one\n\n- a\n- b\n\n~~~~\ncode\n~~~\n~~~~\n\ntail";
  MarkdownStream whole;
  std::string once = whole.Feed(answer);
  once += whole.Flush();
  MarkdownStream bytes;
  std::string split;
  for (char c : answer) split += bytes.Feed(std::string(1, c));
  split += bytes.Flush();
  EXPECT_EQ(split, once);
  EXPECT_THAT(Plain(once), HasSubstr("    code\n    ~~~\n"));
}

TEST(MarkdownStream, NothingIsHeldBackPastTheBound) {
  MarkdownStream s;
  std::string shown = s.Feed("```\n");
  const std::string line(1000, 'x');
  for (int i = 0; i < 100; ++i) shown += s.Feed(line + "\n");
  EXPECT_GT(shown.size(), MarkdownStream::kMaxHeldBytes / 2);
  std::string rest = s.Flush();
  EXPECT_LT(rest.size(), MarkdownStream::kMaxHeldBytes + 4096);
  // A line without an end is shown too.
  MarkdownStream t;
  EXPECT_GT(t.Feed(std::string(MarkdownStream::kMaxHeldBytes + 1, 'y')).size(),
            MarkdownStream::kMaxHeldBytes);
}

}  // namespace
}  // namespace aix
