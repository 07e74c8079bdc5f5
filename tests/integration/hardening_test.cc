// aixd and aix on a machine that is not always friendly: squatted and
// mistyped socket paths, a hand-edited config, text that is not UTF-8,
// oversized input, descriptor exhaustion, shutdown races. Runs as root
// (no sandbox) because some cases need other uids and resource limits.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

std::string Proc(pid_t pid, const std::string& what) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/" + what, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Accepts is true while something listens on the Unix socket `path`.
bool Accepts(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

// UseFakeAsOpenRouter points OpenRouter at `fake`, stores a test key and
// saves a prompt `p` ("Hi").
void UseFakeAsOpenRouter(Sandbox& box, FakeProvider& fake) {
  ASSERT_EQ(box.Aix({"config", "--set", "openrouter_base_url", fake.base() + "/api/v1"}).exit_code, 0);
  ASSERT_EQ(box.Aix({"api-key", "openrouter"}, "test-key-hardening-1").exit_code, 0);
  ASSERT_EQ(box.Aix({"create", "p", "Hi"}).exit_code, 0);
}

TEST(Daemon, StartedOnDemandHoldsNoKeysNoCwdNoCores) {
  Sandbox box;
  auto env = box.env;
  env["OPENAI_API_KEY"] = "test-key-in-the-shell-1";
  env["SOME_OTHER_API_KEY"] = "test-key-in-the-shell-2";
  Result r = RunProcess({AixPath(), "config", "--list"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(box.Daemons().size(), 1u);
  pid_t pid = box.Daemons()[0];
  std::string environ = Proc(pid, "environ");
  EXPECT_THAT(environ, Not(HasSubstr("test-key-in-the-shell")));
  EXPECT_THAT(environ, HasSubstr("AIX_SOCKET="));
  char cwd[4096] = {};
  ASSERT_GT(readlink(("/proc/" + std::to_string(pid) + "/cwd").c_str(), cwd, sizeof cwd - 1), 0);
  EXPECT_STREQ(cwd, "/");
  EXPECT_THAT(Proc(pid, "limits"), ::testing::ContainsRegex("Max core file size +0 +0"));
}

TEST(Daemon, StaleTemporaryFilesAreRemovedAtStart) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  // Killed, and gone: until the kernel has torn the process down its
  // socket still accepts connections (a few ms with aixd's threads).
  for (pid_t pid : box.Daemons()) kill(pid, SIGKILL);
  for (int i = 0; i < 500 && Accepts(box.socket); ++i) usleep(10000);
  std::string stale = box.storage + "/config.json.tmp-Zz9Yy8";
  WriteText(stale, "{\"api_keys\": {\"openai\": \"test-key-half-written\"}}");
  timeval past[2] = {{time(nullptr) - 600, 0}, {time(nullptr) - 600, 0}};
  ASSERT_EQ(utimes(stale.c_str(), past), 0);
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  EXPECT_NE(access(stale.c_str(), F_OK), 0) << "a temporary file holding keys was left behind";
}

TEST(Daemon, WillNotDeleteAFileAtAMistypedSocketPath) {
  Sandbox box;
  std::string notes = box.dir + "/notes.txt";
  WriteText(notes, "precious");
  auto env = box.env;
  env["AIX_SOCKET"] = notes;
  Result r = RunProcess({AixdPath()}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is not a socket; aixd will not delete it"));
  EXPECT_EQ(Sandbox::ReadFile(notes), "precious");
}

TEST(Daemon, RefusesSymlinkedAndSharedSocketDirectoriesAndChangesNothing) {
  Sandbox box;
  std::string real = box.dir + "/real", link = box.dir + "/link";
  ASSERT_EQ(mkdir(real.c_str(), 0700), 0);
  ASSERT_EQ(symlink(real.c_str(), link.c_str()), 0);
  auto env = box.env;
  env["AIX_SOCKET"] = link + "/aixd.sock";
  Result linked = RunProcess({AixdPath()}, env);
  EXPECT_EQ(linked.exit_code, 1);
  EXPECT_THAT(linked.err, HasSubstr("is a symbolic link"));
  std::string shared = box.dir + "/shared";
  ASSERT_EQ(mkdir(shared.c_str(), 0700), 0);
  ASSERT_EQ(chmod(shared.c_str(), 01777), 0);
  env["AIX_SOCKET"] = shared + "/aixd.sock";
  Result sticky = RunProcess({AixdPath()}, env);
  EXPECT_EQ(sticky.exit_code, 1);
  EXPECT_THAT(sticky.err, HasSubstr("is shared (mode 1777"));
  struct stat st;
  ASSERT_EQ(stat(shared.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u) << "aixd changed a directory that is not its own";
}

TEST(Daemon, LockFileIsNotFollowedThroughALink) {
  Sandbox box;
  ASSERT_EQ(mkdir((box.dir + "/run").c_str(), 0700), 0);
  std::string target = box.dir + "/victim";
  WriteText(target, "keep me");
  ASSERT_EQ(symlink(target.c_str(), (box.socket + ".lock").c_str()), 0);
  Result r = RunProcess({AixdPath()}, box.env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(".lock is a symbolic link"));
  EXPECT_EQ(Sandbox::ReadFile(target), "keep me");
}

TEST(Config, HandEditedCustomProviderOfTheWrongTypeIsNamedWithItsLine) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  Json doc = Json::parse(Sandbox::ReadFile(box.ConfigPath()));
  doc["custom_providers"]["local"] = {{"base_url", 11434}};
  WriteText(box.ConfigPath(), doc.dump(2));
  Result r = box.Aix({"config", "--list"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_THAT(r.err, HasSubstr(box.ConfigPath() + ":"));
  EXPECT_THAT(r.err, HasSubstr("custom_providers.local: base_url must be a string"));
  EXPECT_THAT(r.err, Not(HasSubstr("Unexpected")));
  doc["custom_providers"]["local"] = {{"base_url", "ftp://x/v1"}};
  WriteText(box.ConfigPath(), doc.dump(2));
  EXPECT_THAT(box.Aix({"provider", "list"}).err, HasSubstr("must be http:// or https://"));
}

TEST(Config, AParseErrorNeverQuotesTheFile) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"config", "--list"}).exit_code, 0);
  // A pasted key whose closing quote was lost: the parser's "last read" is
  // the whole string, key included.
  WriteText(box.ConfigPath(),
            "{\n  \"api_keys\": {\"openai\": \"test-key-secret-0123456789\n  }\n}\n");
  Result r = box.Aix({"config", "--list"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_THAT(r.err, HasSubstr(box.ConfigPath() + ":2:"));
  EXPECT_THAT(r.err, Not(HasSubstr("secret")));
  EXPECT_THAT(r.err, Not(HasSubstr("0123456789")));
}

TEST(Text, Latin1StdinIsRefusedWithTheFix) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "sum", "Summarize: {input}"}).exit_code, 0);
  Result r = box.Aix({"run", "sum", "--no-execute"}, "caf\xE9 au lait");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("standard input is not UTF-8 text (byte 0xE9 at offset 3)"));
  EXPECT_THAT(r.err, HasSubstr("iconv"));
}

