#include "daemon/server/listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "common/files.h"

namespace aix {
namespace {

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-lst-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/run/aixd.sock";
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string dir_, path_;
};

TEST_F(ListenerTest, CreatesPrivateDirectoryAndSocket) {
  auto l = SocketListener::Open(path_);
  ASSERT_TRUE(l.ok()) << l.status();
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(stat((dir_ + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  EXPECT_FALSE((*l)->socket_activated());
}

TEST_F(ListenerTest, SecondOpenNamesThePidOfTheFirst) {
  auto first = SocketListener::Open(path_);
  ASSERT_TRUE(first.ok());
  auto second = SocketListener::Open(path_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())),
            std::string::npos)
      << second.status();
}

TEST_F(ListenerTest, ReplacesStaleSocketAndRemovesItsOwnOnClose) {
  ASSERT_TRUE(EnsurePrivateDir(dir_ + "/run").ok());
  // A socket file nobody listens on, as a killed daemon leaves behind.
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, path_.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  close(fd);
  {
    auto l = SocketListener::Open(path_);
    ASSERT_TRUE(l.ok()) << l.status();
  }
  EXPECT_NE(access(path_.c_str(), F_OK), 0);
}

TEST_F(ListenerTest, RefusesOverlongPath) {
  auto l = SocketListener::Open("/tmp/" + std::string(110, 'x'));
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aix
