// Collections end to end: create, list, info, load/unload (scoping aix list
// and warning in aix run), add/remove, delete, the Python spellings, and a
// collection's system prompt going with its prompts' runs.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

class CollectionsTest : public ::testing::Test {
 protected:
  CollectionsTest() : fake_(box_.dir) {}
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"})
                  .exit_code,
              0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-coll-2468").exit_code, 0);
    for (const char* p : {"review", "summary", "joke"}) {
      ASSERT_EQ(box_.Aix({"create", p, std::string("Do ") + p + " of {input}"}).exit_code, 0);
    }
  }
  Json LastMessages() { return fake_.Requests().back()["body"]["messages"]; }
  Sandbox box_;
  FakeProvider fake_;
};

TEST_F(CollectionsTest, CreateInfoListAddRemoveDelete) {
  Result c = box_.Aix({"collection", "create", "work", "-d", "Day job", "-p", "review", "-p",
                       "summary", "--tag", "code", "--author", "Ada"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("Created collection work (2 prompts)"));
  EXPECT_EQ(box_.Aix({"collection", "create", "work"}).exit_code, 1) << "a duplicate";
  Result missing = box_.Aix({"collection", "create", "x", "-p", "nosuch"});
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_THAT(missing.err, HasSubstr("no prompt named nosuch"));
  Json info = Json::parse(box_.Aix({"collection", "info", "work", "--json"}).out);
  EXPECT_EQ(info["description"], "Day job");
  EXPECT_EQ(info["author"], "Ada");
  EXPECT_EQ(info["prompts"], Json::array({"review", "summary"}));
  ASSERT_EQ(box_.Aix({"collection", "add", "joke", "-c", "work"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection", "remove", "review", "-c", "work"}).exit_code, 0);
  Json after = Json::parse(box_.Aix({"collection", "info", "work", "--json"}).out);
  EXPECT_EQ(after["prompts"], Json::array({"summary", "joke"}));
  EXPECT_EQ(box_.Aix({"collection", "remove", "review", "-c", "work"}).exit_code, 4);
  EXPECT_THAT(box_.Aix({"collection", "list"}).out, HasSubstr("work  2 prompts  Day job"));
  // The file is ours to read: YAML, 0600.
  std::string yaml = Sandbox::ReadFile(box_.storage + "/collections/work.yaml");
  EXPECT_THAT(yaml, HasSubstr("name: work"));
  EXPECT_EQ(box_.Aix({"collection", "delete", "work"}).exit_code, 2) << "asks first";
  ASSERT_EQ(box_.Aix({"collection", "delete", "work", "--force"}).exit_code, 0);
  EXPECT_EQ(box_.Aix({"collection", "info", "work"}).exit_code, 4);
  EXPECT_EQ(box_.Aix({"show", "summary"}).exit_code, 0) << "deleting a collection kept its prompts";
}

TEST_F(CollectionsTest, LoadedCollectionScopesListAndWarnsInRun) {
  ASSERT_EQ(box_.Aix({"collection", "create", "work", "-p", "review"}).exit_code, 0);
  EXPECT_EQ(box_.Aix({"collection", "add", "summary"}).exit_code, 2) << "nothing loaded";
  ASSERT_EQ(box_.Aix({"collection", "load", "work"}).exit_code, 0);
  Result list = box_.Aix({"list"});
  EXPECT_EQ(list.out, "review\n");
  EXPECT_THAT(list.err, HasSubstr("aix list --all"));
  EXPECT_THAT(box_.Aix({"list", "--all"}).out, HasSubstr("joke\n"));
  EXPECT_THAT(box_.Aix({"list", "-a"}).out, HasSubstr("summary\n"));
  // With a collection loaded, add/remove default to it.
  ASSERT_EQ(box_.Aix({"collection", "add", "summary"}).exit_code, 0);
  EXPECT_EQ(box_.Aix({"list"}).out, "review\nsummary\n");
  // A prompt outside it still runs, with a warning that says the fix.
  Result r = box_.Aix({"run", "joke", "-p", "input=x"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not in the loaded collection work"));
  EXPECT_THAT(r.err, HasSubstr("aix collection add joke"));
  Json status = Json::parse(box_.Aix({"collection", "info", "--json"}).out);
  EXPECT_EQ(status["loaded"], true);
  Result un = box_.Aix({"collection", "unload"});
  EXPECT_THAT(un.out, HasSubstr("Unloaded collection work"));
  EXPECT_THAT(box_.Aix({"list"}).out, HasSubstr("joke\n"));
  EXPECT_THAT(box_.Aix({"list"}).err, Not(HasSubstr("loaded")));
}

TEST_F(CollectionsTest, SystemPromptGoesWithItsPromptsRuns) {
  // The Python aix stored the system prompt as a JSON message.
  ASSERT_EQ(box_.Aix({"collection", "create", "tutor", "-p", "review", "-s",
                      R"({"role": "system", "content": "You are a patient tutor."})"})
                .exit_code,
            0);
  ASSERT_EQ(box_.Aix({"run", "review", "-p", "input=x"}).exit_code, 0);
  Json m = LastMessages();
  ASSERT_EQ(m.size(), 2u) << m.dump();
  EXPECT_EQ(m[0]["role"], "system");
  EXPECT_EQ(m[0]["content"], "You are a patient tutor.");
  // --system wins, and a prompt outside the collection gets none.
  ASSERT_EQ(box_.Aix({"run", "review", "-p", "input=x", "--system", "Be brief."}).exit_code, 0);
  EXPECT_EQ(LastMessages()[0]["content"], "Be brief.");
  ASSERT_EQ(box_.Aix({"run", "joke", "-p", "input=x"}).exit_code, 0);
  EXPECT_EQ(LastMessages().size(), 1u);
  // The prompt's own system prompt wins over the collection's.
  ASSERT_EQ(box_.Aix({"create", "own", "Hi", "--system", "Own rules."}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection", "add", "own", "-c", "tutor"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "own"}).exit_code, 0);
  EXPECT_EQ(LastMessages()[0]["content"], "Own rules.");
  // The dry run shows which system prompt would go.
  EXPECT_THAT(box_.Aix({"run", "review", "-p", "input=x", "--dry-run"}).out,
              HasSubstr("You are a patient tutor."));
}

TEST_F(CollectionsTest, PythonSpellings) {
  Result c = box_.Aix({"collection-create", "py", "-t", "joke", "-d", "From Python habits"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(box_.Aix({"collection-load", "py"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection-add", "review"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection-remove", "joke"}).exit_code, 0);
  EXPECT_THAT(box_.Aix({"collection-info"}).out, HasSubstr("review"));
  EXPECT_THAT(box_.Aix({"collection-list"}).out, HasSubstr("* py"));
  ASSERT_EQ(box_.Aix({"collection-unload"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"collection-delete", "py", "-f"}).exit_code, 0);
  // Hidden from --help, which shows `aix collection` instead.
  Result help = box_.Aix({"--help"});
  EXPECT_THAT(help.out, HasSubstr("collection"));
  EXPECT_THAT(help.out, Not(HasSubstr("collection-create")));
}

TEST_F(CollectionsTest, HandEditedCollectionErrorsNameTheLine) {
  ASSERT_EQ(box_.Aix({"collection", "create", "ok"}).exit_code, 0);
  std::ofstream(box_.storage + "/collections/bad.yaml") << "name: bad\nprompts: 7\n";
  Result list = box_.Aix({"collection", "list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_THAT(list.out, HasSubstr("ok"));
  EXPECT_THAT(list.err, HasSubstr("bad.yaml:2"));
  Result info = box_.Aix({"collection", "info", "bad"});
  EXPECT_EQ(info.exit_code, 6);
  EXPECT_THAT(info.err, HasSubstr("'prompts' must be a list"));
}

}  // namespace
}  // namespace aix::testing