TEST(Text, ANonUtf8PromptFileIsThatFilesProblemOnly) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "good", "Fine {x}"}).exit_code, 0);
  ASSERT_EQ(box.Aix({"create", "bad", "placeholder"}).exit_code, 0);
  std::string bad = box.storage + "/prompts/bad.yaml";
  WriteText(bad, "name: bad\ntemplate: \"r\xE9sum\xE9\"\n");
  Result list = box.Aix({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("good"));
  EXPECT_THAT(list.err, HasSubstr(bad + ":2: the file is not UTF-8"));
  Result run = box.Aix({"run", "bad", "--no-execute"});
  EXPECT_EQ(run.exit_code, 6);
  EXPECT_THAT(run.err, HasSubstr(bad + ":2:"));
}

// A FIFO, a device or a huge file in the prompts directory is that file's
// problem only: nothing blocks on it (a FIFO hung aix list and pinned a
// daemon thread, and then aixd never exited on SIGTERM), nothing parses
// 100 MB, and the daemon still stops at once.
TEST(Files, SpecialAndHugeFilesInTheLibraryAreSkippedWithoutBlocking) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "good", "Fine {x}"}).exit_code, 0);
  const std::string fifo = box.storage + "/prompts/ff.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string huge = box.storage + "/prompts/huge.yaml";
  WriteText(huge, "name: huge\ntemplate: \"" + std::string(5 << 20, 'x') + "\"\n");
  ASSERT_EQ(symlink("/dev/zero", (box.storage + "/prompts/zero.yaml").c_str()), 0);
  const auto t0 = std::chrono::steady_clock::now();
  Result list = RunProcess({AixPath(), "list"}, box.env, "", 20);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("good"));
  EXPECT_THAT(list.err, HasSubstr(fifo + " is not a regular file"));
  EXPECT_THAT(list.err, HasSubstr("zero.yaml is not a regular file"));
  EXPECT_THAT(list.err, HasSubstr("huge.yaml is 5120 KiB, over the 4096 KiB"));
  Result show = RunProcess({AixPath(), "show", "ff"}, box.env, "", 20);
  EXPECT_NE(show.exit_code, 0);
  EXPECT_THAT(show.err, HasSubstr("not a regular file"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  ASSERT_EQ(box.Daemons().size(), 1u);
  const pid_t pid = box.Daemons()[0];
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = box.Daemons().empty();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(gone) << "aixd is still running 10 s after SIGTERM";
}

TEST(Text, StdinIsLeftForTheNextCommandWhenThePromptTakesNoInput) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "fixed", "No input here"}).exit_code, 0);
  std::string aix = "'" + AixPath() + "'";
  Result r = RunProcess(
      {"/bin/sh", "-c",
       "printf 'one\\ntwo\\n' | { " + aix + " run fixed --no-execute >/dev/null; cat; }"},
      box.env);
  EXPECT_EQ(r.out, "one\ntwo\n");
}

