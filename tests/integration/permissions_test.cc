// Only the daemon's own user may use it. Runs the client as uid 65534
// (nobody), so it needs root; it is skipped otherwise.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;

class OtherUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another uid";
    if (access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "setpriv missing";
    // The runfiles tree is under root's home; give nobody its own copy.
    client_ = box_.dir + "/aix";
    std::string cmd = "cp '" + AixPath() + "' '" + client_ + "' && chmod 0755 '" + client_ +
                      "' '" + box_.dir + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    daemon_ = box_.StartDaemon();
  }

  Result AsNobody(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                     "--clear-groups", client_};
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = box_.env;
    env["HOME"] = "/nonexistent";
    // Under TSan the client reads its suppressions file; nobody cannot read
    // the runfiles tree, so it gets a copy beside its own binary.
    auto tsan = env.find("TSAN_OPTIONS");
    size_t at = tsan == env.end() ? std::string::npos : tsan->second.find(":suppressions=");
    if (at != std::string::npos) {
      std::string copy = box_.dir + "/tsan.supp";
      std::string cmd = "cp '" + tsan->second.substr(at + 14) + "' '" + copy + "' && chmod 0644 '" +
                        copy + "'";
      EXPECT_EQ(std::system(cmd.c_str()), 0);
      tsan->second = tsan->second.substr(0, at) + ":suppressions=" + copy;
    }
    env.erase("AIXD");  // nobody must not start a daemon of its own here
    return RunProcess(argv, env);
  }

  Sandbox box_;
  std::string client_;
  pid_t daemon_ = 0;
};

TEST_F(OtherUserTest, PrivateSocketKeepsOtherUsersOut) {
  Result r = AsNobody({"config", "--list"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("permission denied"));
}

TEST_F(OtherUserTest, DaemonRefusesAnotherUidEvenIfTheSocketIsOpened) {
  // Someone loosened the modes: the peer-credential check still refuses.
  ASSERT_EQ(chmod((box_.dir + "/run").c_str(), 0755), 0);
  ASSERT_EQ(chmod(box_.socket.c_str(), 0666), 0);
  Result r = AsNobody({"config", "--list"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("refuses uid 65534"));
  Result key = AsNobody({"daemon", "status"});
  EXPECT_EQ(key.exit_code, 5);
  // The owner is still served.
  EXPECT_EQ(box_.Aix({"config", "--list"}).exit_code, 0);
}

}  // namespace
}  // namespace aix::testing
