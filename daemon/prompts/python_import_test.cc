#include "daemon/prompts/python_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/template.h"

namespace aix::prompts {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCollection[] = R"(<?xml version="1.0" encoding="utf-8"?>
<collection>
  <metadata>
    <name>dev tools</name>
    <description>For code</description>
    <system_prompt>{"role": "system", "content": "You are a senior engineer."}</system_prompt>
    <tags><tag>code</tag><tag>work</tag></tags>
    <author>Ada</author>
    <created_at>2025-01-01T10:00:00</created_at>
    <updated_at>2025-01-02T10:00:00</updated_at>
  </metadata>
  <templates>
    <template>
      <metadata>
        <name>review</name>
        <description>Review code</description>
        <tags><tag>code</tag></tags>
        <variables><variable>code</variable><variable>user name</variable></variables>
      </metadata>
      <content><![CDATA[Review {code} for {user name}.
Return JSON like {"ok": true}. Branch: $(git branch --show-current)]]></content>
    </template>
    <template>
      <metadata><name>plain</name>
        <placeholder_generators><placeholder_generator language="python"><![CDATA[print(1)]]></placeholder_generator></placeholder_generators>
      </metadata>
      <content><![CDATA[Just text & <tags>.]]></content>
    </template>
  </templates>
</collection>
)";

TEST(ParsePythonCollection, MetadataTemplatesAndWhatChanged) {
  auto c = ParsePythonCollection(kCollection, "dev.xml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->collection.name, "dev_tools");
  EXPECT_EQ(c->collection.description, "For code");
  EXPECT_EQ(c->collection.author, "Ada");
  EXPECT_THAT(c->collection.tags, ElementsAre("code", "work"));
  EXPECT_EQ(c->collection.system, "You are a senior engineer.");
  EXPECT_THAT(c->collection.prompts, ElementsAre("review", "plain"));
  ASSERT_EQ(c->prompts.size(), 2u);
  EXPECT_EQ(c->prompts[0].template_text,
            "Review {code} for {user_name}.\nReturn JSON like {{\"ok\": true}}. Branch: "
            "$(git branch --show-current)");
  EXPECT_EQ(c->prompts[1].template_text, "Just text & <tags>.");
  EXPECT_THAT(c->report, Contains(HasSubstr("parameter 'user name' is now user_name")));
  EXPECT_THAT(c->report, Contains(HasSubstr("collection 'dev tools' is now dev_tools")));
  EXPECT_THAT(c->report, Contains(HasSubstr("plain: 1 placeholder generator script(s) were not "
                                            "imported")));
  // Rendered, it is what the Python tool sent for the same parameters.
  auto t = Template::Parse(c->prompts[0].template_text);
  ASSERT_TRUE(t.ok());
  std::vector<std::string> outputs = {"main"};
  EXPECT_EQ(*t->Render({{"code", "x()"}, {"user_name", "Bo"}}, nullptr, &outputs),
            "Review x() for Bo.\nReturn JSON like {\"ok\": true}. Branch: main");
}

TEST(ParsePythonCollection, HostileFilesAreRefusedWithTheReason) {
  struct Case {
    std::string xml, why;
  } cases[] = {
      {"<collection><metadata><name>x</name>", "in.xml:1: not a valid collection file"},
      {"<notes/>", "not <collection>"},
      {"<collection><metadata></metadata></collection>", "no <name>"},
      {"<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
       "<collection><metadata><name>&b;</name></metadata></collection>",
       "DOCTYPE"},
      {"<collection><metadata><name>\xff</name></metadata></collection>", "UTF-8"},
  };
  for (const Case& c : cases) {
    auto r = ParsePythonCollection(c.xml, "in.xml");
    ASSERT_FALSE(r.ok()) << c.xml;
    EXPECT_THAT(r.status().message(), HasSubstr(c.why)) << c.xml;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  EXPECT_FALSE(ParsePythonCollection("<collection>" + deep, "deep.xml").ok());
}

TEST(ConvertPythonTemplate, AlwaysParses) {
  for (const char* in : {"{", "}", "{}", "{{x}}", "a $( b", "{exec:ls}", "{1st}", "{a{b}c}",
                         "$(x) {cmd:y} {z}", "{{{{"}) {
    std::vector<std::string> notes;
    std::string out = ConvertPythonTemplate(in, &notes);
    EXPECT_TRUE(Template::Parse(out).ok()) << in << " -> " << out;
  }
  EXPECT_EQ(ConvertPythonTemplate("{1st}", nullptr), "{_1st}");
  EXPECT_EQ(ConvertPythonTemplate("{exec:echo {user name}}", nullptr), "{exec:echo {user_name}}");
  EXPECT_EQ(ConvertPythonTemplate("cost $( 5", nullptr), "cost $$( 5");
}

}  // namespace
}  // namespace aix::prompts
