#include "daemon/prompts/import_journal.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace aix::prompts {
namespace {

class ImportJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-journal-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    mkdir((root_ + "/prompts").c_str(), 0700);
  }
  void TearDown() override { std::system(("rm -rf " + root_).c_str()); }

  void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  std::string Read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

  std::string root_;
};

TEST_F(ImportJournalTest, RecoverPutsBackWhatAnUnfinishedImportChanged) {
  const std::string old_file = root_ + "/prompts/old.yaml", new_file = root_ + "/prompts/new.yaml";
  Write(old_file, "before");
  ImportJournal journal(root_ + "/import.journal", root_);
  ASSERT_TRUE(journal.Begin({{old_file, std::string("before")}, {new_file, std::nullopt}}).ok());
  // The import writes, then "dies" before Commit.
  Write(old_file, "after");
  Write(new_file, "new");
  ImportJournal at_start(root_ + "/import.journal", root_);
  auto restored = at_start.Recover();
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(*restored, 2);
  EXPECT_EQ(Read(old_file), "before");
  EXPECT_FALSE(Exists(new_file));
  EXPECT_FALSE(Exists(root_ + "/import.journal"));
  EXPECT_EQ(*at_start.Recover(), 0) << "nothing left to do";
}

TEST_F(ImportJournalTest, CommitKeepsTheImportAndEndsTheJournal) {
  const std::string file = root_ + "/prompts/a.yaml";
  ImportJournal journal(root_ + "/import.journal", root_);
  ASSERT_TRUE(journal.Begin({{file, std::nullopt}}).ok());
  // A second import while this one runs is refused.
  EXPECT_EQ(journal.Begin({}).code(), absl::StatusCode::kFailedPrecondition);
  Write(file, "imported");
  ASSERT_TRUE(journal.Commit().ok());
  EXPECT_FALSE(Exists(root_ + "/import.journal"));
  EXPECT_EQ(*journal.Recover(), 0);
  EXPECT_EQ(Read(file), "imported");
}

TEST_F(ImportJournalTest, AJournalNeverReachesOutsideItsRoot) {
  const std::string outside = root_ + ".outside";
  Write(outside, "keep me");
  Write(root_ + "/import.journal",
        "{\"version\": 1, \"files\": [{\"path\": \"" + outside + "\", \"before\": null}, "
        "{\"path\": \"" + root_ + "/prompts/../../etc\", \"before\": null}]}");
  auto restored = ImportJournal(root_ + "/import.journal", root_).Recover();
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*restored, 0);
  EXPECT_EQ(Read(outside), "keep me");
  unlink(outside.c_str());
  // A torn journal (written whole before any import write) changes nothing.
  Write(root_ + "/import.journal", "{\"version\": 1, \"fil");
  EXPECT_EQ(*ImportJournal(root_ + "/import.journal", root_).Recover(), 0);
  EXPECT_FALSE(Exists(root_ + "/import.journal"));
}

}  // namespace
}  // namespace aix::prompts
