// systemd socket activation (LISTEN_FDS), driven by systemd-socket-activate
// exactly as aixd.socket would.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;

TEST(SocketActivation, DaemonAdoptsThePassedSocketAndLeavesItInPlace) {
  const char* activate = "/usr/bin/systemd-socket-activate";
  if (access(activate, X_OK) != 0) GTEST_SKIP() << "systemd-socket-activate missing";
  Sandbox box;
  ASSERT_EQ(mkdir((box.dir + "/run").c_str(), 0700), 0);
  box.env.erase("AIXD");  // the client must not start a daemon itself
  std::string log = box.dir + "/activate.log";
  pid_t pid = Spawn({activate, "--listen=" + box.socket, AixdPath()}, box.env, log, log);
  ASSERT_TRUE(box.WaitForSocket());
  EXPECT_TRUE(box.Daemons().empty()) << "aixd starts on the first connection, not before";

  Result status = box.Aix({"daemon", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err << Sandbox::ReadFile(log);
  EXPECT_THAT(status.out, HasSubstr("by systemd socket activation"));
  EXPECT_THAT(status.out, HasSubstr("socket:  " + box.socket));
  Result set = box.Aix({"config", "--set", "editor", "vim"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(box.Aix({"config", "--get", "editor"}).out, "vim\n");

  // On stop the socket belongs to systemd: aixd must not remove it.
  ASSERT_EQ(box.Aix({"daemon", "stop"}).exit_code, 0);
  EXPECT_EQ(access(box.socket.c_str(), F_OK), 0);
  kill(pid, SIGTERM);
  box.WaitExit(pid);
}

TEST(SocketActivation, TheHttpSocketIsActivatedToo) {
  const char* activate = "/usr/bin/systemd-socket-activate";
  if (access(activate, X_OK) != 0) GTEST_SKIP() << "systemd-socket-activate missing";
  Sandbox box;
  ASSERT_EQ(mkdir((box.dir + "/run").c_str(), 0700), 0);
  box.env.erase("AIXD");
  const std::string http = box.dir + "/run/http.sock";
  std::string log = box.dir + "/activate.log";
  // As aixd.socket declares them: the gRPC socket first, then http.sock.
  pid_t pid = Spawn({activate, "--listen=" + box.socket, "--listen=" + http, AixdPath()}, box.env,
                    log, log);
  ASSERT_TRUE(box.WaitForSocket());
  for (int i = 0; i < 200 && access(http.c_str(), F_OK) != 0; ++i) usleep(10000);
  EXPECT_TRUE(box.Daemons().empty());
  // The first HTTP request starts aixd, which serves it on the passed socket.
  Result r = RunProcess({"/usr/bin/curl", "-sS", "--unix-socket", http, "http://localhost/v1/models"},
                        box.env, "", 30);
  EXPECT_THAT(r.out, HasSubstr("\"object\":\"list\"")) << r.err << Sandbox::ReadFile(log);
  Result info = box.Aix({"endpoint", "--json"});
  EXPECT_THAT(info.out, HasSubstr(http)) << info.err;
  ASSERT_EQ(box.Aix({"daemon", "stop"}).exit_code, 0);
  EXPECT_EQ(access(http.c_str(), F_OK), 0) << "systemd's socket stays";
  kill(pid, SIGTERM);
  box.WaitExit(pid);
}

}  // namespace
}  // namespace aix::testing
