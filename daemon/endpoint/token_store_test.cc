#include "daemon/endpoint/token_store.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace aix::endpoint {
namespace {

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-token-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/endpoint_token";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_, path_;
};

TEST_F(TokenStoreTest, MakesAPrivateTokenThatMatches) {
  TokenStore store(path_);
  auto token = store.Get();
  ASSERT_TRUE(token.ok()) << token.status();
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(store.Matches(*token));
  EXPECT_FALSE(store.Matches(*token + "x"));
  EXPECT_FALSE(store.Matches(""));
}

TEST_F(TokenStoreTest, DeletingTheFileRevokesTheTokenAtOnce) {
  TokenStore store(path_);
  auto token = store.Get();
  ASSERT_TRUE(token.ok());
  ASSERT_EQ(unlink(path_.c_str()), 0);
  EXPECT_FALSE(store.Matches(*token));
  // The next Get (aix endpoint) makes a new one; the old stays revoked.
  auto fresh = store.Get();
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(*fresh, *token);
  EXPECT_FALSE(store.Matches(*token));
  EXPECT_TRUE(store.Matches(*fresh));
}

TEST_F(TokenStoreTest, AFileOthersCanReadIsRefused) {
  TokenStore store(path_);
  auto token = store.Get();
  ASSERT_TRUE(token.ok());
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  EXPECT_FALSE(store.Matches(*token));
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  EXPECT_TRUE(store.Matches(*token));
}

TEST_F(TokenStoreTest, ATokenWrittenByHandTakesOverAtOnce) {
  TokenStore store(path_);
  auto token = store.Get();
  ASSERT_TRUE(token.ok());
  const std::string mine = "aixd-my-own-token-written-by-hand-0001";
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream f(tmp);
    f << mine << "\n";
  }
  ASSERT_EQ(chmod(tmp.c_str(), 0600), 0);
  ASSERT_EQ(rename(tmp.c_str(), path_.c_str()), 0);
  EXPECT_TRUE(store.Matches(mine));
  EXPECT_FALSE(store.Matches(*token));
}

}  // namespace
}  // namespace aix::endpoint
