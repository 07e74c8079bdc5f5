#include "common/files.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace aix {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-files-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string dir_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST_F(FilesTest, EnsurePrivateDirCreatesNestedDirsWithMode0700) {
  std::string d = dir_ + "/a/b";
  ASSERT_TRUE(EnsurePrivateDir(d).ok());
  EXPECT_EQ(ModeOf(dir_ + "/a"), 0700);
  EXPECT_EQ(ModeOf(d), 0700);
}

TEST_F(FilesTest, EnsurePrivateDirTightensAReadableDirectoryOfOurs) {
  std::string d = dir_ + "/open";
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  ASSERT_EQ(chmod(d.c_str(), 0755), 0);
  ASSERT_TRUE(EnsurePrivateDir(d).ok());
  EXPECT_EQ(ModeOf(d), 0700);
}

TEST_F(FilesTest, EnsurePrivateDirRefusesSharedDirectoriesAndChangesNothing) {
  for (mode_t mode : {01777, 0777, 0770}) {
    std::string d = dir_ + "/shared" + std::to_string(mode);
    ASSERT_EQ(mkdir(d.c_str(), 0700), 0);
    ASSERT_EQ(chmod(d.c_str(), mode), 0);
    absl::Status s = EnsurePrivateDir(d);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << mode;
    EXPECT_NE(s.message().find("shared"), std::string::npos) << s.message();
    EXPECT_EQ(ModeOf(d), static_cast<int>(mode & 07777)) << "the mode was changed";
  }
}

TEST_F(FilesTest, EnsurePrivateDirRefusesASymlinkWhenAsked) {
  std::string real = dir_ + "/real", link = dir_ + "/link";
  ASSERT_EQ(mkdir(real.c_str(), 0700), 0);
  ASSERT_EQ(symlink(real.c_str(), link.c_str()), 0);
  EXPECT_EQ(EnsurePrivateDir(link, Links::kRefuse).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(EnsurePrivateDir(link, Links::kFollow).ok());
}

TEST_F(FilesTest, RemoveStaleTempFilesKeepsYoungOnesAndOthers) {
  std::string old_tmp = dir_ + "/config.json.tmp-AbC123", young = dir_ + "/config.json.tmp-XyZ789";
  std::string other = dir_ + "/config.json";
  for (const auto& f : {old_tmp, young, other}) ASSERT_TRUE(WriteFileAtomically(f, "k").ok());
  timeval past[2] = {{time(nullptr) - 3600, 0}, {time(nullptr) - 3600, 0}};
  ASSERT_EQ(utimes(old_tmp.c_str(), past), 0);
  EXPECT_EQ(RemoveStaleTempFiles(dir_), 1);
  EXPECT_NE(access(old_tmp.c_str(), F_OK), 0);
  EXPECT_EQ(access(young.c_str(), F_OK), 0);
  EXPECT_EQ(access(other.c_str(), F_OK), 0);
}

TEST_F(FilesTest, EnsurePrivateDirRefusesAFile) {
  std::string f = dir_ + "/file";
  ASSERT_TRUE(WriteFileAtomically(f, "x").ok());
  absl::Status s = EnsurePrivateDir(f);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FilesTest, EnsurePrivateDirRefusesSomeoneElsesDirectory) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  std::string d = dir_ + "/theirs";
  ASSERT_EQ(mkdir(d.c_str(), 0700), 0);
  ASSERT_EQ(chown(d.c_str(), 65534, 65534), 0);
  absl::Status s = EnsurePrivateDir(d);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("65534"), std::string::npos);
}

TEST_F(FilesTest, WriteFileAtomicallyCreates0600AndReplaces) {
  std::string f = dir_ + "/config.json";
  ASSERT_TRUE(WriteFileAtomically(f, "first").ok());
  EXPECT_EQ(ModeOf(f), 0600);
  ASSERT_TRUE(WriteFileAtomically(f, "second").ok());
  EXPECT_EQ(*ReadFile(f), "second");
  EXPECT_EQ(ModeOf(f), 0600);
}

TEST_F(FilesTest, WriteFileAtomicallyLeavesNoTemporaryFiles) {
  std::string f = dir_ + "/c";
  ASSERT_TRUE(WriteFileAtomically(f, "x").ok());
  std::string cmd = "test $(ls -A '" + dir_ + "' | wc -l) -eq 1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST_F(FilesTest, WriteFileAtomicallyFailsCleanlyInMissingDirectory) {
  absl::Status s = WriteFileAtomically(dir_ + "/missing/c", "x");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing"), std::string::npos);
}

TEST_F(FilesTest, ReadFileReportsNotFound) {
  EXPECT_EQ(ReadFile(dir_ + "/nope").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace aix
