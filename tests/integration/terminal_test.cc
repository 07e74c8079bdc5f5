// Behaviour at a real terminal (a pseudo-terminal this test drives): the
// key is read without echo, a key typed on the command line draws a
// warning, --reset asks first, and aix run asks for what is missing.
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include <fstream>
#include <string>
#include <vector>

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

// One question aix prints and the answer typed once it has been printed.
struct Turn {
  std::string question;
  std::string answer;
};

// Converse runs `aix ARGS` on a fresh pseudo-terminal and answers each
// question only after it has appeared, as a person would: waiting on what
// is shown, not on the clock, so a slow build (ASan) cannot make the
// answer arrive before the question. Output is what the terminal showed.
Result Converse(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                const std::vector<Turn>& turns, int timeout_s = 30) {
  std::vector<std::string> argv = {AixPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> envs;
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return Result{};
  if (pid == 0) {
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  Result r;
  size_t turn = 0, searched = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    if (turn < turns.size()) {
      size_t at = r.out.find(turns[turn].question, searched);
      if (at != std::string::npos) {
        searched = at + turns[turn].question.size();
        const std::string& a = turns[turn].answer;
        if (write(master, a.data(), a.size()) != static_cast<ssize_t>(a.size())) break;
        ++turn;
        continue;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      r.out += "\n[Converse: timed out waiting for \"" +
               (turn < turns.size() ? turns[turn].question : std::string("exit")) + "\"]";
      break;
    }
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) {
      r.out.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;  // EIO: the other side of the terminal is closed
    }
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

class TerminalTest : public ::testing::Test {
 protected:
  Result AtTerminal(const std::vector<std::string>& args, const std::vector<Turn>& turns = {}) {
    return Converse(args, box_.env, turns);
  }
  Sandbox box_;
};

TEST_F(TerminalTest, ApiKeyIsReadWithoutEcho) {
  Result r = AtTerminal({"api-key", "openai"},
                        {{"(input hidden): ", "test-key-typed-SECRET-4321\n"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("API key for openai (input hidden): "));
  EXPECT_THAT(r.out, Not(HasSubstr("SECRET"))) << "the key was echoed";
  EXPECT_THAT(r.out, HasSubstr("tes\xE2\x80\xA6" "4321"));
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_EQ(doc["api_keys"]["openai"], "test-key-typed-SECRET-4321");
}

TEST_F(TerminalTest, KeyOnTheCommandLineWarnsAboutShellHistory) {
  Result r = AtTerminal({"config", "--set", "api_keys.openai", "test-key-history-1"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("shell history"));
  EXPECT_THAT(r.out, HasSubstr("aix api-key openai"));
  // Not on a terminal (a script): no warning.
  Result piped = box_.Aix({"config", "--set", "api_keys.openai", "test-key-history-2"});
  EXPECT_THAT(piped.err, Not(HasSubstr("shell history")));
}

TEST_F(TerminalTest, ResetAsksAndNoKeepsEverything) {
  ASSERT_EQ(box_.Aix({"config", "--set", "max_tokens", "55"}).exit_code, 0);
  Result no = AtTerminal({"config", "--reset"}, {{"[y/N] ", "n\n"}});
  EXPECT_EQ(no.exit_code, 0) << no.out;
  EXPECT_THAT(no.out, HasSubstr("[y/N]"));
  EXPECT_THAT(no.out, HasSubstr("Nothing changed"));
  EXPECT_EQ(box_.Aix({"config", "--get", "max_tokens"}).out, "55\n");
  Result yes = AtTerminal({"config", "--reset"}, {{"[y/N] ", "y\n"}});
  EXPECT_EQ(yes.exit_code, 0) << yes.out;
  EXPECT_EQ(box_.Aix({"config", "--get", "max_tokens"}).out, "1024\n");
}

// At a terminal, aix run asks for what is missing: parameters, and a key
// (offered, stored, and the run then goes ahead).
class TerminalRunTest : public TerminalTest {
 protected:
  TerminalRunTest() : fake_(box_.dir) {}
  void SetUp() override {
    TerminalTest::SetUp();
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"})
                  .exit_code,
              0);
    ASSERT_EQ(box_.Aix({"create", "pair", "Compare {a} with {b}."}).exit_code, 0);
  }
  FakeProvider fake_;
};

TEST_F(TerminalRunTest, MissingParametersAreAskedFor) {
  ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-term-1111").exit_code, 0);
  Result r = AtTerminal({"run", "pair", "-p", "a=tea"}, {{"b: ", "coffee\n"}});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("b: "));
  EXPECT_THAT(r.out, Not(HasSubstr("a: ")));
  EXPECT_THAT(r.out, HasSubstr("Echo: Compare tea with coffee."));
}

TEST_F(TerminalRunTest, MissingKeyIsOfferedStoredAndUsed) {
  Result r = AtTerminal({"run", "pair", "-p", "a=x", "-p", "b=y"},
                        {{"store it? [y/N] ", "y\n"},
                         {"(input hidden): ", "test-key-offered-7777\n"}});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("No API key is stored for openrouter"));
  EXPECT_THAT(r.out, Not(HasSubstr("offered-7777"))) << "the key was echoed";
  EXPECT_THAT(r.out, HasSubstr("Echo: Compare x with y."));
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_EQ(doc["api_keys"]["openrouter"], "test-key-offered-7777");
  // Declined: the run fails as it would off a terminal, nothing stored.
  ASSERT_EQ(box_.Aix({"api-key", "openrouter", "--delete"}).exit_code, 0);
  Result no = AtTerminal({"run", "pair", "-p", "a=x", "-p", "b=y"},
                         {{"store it? [y/N] ", "n\n"}});
  EXPECT_EQ(no.exit_code, 7) << no.out;
  EXPECT_THAT(no.out, HasSubstr("No API key found for openrouter"));
}

TEST_F(TerminalRunTest, ImportedCommandsAreShownAndTrustedOnlyWhenTheUserSaysSo) {
  ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-term-trust-1").exit_code, 0);
  std::string xml = box_.dir + "/shared.xml";
  std::ofstream(xml) << "<collection><metadata><name>shared</name></metadata><templates>"
                        "<template><metadata><name>host</name></metadata><content>"
                        "<![CDATA[Host: $(echo from-import)]]></content></template>"
                        "</templates></collection>";
  ASSERT_EQ(box_.Aix({"collection", "import", xml}).exit_code, 0);
  Result no = AtTerminal({"run", "host"}, {{"[y/N] ", "n\n"}});
  EXPECT_EQ(no.exit_code, 2) << no.out;
  EXPECT_THAT(no.out, HasSubstr("echo from-import"));
  EXPECT_THAT(no.out, HasSubstr("Trust them and run?"));
  EXPECT_TRUE(fake_.Requests().empty());
  Result yes = AtTerminal({"run", "host"}, {{"[y/N] ", "y\n"}});
  ASSERT_EQ(yes.exit_code, 0) << yes.out;
  EXPECT_THAT(yes.out, HasSubstr("Echo: Host: from-import"));
  // Trusted now: no question the next time.
  Result again = box_.Aix({"run", "host"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

}  // namespace
}  // namespace aix::testing
