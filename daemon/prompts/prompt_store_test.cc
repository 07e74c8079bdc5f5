#include "daemon/prompts/prompt_store.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/files.h"

namespace aix::prompts {
namespace {

using ::testing::HasSubstr;

class PromptStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-ps-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    store_ = std::make_unique<PromptStore>(root_ + "/prompts");
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  void WriteRaw(const std::string& name, const std::string& text) {
    ASSERT_TRUE(EnsurePrivateDir(store_->dir()).ok());
    std::ofstream(store_->PathOf(name)) << text;
  }
  Prompt Make(const std::string& name, const std::string& text) {
    Prompt p;
    p.name = name;
    p.template_text = text;
    return p;
  }
  std::string root_;
  std::unique_ptr<PromptStore> store_;
};

TEST_F(PromptStoreTest, CreateGetRoundTripsEveryField) {
  Prompt p = Make("code-review", "Review this:\n{input}\n");
  p.description = "Reviews code";
  p.tags = {"code", "review"};
  p.provider = "anthropic";
  p.model = "claude-3-haiku-20240307";
  p.system = "You are terse.";
  p.max_tokens = 300;
  p.temperature = 0.1;
  auto created = store_->Create(p);
  ASSERT_TRUE(created.ok()) << created.status();
  auto got = store_->Get("code-review");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->template_text, "Review this:\n{input}\n");
  EXPECT_EQ(got->description, "Reviews code");
  EXPECT_EQ(got->tags, (std::vector<std::string>{"code", "review"}));
  EXPECT_EQ(got->provider, "anthropic");
  EXPECT_EQ(got->model, "claude-3-haiku-20240307");
  EXPECT_EQ(got->system, "You are terse.");
  EXPECT_EQ(got->max_tokens, 300);
  EXPECT_EQ(got->temperature, 0.1);
  EXPECT_EQ(absl::ToUnixMillis(got->created), absl::ToUnixMillis(created->created));
  struct stat st;
  ASSERT_EQ(stat(store_->PathOf("code-review").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(PromptStoreTest, TemplateTextRoundTripsExactly) {
  const std::string texts[] = {
      "no newline",      "one newline\n",        "two newlines\n\n", "\nleading newline",
      "  indented\n",    "tab\there\n",          "crlf\r\nline\r\n", "quote \" and ' {x}",
      "unicode \xC3\xA9\xE2\x80\xA6", "- looks: like yaml\n", "#comment-like", "",
      "trailing space \n", "{{literal}} braces",
  };
  int i = 0;
  for (const std::string& text : texts) {
    std::string name = "t" + std::to_string(i++);
    Prompt p = Make(name, text);
    p.system = text;
    ASSERT_TRUE(store_->Create(p).ok()) << text;
    auto got = store_->Get(name);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->template_text, text);
    EXPECT_EQ(got->system, text);
  }
}

TEST_F(PromptStoreTest, NamesAreRestricted) {
  for (const char* bad : {"", "../x", "a b", "a/b", ".", "..", "x$"}) {
    auto r = store_->Create(Make(bad, "t"));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("letters, digits")) << bad;
  }
  EXPECT_FALSE(store_->Create(Make(std::string(65, 'a'), "t")).ok());
  EXPECT_TRUE(store_->Create(Make(std::string(64, 'a'), "t")).ok());
  EXPECT_TRUE(store_->Create(Make("v1.2_ok-name", "t")).ok());
}

TEST_F(PromptStoreTest, DuplicateAndMissing) {
  ASSERT_TRUE(store_->Create(Make("a", "x")).ok());
  EXPECT_EQ(store_->Create(Make("a", "y")).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->Get("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("nope").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->Delete("a").ok());
  EXPECT_EQ(store_->Get("a").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PromptStoreTest, BadTemplateIsRefusedAtCreate) {
  auto r = store_->Create(Make("j", "{\"a\": 1}"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("{{"));
}

TEST_F(PromptStoreTest, UpdateKeepsCreationTime) {
  auto c = store_->Create(Make("u", "one"));
  ASSERT_TRUE(c.ok());
  auto u = store_->Update(Make("u", "two"));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(absl::ToUnixMillis(u->created), absl::ToUnixMillis(c->created));
  EXPECT_EQ(store_->Get("u")->template_text, "two");
  EXPECT_EQ(store_->Update(Make("ghost", "x")).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PromptStoreTest, BrokenFileNamesFileAndLineOthersStillList) {
  ASSERT_TRUE(store_->Create(Make("good", "fine {x}")).ok());
  WriteRaw("broken", "name: broken\ntemplate: [unclosed\n");
  WriteRaw("typed", "name: typed\ntemplate: ok\nmax_tokens: lots\n");
  std::vector<absl::Status> problems;
  auto list = store_->List("", &problems);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "good");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0].message(), HasSubstr(store_->PathOf("broken") + ":"));
  EXPECT_THAT(problems[1].message(), HasSubstr(store_->PathOf("typed") + ":3:"));
  EXPECT_THAT(problems[1].message(), HasSubstr("max_tokens"));
}

TEST_F(PromptStoreTest, ListFiltersByTag) {
  Prompt a = Make("a", "x");
  a.tags = {"t1"};
  Prompt b = Make("b", "x");
  b.tags = {"t2"};
  ASSERT_TRUE(store_->Create(a).ok());
  ASSERT_TRUE(store_->Create(b).ok());
  auto t2 = store_->List("t2", nullptr);
  ASSERT_EQ(t2.size(), 1u);
  EXPECT_EQ(t2[0].name, "b");
  EXPECT_EQ(store_->List("", nullptr).size(), 2u);
}

TEST_F(PromptStoreTest, HandWrittenFileWithMinimalFieldsLoads) {
  WriteRaw("hand", "name: hand\ntemplate: |\n  Hello {who}\n");
  auto p = store_->Get("hand");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->template_text, "Hello {who}\n");
  EXPECT_TRUE(p->tags.empty());
}

TEST_F(PromptStoreTest, FileWhoseNameDisagreesIsReported) {
  WriteRaw("x", "name: y\ntemplate: t\n");
  EXPECT_THAT(store_->Get("x").status().message(), HasSubstr("name: y"));
}

}  // namespace
TEST(PromptStoreCache, AHandEditIsSeenAtOnce) {
  std::string dir = ::testing::TempDir() + "/cache-" + std::to_string(getpid());
  PromptStore store(dir);
  Prompt p;
  p.name = "cached";
  p.template_text = "first";
  ASSERT_TRUE(store.Create(p).ok());
  EXPECT_EQ(store.Get("cached")->template_text, "first");
  // Same size, written in place (no rename): the times still differ.
  std::string text = ReadFile(store.PathOf("cached")).value();
  text.replace(text.find("first"), 5, "secnd");
  {
    std::ofstream out(store.PathOf("cached"), std::ios::in | std::ios::out);
    out << text;
  }
  EXPECT_EQ(store.Get("cached")->template_text, "secnd");
  ASSERT_TRUE(store.Delete("cached").ok());
  EXPECT_EQ(store.Get("cached").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace aix::prompts
