// Only the daemon's own user may use it. Runs the client as uid 65534
// (nobody), so it needs root; it is skipped otherwise.
#include <sys/stat.h>
#include <sys/wait.h>
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
    raw_ = box_.dir + "/raw_status";
    std::string cmd = "cp '" + AixPath() + "' '" + client_ + "' && cp '" + RawStatusPath() +
                      "' '" + raw_ + "' && chmod 0755 '" + client_ + "' '" + raw_ + "' '" +
                      box_.dir + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    daemon_ = box_.StartDaemon();
  }

  static std::string RawStatusPath() {
    return Runfile("tests/integration/raw_status");
  }

  Result AsNobody(const std::vector<std::string>& args, bool raw = false) {
    std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                     "--clear-groups", raw ? raw_ : client_};
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
  std::string client_, raw_;
  pid_t daemon_ = 0;
};

TEST_F(OtherUserTest, ClientRefusesASocketThatIsNotItsUsers) {
  // For nobody, root's socket is someone else's: aix sends nothing to it.
  Result r = AsNobody({"config", "--list"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("belongs to uid 0, not to you (uid 65534)"));
  EXPECT_THAT(r.err, HasSubstr("AIX_SOCKET"));
}

TEST_F(OtherUserTest, DaemonRefusesAnotherUidEvenIfTheSocketIsOpened) {
  // Someone loosened the modes and connects with a client that checks
  // nothing: the daemon's peer-credential check still refuses.
  ASSERT_EQ(chmod((box_.dir + "/run").c_str(), 0755), 0);
  ASSERT_EQ(chmod(box_.socket.c_str(), 0666), 0);
  Result r = AsNobody({box_.socket}, /*raw=*/true);
  EXPECT_THAT(r.out, HasSubstr("code=7 "));  // PERMISSION_DENIED
  EXPECT_THAT(r.out, HasSubstr("refuses uid 65534"));
  // The owner's own client will not use a socket others may write to...
  Result loose = box_.Aix({"config", "--list"});
  EXPECT_EQ(loose.exit_code, 5);
  EXPECT_THAT(loose.err, HasSubstr("writable by others (mode 0666)"));
  EXPECT_THAT(loose.err, HasSubstr("chmod go-w"));
  // ...and, once the modes are tight again, is served as before.
  ASSERT_EQ(chmod(box_.socket.c_str(), 0600), 0);
  EXPECT_EQ(box_.Aix({"config", "--list"}).exit_code, 0);
}

// The HTTP endpoint's socket: 0600 keeps other users out, and when someone
// loosens the modes aixd itself still refuses them, with an OpenAI error.
TEST_F(OtherUserTest, TheHttpSocketRefusesAnotherUid) {
  const std::string http = box_.dir + "/run/http.sock";
  struct stat st;
  ASSERT_EQ(stat(http.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto curl = [&](const std::string& path) {
    return RunProcess({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                       "/usr/bin/curl", "-sS", "-w", "\n%{http_code}", "--unix-socket", http,
                       "-H", "Content-Type: application/json", "--data-binary",
                       R"({"model": "m", "messages": [{"role": "user", "content": "hi"}]})",
                       "http://localhost/v1" + path},
                      {{"PATH", "/usr/bin:/bin"}});
  };
  Result closed = curl("/chat/completions");
  EXPECT_NE(closed.exit_code, 0);
  EXPECT_THAT(closed.err, HasSubstr("Couldn't connect"));
  ASSERT_EQ(chmod((box_.dir + "/run").c_str(), 0755), 0);
  ASSERT_EQ(chmod(http.c_str(), 0666), 0);
  Result r = curl("/chat/completions");
  EXPECT_THAT(r.out, HasSubstr("\n403"));
  EXPECT_THAT(r.out, HasSubstr("\"permission_error\""));
  EXPECT_THAT(r.out, HasSubstr("refuses uid 65534"));
  // The owner is still served.
  Result mine = RunProcess({"/usr/bin/curl", "-sS", "--unix-socket", http, "http://localhost/v1/models"},
                           box_.env);
  EXPECT_THAT(mine.out, HasSubstr("\"object\":\"list\""));
}

// Another user got to the socket path first and listens there (the /tmp
// default when neither AIX_SOCKET nor XDG_RUNTIME_DIR is set). aix must
// send nothing to it: no prompt, no key.
TEST_F(OtherUserTest, ClientSendsNothingToASquattedSocket) {
  std::string squat = box_.dir + "/squat";
  ASSERT_EQ(mkdir(squat.c_str(), 0777), 0);
  ASSERT_EQ(chmod(squat.c_str(), 0777), 0);
  ASSERT_EQ(chown(squat.c_str(), 65534, 65534), 0);
  std::string sock = squat + "/aixd.sock";
  std::string received = squat + "/received";
  // nobody listens with a plain socket server and records what arrives.
  std::string server = "import socket,os\ns=socket.socket(socket.AF_UNIX)\ns.bind('" + sock +
                       "')\nos.chmod('" + sock + "',0o777)\ns.listen(8)\nopen('" + squat +
                       "/ready','w').close()\nwhile True:\n c,_=s.accept()\n d=c.recv(65536)\n"
                       " open('" + received + "','ab').write(d)\n c.close()\n";
  pid_t listener = Spawn({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                          "/usr/bin/python3", "-c", server},
                         {{"PATH", "/usr/bin:/bin"}}, "", "");
  for (int i = 0; i < 200 && access((squat + "/ready").c_str(), F_OK) != 0; ++i) usleep(10000);
  auto env = box_.env;
  env["AIX_SOCKET"] = sock;
  env["OPENAI_API_KEY"] = "test-key-must-not-leak";
  Result r = RunProcess({AixPath(), "run", "greet", "--provider", "openai"}, env, "secret input");
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_THAT(r.err, HasSubstr("belongs to uid 65534"));
  // The socket itself is ours but sits in a shared directory: refused too.
  ASSERT_EQ(chown(squat.c_str(), 0, 0), 0);
  Result shared = RunProcess({AixPath(), "config", "--list"}, env);
  EXPECT_EQ(shared.exit_code, 5) << shared.err;
  EXPECT_THAT(shared.err, HasSubstr("writable by others"));
  kill(listener, SIGKILL);
  waitpid(listener, nullptr, 0);
  EXPECT_EQ(Sandbox::ReadFile(received), "") << "aix sent bytes to another user's socket";
}

}  // namespace
}  // namespace aix::testing
