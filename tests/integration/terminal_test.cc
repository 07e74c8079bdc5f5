// Behaviour at a real terminal, through script(1)'s pseudo-terminal: the
// key is read without echo, a key typed on the command line draws a
// warning, and --reset asks first.
#include <unistd.h>

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

class TerminalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/script", X_OK) != 0) GTEST_SKIP() << "script(1) missing";
  }
  // AtTerminal runs `aix ARGS` on a pty; `typed` is sent after a pause, as
  // a person would type it after seeing the prompt.
  Result AtTerminal(const std::string& args, const std::string& typed) {
    std::string cmd = "(sleep 0.5; printf '" + typed + "') | /usr/bin/script -qec '" +
                      AixPath() + " " + args + "' /dev/null";
    return RunProcess({"/bin/sh", "-c", cmd}, box_.env, "", 30);
  }
  Sandbox box_;
};

TEST_F(TerminalTest, ApiKeyIsReadWithoutEcho) {
  Result r = AtTerminal("api-key openai", "test-key-typed-SECRET-4321\\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("API key for openai (input hidden): "));
  EXPECT_THAT(r.out, Not(HasSubstr("SECRET"))) << "the key was echoed";
  EXPECT_THAT(r.out, HasSubstr("tes\xE2\x80\xA6" "4321"));
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_EQ(doc["api_keys"]["openai"], "test-key-typed-SECRET-4321");
}

TEST_F(TerminalTest, KeyOnTheCommandLineWarnsAboutShellHistory) {
  Result r = AtTerminal("config --set api_keys.openai test-key-history-1", "");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("shell history"));
  EXPECT_THAT(r.out, HasSubstr("aix api-key openai"));
  // Not on a terminal (a script): no warning.
  Result piped = box_.Aix({"config", "--set", "api_keys.openai", "test-key-history-2"});
  EXPECT_THAT(piped.err, Not(HasSubstr("shell history")));
}

TEST_F(TerminalTest, ResetAsksAndNoKeepsEverything) {
  ASSERT_EQ(box_.Aix({"config", "--set", "max_tokens", "55"}).exit_code, 0);
  Result no = AtTerminal("config --reset", "n\\n");
  EXPECT_EQ(no.exit_code, 0) << no.out;
  EXPECT_THAT(no.out, HasSubstr("[y/N]"));
  EXPECT_THAT(no.out, HasSubstr("Nothing changed"));
  EXPECT_EQ(box_.Aix({"config", "--get", "max_tokens"}).out, "55\n");
  Result yes = AtTerminal("config --reset", "y\\n");
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
  // Typed answers each after a pause: a hidden read flushes what was typed
  // ahead, as a terminal does.
  Result Answering(const std::string& args, const std::vector<std::string>& answers) {
    std::string feed = "(";
    for (const std::string& a : answers) feed += "sleep 1; printf '" + a + "'; ";
    feed += "sleep 1)";
    std::string cmd = feed + " | /usr/bin/script -qec '" + AixPath() + " " + args + "' /dev/null";
    return RunProcess({"/bin/sh", "-c", cmd}, box_.env, "", 40);
  }
  FakeProvider fake_;
};

TEST_F(TerminalRunTest, MissingParametersAreAskedFor) {
  ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, "test-key-term-1111").exit_code, 0);
  Result r = Answering("run pair -p a=tea", {"coffee\\n"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("b: "));
  EXPECT_THAT(r.out, Not(HasSubstr("a: ")));
  EXPECT_THAT(r.out, HasSubstr("Echo: Compare tea with coffee."));
}

TEST_F(TerminalRunTest, MissingKeyIsOfferedStoredAndUsed) {
  Result r = Answering("run pair -p a=x -p b=y", {"y\\n", "test-key-offered-7777\\n"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("No API key is stored for openrouter"));
  EXPECT_THAT(r.out, Not(HasSubstr("offered-7777"))) << "the key was echoed";
  EXPECT_THAT(r.out, HasSubstr("Echo: Compare x with y."));
  Json doc = Json::parse(Sandbox::ReadFile(box_.ConfigPath()));
  EXPECT_EQ(doc["api_keys"]["openrouter"], "test-key-offered-7777");
  // Declined: the run fails as it would off a terminal, nothing stored.
  ASSERT_EQ(box_.Aix({"api-key", "openrouter", "--delete"}).exit_code, 0);
  Result no = Answering("run pair -p a=x -p b=y", {"n\\n"});
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
  Result no = Answering("run host", {"n\\n"});
  EXPECT_EQ(no.exit_code, 2) << no.out;
  EXPECT_THAT(no.out, HasSubstr("echo from-import"));
  EXPECT_THAT(no.out, HasSubstr("Trust them and run?"));
  EXPECT_TRUE(fake_.Requests().empty());
  Result yes = Answering("run host", {"y\\n"});
  ASSERT_EQ(yes.exit_code, 0) << yes.out;
  EXPECT_THAT(yes.out, HasSubstr("Echo: Host: from-import"));
  // Trusted now: no question the next time.
  Result again = box_.Aix({"run", "host"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

}  // namespace
}  // namespace aix::testing
