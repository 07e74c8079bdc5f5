// The prompt library end to end: aix create/list/show/edit/delete.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

std::string PromptFile(const Sandbox& box, const std::string& name) {
  return box.storage + "/prompts/" + name + ".yaml";
}

TEST(Prompts, CreateListShowDelete) {
  Sandbox box;
  Result c = box.Aix({"create", "summarize", "Summarize {input} in {words} words.", "-d",
                      "Short summaries", "-t", "text", "-t", "daily"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("parameters: input, words"));
  ASSERT_EQ(box.Aix({"create", "other", "Hello {who}"}).exit_code, 0);

  struct stat st;
  ASSERT_EQ(stat(PromptFile(box, "summarize").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((box.storage + "/prompts").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  Result list = box.Aix({"list"});
  EXPECT_EQ(list.out, "other\nsummarize  Short summaries  [text, daily]\n");
  EXPECT_EQ(box.Aix({"list", "--tag", "daily"}).out,
            "summarize  Short summaries  [text, daily]\n");
  Json lj = Json::parse(box.Aix({"list", "--json"}).out);
  ASSERT_EQ(lj["prompts"].size(), 2u);
  EXPECT_EQ(lj["prompts"][1]["variables"], Json({"input", "words"}));

  Result show = box.Aix({"show", "summarize"});
  ASSERT_EQ(show.exit_code, 0);
  EXPECT_THAT(show.out, HasSubstr("description: Short summaries\n"));
  EXPECT_THAT(show.out, HasSubstr("parameters:  input, words\n"));
  EXPECT_THAT(show.out, HasSubstr("\nSummarize {input} in {words} words.\n"));
  Json sj = Json::parse(box.Aix({"show", "summarize", "--json"}).out);
  EXPECT_EQ(sj["template"], "Summarize {input} in {words} words.");
  EXPECT_EQ(sj["tags"], Json({"text", "daily"}));

  Result refused = box.Aix({"delete", "summarize"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("aix delete summarize --force"));
  EXPECT_EQ(access(PromptFile(box, "summarize").c_str(), F_OK), 0);
  ASSERT_EQ(box.Aix({"delete", "summarize", "--force"}).exit_code, 0);
  EXPECT_NE(access(PromptFile(box, "summarize").c_str(), F_OK), 0);
  Result again = box.Aix({"delete", "summarize", "--force"});
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_THAT(again.err, HasSubstr("aix list"));
}

TEST(Prompts, RunSettingsAreStoredWithThePrompt) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "t", "x", "--provider", "anthropic", "--model", "claude-3-haiku-20240307",
                     "--system", "Be brief.", "--max-tokens", "200", "--temperature", "0.2"})
                .exit_code,
            0);
  Json j = Json::parse(box.Aix({"show", "t", "--json"}).out);
  EXPECT_EQ(j["provider"], "anthropic");
  EXPECT_EQ(j["model"], "claude-3-haiku-20240307");
  EXPECT_EQ(j["system"], "Be brief.");
  EXPECT_EQ(j["max_tokens"], "200");
  EXPECT_EQ(j["temperature"], 0.2);
  EXPECT_EQ(box.Aix({"create", "u", "x", "--temperature", "3"}).exit_code, 2);
}

TEST(Prompts, TemplateFromStdin) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "piped", "-"}, "Line one {a}\nLine two\n").exit_code, 0);
  Json j = Json::parse(box.Aix({"show", "piped", "--json"}).out);
  EXPECT_EQ(j["template"], "Line one {a}\nLine two\n");
}

TEST(Prompts, BadInputIsRefusedWithTheRule) {
  Sandbox box;
  for (const char* name : {"../x", "has space", "a/b", ""}) {
    Result r = box.Aix({"create", name, "t"});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_THAT(r.err, HasSubstr("letters, digits")) << name;
  }
  Result tmpl = box.Aix({"create", "j", "Reply {\"a\": 1}"});
  EXPECT_EQ(tmpl.exit_code, 2);
  EXPECT_THAT(tmpl.err, HasSubstr("line 1, column 7"));
  EXPECT_THAT(tmpl.err, HasSubstr("{{"));
  ASSERT_EQ(box.Aix({"create", "dup", "x"}).exit_code, 0);
  Result dup = box.Aix({"create", "dup", "y"});
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_THAT(dup.err, HasSubstr("aix edit dup"));
  EXPECT_EQ(box.Aix({"show", "nope"}).exit_code, 4);
}

