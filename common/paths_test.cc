#include "common/paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace aix {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SocketPath, PrefersAixSocket) {
  auto p = SocketPath(FakeEnv({{"AIX_SOCKET", "/tmp/x/s.sock"},
                               {"XDG_RUNTIME_DIR", "/run/user/1"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "/tmp/x/s.sock");
}

TEST(SocketPath, ThenXdgRuntimeDir) {
  auto p = SocketPath(FakeEnv({{"XDG_RUNTIME_DIR", "/run/user/1"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "/run/user/1/aix/aixd.sock");
}

TEST(SocketPath, ThenTmpPerUid) {
  auto p = SocketPath(FakeEnv({}), "/nonexistent/run/user");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, absl::StrCat("/tmp/aix-", getuid(), "/aixd.sock"));
}

// Without XDG_RUNTIME_DIR (an MCP client starting aix mcp), the login
// session's runtime directory is found anyway, when it is plainly the user's.
TEST(SocketPath, FindsTheSessionRuntimeDirWithoutTheVariable) {
  char tmpl[] = "/tmp/aix-run-XXXXXX";  // short: socket paths have a limit
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  const std::string dir = absl::StrCat(root, "/", getuid());
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  auto p = SocketPath(FakeEnv({}), root);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, dir + "/aix/aixd.sock");
  // The variable, when set, still wins.
  EXPECT_EQ(*SocketPath(FakeEnv({{"XDG_RUNTIME_DIR", "/run/user/1"}}), root), "/run/user/1/aix/aixd.sock");
  // A directory others may enter is not a session's runtime directory.
  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  EXPECT_EQ(*SocketPath(FakeEnv({}), root), absl::StrCat("/tmp/aix-", getuid(), "/aixd.sock"));
  rmdir(dir.c_str());
  rmdir(root.c_str());
}

TEST(SocketPath, RefusesPathOverUnixLimitAndSaysHowToFixIt) {
  std::string long_dir = "/tmp/" + std::string(120, 'd');
  auto p = SocketPath(FakeEnv({{"XDG_RUNTIME_DIR", long_dir}}));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("107"), std::string::npos);
  EXPECT_NE(p.status().message().find("export AIX_SOCKET="), std::string::npos);
}

TEST(SocketPath, AcceptsPathExactlyAtLimit) {
  std::string path = "/" + std::string(kMaxSocketPathLength - 1, 'a');
  EXPECT_TRUE(CheckSocketPath(path).ok());
  EXPECT_FALSE(CheckSocketPath(path + "a").ok());
}

TEST(SocketPath, RefusesRelativePath) {
  EXPECT_FALSE(CheckSocketPath("relative.sock").ok());
}

TEST(StorageDir, PrefersAixStoragePathThenHome) {
  EXPECT_EQ(*StorageDir(FakeEnv({{"AIX_STORAGE_PATH", "/s"}, {"HOME", "/h"}})), "/s");
  EXPECT_EQ(*StorageDir(FakeEnv({{"HOME", "/h"}})), "/h/.prompts");
  EXPECT_FALSE(StorageDir(FakeEnv({})).ok());
}

TEST(StateDir, UsesXdgStateHomeThenHome) {
  EXPECT_EQ(*StateDir(FakeEnv({{"XDG_STATE_HOME", "/st"}, {"HOME", "/h"}})), "/st/aix");
  EXPECT_EQ(*StateDir(FakeEnv({{"HOME", "/h"}})), "/h/.local/state/aix");
}

TEST(Dirname, Cases) {
  EXPECT_EQ(Dirname("/a/b/c"), "/a/b");
  EXPECT_EQ(Dirname("/a"), "/");
  EXPECT_EQ(Dirname("a"), ".");
}

}  // namespace
}  // namespace aix
