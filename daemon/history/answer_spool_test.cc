#include "daemon/history/answer_spool.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace aix::history {
namespace {

int Entries(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.' || e->d_name[1] == 'a';
  closedir(d);
  return n;
}

int OpenDescriptors() {
  DIR* d = opendir("/proc/self/fd");
  int n = 0;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

std::string TempDir() {
  std::string dir = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") +
                    "/spoolXXXXXX";
  return mkdtemp(dir.data());
}

// A pattern that shows a byte out of place.
std::string Piece(size_t i, size_t len) {
  std::string s(len, 'a');
  for (size_t j = 0; j < len; ++j) s[j] = static_cast<char>('a' + (i * 7 + j) % 26);
  return s;
}

TEST(AnswerSpool, AShortAnswerStaysInMemory) {
  const std::string dir = TempDir();
  const int fds = OpenDescriptors();
  AnswerSpool spool(dir, 4 << 20);
  spool.Append("Hello, ");
  spool.Append("world");
  EXPECT_EQ(OpenDescriptors(), fds);
  EXPECT_EQ(spool.size(), 12u);
  EXPECT_EQ(spool.Take(), "Hello, world");
  EXPECT_EQ(spool.size(), 0u);
}

TEST(AnswerSpool, ALongAnswerGoesToAFileNoNameReachesAndComesBackWhole) {
  const std::string dir = TempDir();
  const int fds = OpenDescriptors();
  AnswerSpool spool(dir, 4 << 20);
  std::string expected;
  for (size_t i = 0; expected.size() < (5u << 20); ++i) {
    const std::string piece = Piece(i, 1000 + i % 3000);
    spool.Append(piece);
    expected += piece;
    EXPECT_EQ(Entries(dir), 0) << "the spool file must have no name";
  }
  EXPECT_EQ(OpenDescriptors(), fds + 1) << "the answer went to a file";
  expected.resize(4 << 20);  // the limit
  EXPECT_EQ(spool.size(), expected.size());
  const std::string got = spool.Take();
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "bytes out of place";
  EXPECT_EQ(OpenDescriptors(), fds) << "Take closes the file";
}

TEST(AnswerSpool, WithoutAUsableDirectoryTheAnswerStaysInMemory) {
  AnswerSpool spool(TempDir() + "/gone", 1 << 20);
  std::string expected;
  for (size_t i = 0; i < 300; ++i) {
    const std::string piece = Piece(i, 1000);
    spool.Append(piece);
    expected += piece;
  }
  EXPECT_EQ(spool.Take(), expected);
}

}  // namespace
}  // namespace aix::history