TEST(Prompts, MalformedFileIsNamedWithLineAndOthersKeepWorking) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "good", "fine {x}"}).exit_code, 0);
  std::ofstream(PromptFile(box, "broken")) << "name: broken\ntemplate: [unclosed\n";
  std::ofstream(PromptFile(box, "typed")) << "name: typed\ntemplate: ok\ntags: 5\n";
  Result list = box.Aix({"list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out, "good\n");
  EXPECT_THAT(list.err, HasSubstr(PromptFile(box, "broken") + ":"));
  EXPECT_THAT(list.err, HasSubstr(PromptFile(box, "typed") + ":3: 'tags' must be a list"));
  Result show = box.Aix({"show", "typed"});
  EXPECT_EQ(show.exit_code, 6);
  EXPECT_THAT(show.err, HasSubstr("Fix it in a text editor"));
  EXPECT_EQ(box.Aix({"show", "good"}).exit_code, 0);
}

TEST(Prompts, EditSavesAValidChange) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "e", "Hello {who}"}).exit_code, 0);
  box.env["EDITOR"] = "sed -i s/Hello/Howdy/";
  Result r = box.Aix({"edit", "e"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Saved prompt e"));
  EXPECT_EQ(Json::parse(box.Aix({"show", "e", "--json"}).out)["template"], "Howdy {who}");
  box.env["EDITOR"] = "true";
  EXPECT_THAT(box.Aix({"edit", "e"}).out, HasSubstr("No changes"));
}

TEST(Prompts, EditFallsBackToTheEditorSetting) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "e", "one"}).exit_code, 0);
  ASSERT_EQ(box.Aix({"config", "--set", "editor", "sed -i s/one/two/"}).exit_code, 0);
  box.env.erase("EDITOR");
  ASSERT_EQ(box.Aix({"edit", "e"}).exit_code, 0);
  EXPECT_EQ(Json::parse(box.Aix({"show", "e", "--json"}).out)["template"], "two");
}

// EditorScript writes an executable that edits its argument with `sed`.
std::string EditorScript(const Sandbox& box, const std::string& name, const std::string& sed) {
  std::string path = box.dir + "/" + name;
  std::ofstream(path) << "#!/bin/sh\nexec sed -i '" << sed << "' \"$1\"\n";
  chmod(path.c_str(), 0755);
  return path;
}

TEST(Prompts, InvalidEditLosesNothingAndResumes) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "e", "Hello {who}"}).exit_code, 0);
  std::string before = Sandbox::ReadFile(PromptFile(box, "e"));
  box.env["EDITOR"] = EditorScript(box, "break.sh", "s/{who}/{who/");
  Result bad = box.Aix({"edit", "e"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("column 7"));
  std::string draft = box.home + "/.local/state/aix/e.edit.yaml";
  EXPECT_THAT(bad.err, HasSubstr("Your edit is kept in " + draft));
  EXPECT_EQ(Sandbox::ReadFile(PromptFile(box, "e")), before) << "stored prompt unchanged";
  EXPECT_THAT(Sandbox::ReadFile(draft), HasSubstr("Hello {who\""));

  // The next edit starts from the kept draft, not from the stored prompt.
  box.env["EDITOR"] = EditorScript(box, "fix.sh", "s/{who\"/{who}!\"/");
  Result fixed = box.Aix({"edit", "e"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_THAT(fixed.err, HasSubstr("Resuming your unsaved edit"));
  EXPECT_EQ(Json::parse(box.Aix({"show", "e", "--json"}).out)["template"], "Hello {who}!");
  EXPECT_NE(access(draft.c_str(), F_OK), 0) << "draft removed once saved";

  box.env["EDITOR"] = EditorScript(box, "rename.sh", "s/^name: e$/name: renamed/");
  Result renamed = box.Aix({"edit", "e"});
  EXPECT_EQ(renamed.exit_code, 2);
  EXPECT_THAT(renamed.err, HasSubstr("keep name: e"));
}

}  // namespace
}  // namespace aix::testing
