// aixd's life cycle: start on demand, one per socket, stale sockets,
// SIGTERM, status/start/stop.
#include <signal.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

TEST(Daemon, StatusReportsPidVersionSocketAndStartMethod) {
  Sandbox box;
  pid_t pid = box.StartDaemon();
  Result r = box.Aix({"daemon", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pid:     " + std::to_string(pid)));
  EXPECT_THAT(r.out, HasSubstr("socket:  " + box.socket));
  EXPECT_THAT(r.out, HasSubstr("by hand"));
  Result j = box.Aix({"daemon", "status", "--json"});
  Json doc = Json::parse(j.out);
  EXPECT_EQ(doc["pid"], std::to_string(pid));  // int64 is a string in proto JSON
  EXPECT_EQ(doc["api_version"], "aix.v1");
  EXPECT_EQ(doc["start_method"], "START_METHOD_FOREGROUND");
  EXPECT_EQ(doc["config_path"], box.ConfigPath());
}

TEST(Daemon, StatusAndStopDoNotStartADaemon) {
  Sandbox box;
  Result status = box.Aix({"daemon", "status"});
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_THAT(status.err, HasSubstr("aix daemon start"));
  Result stop = box.Aix({"daemon", "stop"});
  EXPECT_EQ(stop.exit_code, 0);
  EXPECT_THAT(stop.out, HasSubstr("not running"));
  EXPECT_TRUE(box.Daemons().empty());
}

TEST(Daemon, StartThenStop) {
  Sandbox box;
  Result start = box.Aix({"daemon", "start"});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_THAT(start.out, HasSubstr("started aixd"));
  ASSERT_EQ(box.Daemons().size(), 1u);
  EXPECT_THAT(box.Aix({"daemon", "status"}).out, HasSubstr("on demand by aix"));
  EXPECT_THAT(box.Aix({"daemon", "start"}).out, HasSubstr("already running"));
  Result stop = box.Aix({"daemon", "stop"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_TRUE(box.Daemons().empty());
  EXPECT_NE(access(box.socket.c_str(), F_OK), 0) << "socket must be removed";
}

TEST(Daemon, SecondDaemonOnALiveSocketExitsNamingThePid) {
  Sandbox box;
  pid_t first = box.StartDaemon();
  Result second = RunProcess({AixdPath()}, box.env, "", 10);
  EXPECT_NE(second.exit_code, 0);
  EXPECT_THAT(second.err, HasSubstr("already running (pid " + std::to_string(first) + ")"));
  EXPECT_EQ(box.Aix({"config", "--list"}).exit_code, 0) << "first daemon unharmed";
}

TEST(Daemon, StaleSocketFromAKilledDaemonIsReplaced) {
  Sandbox box;
  pid_t pid = box.StartDaemon();
  kill(pid, SIGKILL);
  box.WaitExit(pid);
  ASSERT_EQ(access(box.socket.c_str(), F_OK), 0) << "a killed daemon leaves its socket";
  Result r = box.Aix({"config", "--get", "max_tokens"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1024\n");
  EXPECT_EQ(box.Daemons().size(), 1u);
}

TEST(Daemon, SigtermShutsDownCleanlyAndRemovesTheSocket) {
  Sandbox box;
  pid_t pid = box.StartDaemon();
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  kill(pid, SIGTERM);
  EXPECT_EQ(box.WaitExit(pid), 0);
  EXPECT_NE(access(box.socket.c_str(), F_OK), 0);
  std::string log = Sandbox::ReadFile(box.dir + "/aixd.stderr");
  EXPECT_THAT(log, HasSubstr("shutting down"));
  EXPECT_THAT(log, HasSubstr("stopped"));
}

TEST(Daemon, SigintAlsoShutsDownCleanly) {
  Sandbox box;
  pid_t pid = box.StartDaemon();
  kill(pid, SIGINT);
  EXPECT_EQ(box.WaitExit(pid), 0);
  EXPECT_NE(access(box.socket.c_str(), F_OK), 0);
}

TEST(Daemon, OverlongSocketPathIsRefusedClearly) {
  Sandbox box;
  box.env["AIX_SOCKET"] = "/tmp/" + std::string(120, 'x') + "/aixd.sock";
  Result client = box.Aix({"config", "--list"});
  EXPECT_EQ(client.exit_code, 2);
  EXPECT_THAT(client.err, HasSubstr("over the Unix limit of 107"));
  EXPECT_THAT(client.err, HasSubstr("export AIX_SOCKET="));
  Result daemon = RunProcess({AixdPath()}, box.env, "", 10);
  EXPECT_EQ(daemon.exit_code, 1);
  EXPECT_THAT(daemon.err, HasSubstr("over the Unix limit of 107"));
}

TEST(Daemon, HelpNamesTheDaemonNotThePathItRanFrom) {
  Sandbox box;
  Result help = RunProcess({AixdPath(), "--help"}, box.env, "", 10);
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_THAT(help.out, HasSubstr("Usage: aixd [OPTIONS]"));
  EXPECT_THAT(help.out, HasSubstr("--socket"));
}

TEST(Daemon, MissingDaemonBinaryIsExplained) {
  Sandbox box;
  box.env["AIXD"] = box.dir + "/no-such-aixd";
  Result r = box.Aix({"config", "--list"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("AIXD is set to"));
}

TEST(Daemon, TwentyClientsAtOnceStartExactlyOneDaemon) {
  Sandbox box;
  constexpr int kClients = 20;
  std::vector<Result> results(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] { results[i] = box.Aix({"config", "--get", "default_provider"}); });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(results[i].exit_code, 0) << i << ": " << results[i].err;
    EXPECT_EQ(results[i].out, "openrouter\n") << i;
  }
  // Losers of the start race exit at once; give them a moment to be gone.
  std::vector<pid_t> daemons;
  for (int i = 0; i < 200; ++i) {
    daemons = box.Daemons();
    if (daemons.size() == 1) break;
    usleep(10000);
  }
  EXPECT_EQ(daemons.size(), 1u);
  EXPECT_EQ(daemons.empty() ? 0 : daemons[0], box.LockPid());
}

}  // namespace
}  // namespace aix::testing
