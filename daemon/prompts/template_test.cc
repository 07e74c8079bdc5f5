#include "daemon/prompts/template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aix::prompts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Template, SubstitutesEveryOccurrence) {
  auto t = Template::Parse("Hi {name}, {name}! Topic: {topic_2}.");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->variables(), ElementsAre("name", "topic_2"));
  EXPECT_EQ(*t->Render({{"name", "Ada"}, {"topic_2", "engines"}}),
            "Hi Ada, Ada! Topic: engines.");
}

TEST(Template, DoubledBracesAreLiteral) {
  auto t = Template::Parse("JSON: {{\"k\": \"{v}\"}} and }} {{");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t->Render({{"v", "x"}}), "JSON: {\"k\": \"x\"} and } {");
}

TEST(Template, ValuesAreNotReinterpreted) {
  auto t = Template::Parse("{a}");
  EXPECT_EQ(*t->Render({{"a", "{b} {{"}}), "{b} {{");
}

TEST(Template, MissingParametersAreAllListed) {
  auto t = Template::Parse("{a} {b} {c}");
  auto r = t->Render({{"b", "1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("missing parameters a, c"));
  EXPECT_THAT(r.status().message(), HasSubstr("--param a=... --param c=..."));
}

TEST(Template, UnusedParametersAreReported) {
  auto t = Template::Parse("{a}");
  std::vector<std::string> unused;
  ASSERT_TRUE(t->Render({{"a", "1"}, {"zz", "2"}}, &unused).ok());
  EXPECT_THAT(unused, ElementsAre("zz"));
}

TEST(Template, BadBracesAreErrorsWithPosition) {
  struct Case {
    const char* text;
    const char* where;
  } cases[] = {
      {"a {", "line 1, column 3"},
      {"a\nb }", "line 2, column 3"},
      {"{1abc}", "line 1, column 1"},
      {"{na me}", "line 1, column 1"},
      {"{}", "line 1, column 1"},
      {"{\"json\": 1}", "line 1, column 1"},
  };
  for (const Case& c : cases) {
    auto t = Template::Parse(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_THAT(t.status().message(), HasSubstr(c.where)) << c.text;
    EXPECT_THAT(t.status().message(), HasSubstr("{{")) << c.text;
  }
}

TEST(Template, PlainTextAndEmpty) {
  EXPECT_EQ(*Template::Parse("")->Render({}), "");
  EXPECT_EQ(*Template::Parse("no placeholders")->Render({}), "no placeholders");
}

}  // namespace
}  // namespace aix::prompts