TEST(Signals, InterruptWhileReadingStdinEndsAtOnce) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "sum", "Summarize: {input}"}).exit_code, 0);
  // stdin stays open and empty: aix waits in read(2). SIGTERM (what a
  // background job gets instead of SIGINT) must end it at once.
  std::string aix = "'" + AixPath() + "'";
  auto start = std::chrono::steady_clock::now();
  // A FIFO opened read-write: open, empty, and never at end of file.
  std::string fifo = box.dir + "/stdin.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Result r = RunProcess({"/bin/sh", "-c",
                         aix + " run sum <>" + fifo + " & sleep 1; kill -TERM $!; wait $!; "
                         "echo \"exit=$?\""},
                        box.env, "", 30);
  EXPECT_THAT(r.out, HasSubstr("exit=130"));
  EXPECT_THAT(r.err, HasSubstr("interrupted"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(Text, OutputFileHonoursTheUmask) {
  Sandbox box;
  FakeProvider fake(box.dir);
  ASSERT_NO_FATAL_FAILURE(UseFakeAsOpenRouter(box, fake));
  std::string file = box.dir + "/answer.txt";
  Result r = RunProcess({"/bin/sh", "-c", "umask 027 && exec '" + AixPath() + "' run p -o " + file},
                        box.env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(Limits, OversizedInputIsAUsageErrorNotARateLimit) {
  Sandbox box;
  ASSERT_EQ(box.Aix({"create", "sum", "Summarize: {input}"}).exit_code, 0);
  Result r = box.Aix({"run", "sum", "--no-execute"}, std::string(17 << 20, 'a'));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("16 MiB"));
}

TEST(Limits, ListingsStaySmallWhateverTheTemplates) {
  Sandbox box;
  for (const char* name : {"big1", "big2", "big3"}) {
    ASSERT_EQ(box.Aix({"create", name, "-"}, std::string(1536 << 10, 'x')).exit_code, 0);
  }
  Result list = box.Aix({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("big3"));
  Result show = box.Aix({"show", "big2"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_GT(show.out.size(), size_t{1536} << 10);
}

TEST(Lifecycle, ACommandDuringShutdownStartsANewDaemon) {
  Sandbox box;
  FakeProvider fake(box.dir);
  ASSERT_NO_FATAL_FAILURE(UseFakeAsOpenRouter(box, fake));
  pid_t old = box.Daemons().at(0);
  // A run in flight keeps the old daemon in its grace period.
  fake.Script(Json::parse(R"([{"chunks": ["a", "b"], "delay_ms": 1500}])"));
  pid_t run = Spawn({AixPath(), "run", "p"}, box.env, "/dev/null", "/dev/null");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(old, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Result r = box.Aix({"config", "--get", "max_tokens"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<pid_t> now = box.Daemons();
  EXPECT_TRUE(std::any_of(now.begin(), now.end(), [&](pid_t p) { return p != old; }))
      << "no new daemon took the socket while the old one was leaving";
  box.WaitExit(run, 10);
}

TEST(Lifecycle, RepliesCarryTheDaemonVersionAndANewerClientIsLogged) {
  Sandbox box;
  pid_t daemon = box.StartDaemon();
  Result r = RunProcess({Runfile("tests/integration/raw_status"), box.socket, "99.0.0"}, box.env);
  EXPECT_THAT(r.out, HasSubstr("code=0"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("aixd-version=[0-9]+\\.[0-9]+\\.[0-9]+"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_THAT(Sandbox::ReadFile(box.dir + "/aixd.stderr"), HasSubstr("a newer aix (99.0.0)"));
  kill(daemon, SIGTERM);
  box.WaitExit(daemon);
}

TEST(Lifecycle, RunningOutOfDescriptorsNeitherSpinsNorFloodsTheLog) {
  Sandbox box;
  auto env = box.env;
  // A small descriptor limit for the daemon only.
  pid_t daemon = Spawn({"/usr/bin/prlimit", "--nofile=40", AixdPath()}, env, "",
                       box.dir + "/aixd.stderr");
  ASSERT_TRUE(box.WaitForSocket());
  std::vector<int> fds;
  for (int i = 0; i < 80; ++i) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, box.socket.c_str(), sizeof a.sun_path - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) fds.push_back(fd);
    else close(fd);
  }
  auto cpu = [&] {
    std::string stat = Proc(daemon, "stat");
    std::istringstream in(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stol(field);
    }
    return ticks;
  };
  long before = cpu();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  long used = cpu() - before;
  EXPECT_LT(used, sysconf(_SC_CLK_TCK) / 2) << "the accept loop spins at the descriptor limit";
  std::string log = Sandbox::ReadFile(box.dir + "/aixd.stderr");
  size_t lines = std::count(log.begin(), log.end(), '\n');
  EXPECT_LT(lines, 10u) << log.substr(0, 2000);
  EXPECT_THAT(log, HasSubstr("new connections wait until some close"));
  for (int fd : fds) close(fd);
  // Freed descriptors: the owner is served again.
  Result r = box.Aix({"config", "--get", "max_tokens"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  kill(daemon, SIGTERM);
  box.WaitExit(daemon);
}

}  // namespace
}  // namespace aix::testing
