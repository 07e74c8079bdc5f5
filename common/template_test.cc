#include "common/template.h"

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

TEST(TemplateCommands, ThreeSpellingsWithParametersInside) {
  auto t = Template::Parse("Log: $(git log -n {n})\nDir: {exec:ls {dir}}\nMe: {cmd:whoami} {who}");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->command_count(), 3u);
  EXPECT_THAT(t->variables(), ElementsAre("n", "dir", "who"));
  EXPECT_THAT(t->CommandSources(), ElementsAre("git log -n {n}", "ls {dir}", "whoami"));
  Template::Params p = {{"n", "3"}, {"dir", "/tmp"}, {"who", "Ada"}};
  EXPECT_THAT(*t->RenderCommands(p), ElementsAre("git log -n 3", "ls /tmp", "whoami"));
  std::vector<std::string> outputs = {"c1", "a b", "root"};
  EXPECT_EQ(*t->Render(p, nullptr, &outputs), "Log: c1\nDir: a b\nMe: root Ada");
  // Without outputs the commands stay as written, parameters filled in.
  EXPECT_EQ(*t->Render(p), "Log: $(git log -n 3)\nDir: {exec:ls /tmp}\nMe: {cmd:whoami} Ada");
  std::vector<std::string> short_outputs = {"x"};
  EXPECT_FALSE(t->Render(p, nullptr, &short_outputs).ok());
  EXPECT_FALSE(t->RenderCommands({{"n", "1"}}).ok());
}

TEST(TemplateCommands, EscapesAndErrors) {
  EXPECT_EQ(*Template::Parse("cost $$(5) and {{exec:no}}")->Render({}), "cost $(5) and {exec:no}");
  EXPECT_EQ(Template::Parse("$$(x)")->command_count(), 0u);
  EXPECT_EQ(Template::Parse("{exec:echo {{a}}}")->CommandSources()[0], "echo {{a}}");
  EXPECT_THAT(*Template::Parse("{exec:echo {{a}}}")->RenderCommands({}), ElementsAre("echo {a}"));
  for (const char* bad : {"$(unclosed", "{exec:unclosed", "$()", "{cmd: }", "$(awk '{print $1}')"}) {
    auto t = Template::Parse(bad);
    EXPECT_FALSE(t.ok()) << bad;
  }
  // A $( command ends where the shell would end it: parentheses nest,
  // quotes and backslashes hide them.
  EXPECT_THAT(Template::Parse("A $(python3 -c 'f(x)') B")->CommandSources(),
              ElementsAre("python3 -c 'f(x)'"));
  EXPECT_THAT(Template::Parse("$(echo $(date) (a)) tail")->CommandSources(),
              ElementsAre("echo $(date) (a)"));
  EXPECT_THAT(Template::Parse("$(echo \")\" \\)) x")->CommandSources(), ElementsAre("echo \")\" \\)"));
  EXPECT_FALSE(Template::Parse("$(echo it's) and more").ok()) << "an unclosed quote never closes";
  // A dollar not before '(' is plain text.
  EXPECT_EQ(*Template::Parse("$HOME costs $5")->Render({}), "$HOME costs $5");
}

}  // namespace
}  // namespace aix::prompts
