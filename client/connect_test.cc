#include "client/connect.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace aix {
namespace {

class ConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-con-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  int Bind(const std::string& path, bool listening) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, path.c_str());
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    if (listening) {
      EXPECT_EQ(listen(fd, 1), 0);
    }
    return fd;
  }
  std::string dir_;
};

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST_F(ConnectTest, ProbeMissingSocketIsUnavailable) {
  EXPECT_EQ(ProbeSocket(dir_ + "/none.sock").code(), absl::StatusCode::kUnavailable);
}

TEST_F(ConnectTest, ProbeStaleSocketIsUnavailable) {
  std::string path = dir_ + "/stale.sock";
  close(Bind(path, /*listening=*/false));
  EXPECT_EQ(ProbeSocket(path).code(), absl::StatusCode::kUnavailable);
}

TEST_F(ConnectTest, ProbeLiveSocketIsOk) {
  std::string path = dir_ + "/live.sock";
  int fd = Bind(path, /*listening=*/true);
  EXPECT_TRUE(ProbeSocket(path).ok());
  close(fd);
}

TEST_F(ConnectTest, FindDaemonBinaryHonoursAixdThenPath) {
  std::string fake = dir_ + "/aixd";
  std::ofstream(fake) << "#!/bin/sh\n";
  ASSERT_EQ(chmod(fake.c_str(), 0755), 0);
  EXPECT_EQ(*FindDaemonBinary(Env({{"AIXD", fake}})), fake);
  EXPECT_EQ(*FindDaemonBinary(Env({{"PATH", "/nonexistent:" + dir_}})), fake);
  auto bad = FindDaemonBinary(Env({{"AIXD", dir_ + "/missing"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("AIXD is set to"), std::string::npos);
  auto none = FindDaemonBinary(Env({{"PATH", "/nonexistent"}}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("set AIXD="), std::string::npos);
}

}  // namespace
}  // namespace aix
