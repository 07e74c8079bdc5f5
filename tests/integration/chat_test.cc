// aix chat driven through a pseudo-terminal, as a person types: the real
// aix (libedit reading the pty), the real aixd, the fake provider's request
// log as the witness.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kKey[] = "test-key-chat-8181";

// Terminal runs a program on a new pseudo-terminal and reads what it shows.
class Terminal {
 public:
  Terminal(const std::vector<std::string>& argv, std::map<std::string, std::string> env) {
    env["TERM"] = "xterm";
    std::vector<std::string> envs;
    for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    for (auto& e : envs) envp.push_back(e.data());
    args.push_back(nullptr);
    envp.push_back(nullptr);
    winsize ws{24, 100, 0, 0};
    pid_ = forkpty(&master_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      execve(args[0], args.data(), envp.data());
      _exit(127);
    }
    fcntl(master_, F_SETFL, O_NONBLOCK);
  }
  ~Terminal() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(master_);
  }

  void Type(const std::string& keys) {
    for (char c : keys) {
      ASSERT_EQ(write(master_, &c, 1), 1);
      // One key at a time, as typed: libedit reads them one by one.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  // CtrlD types Ctrl-D at a prompt just shown. libedit prints its prompt a
  // moment before it takes the terminal out of line mode; a Ctrl-D typed in
  // between is the terminal's own end of file, not a key libedit reads.
  // People do not type within that moment; a test does.
  void CtrlD() {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Type("\x04");
  }

  // WaitFor reads until `text` appears after what earlier waits consumed.
  bool WaitFor(const std::string& text, int timeout_ms = 20000) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      size_t at = seen_.find(text, mark_);
      if (at != std::string::npos) {
        mark_ = at + text.size();
        return true;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = read(master_, buf, sizeof buf);
      if (n > 0) seen_.append(buf, static_cast<size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        return seen_.find(text, mark_) != std::string::npos;
      }
    }
  }

  // Exit waits for the program to end: its exit code, or -1.
  int Exit(int timeout_s = 20) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      // Drain the terminal meanwhile (a closed one returns at once).
      WaitFor("\x01\x02never", 10);
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }

  const std::string& seen() const { return seen_; }

 private:
  pid_t pid_ = -1;
  int master_ = -1;
  int status_ = -1;
  std::string seen_;
  size_t mark_ = 0;
};

class ChatTest : public ::testing::Test {
 protected:
  ChatTest() : fake_(box_.dir) {}
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"})
                  .exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, kKey).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "greet", "Say hello to {who}."}).exit_code, 0);
  }
  Json LastBody() {
    const Json requests = fake_.Requests();
    return requests.back()["body"];
  }
  std::vector<std::string> Sent() {
    std::vector<std::string> out;
    const Json body = LastBody();
    for (const Json& m : body["messages"]) {
      out.push_back(m["role"].get<std::string>() + ":" + m["content"].get<std::string>());
    }
    return out;
  }

  Sandbox box_;
  FakeProvider fake_;
};

// Typing, several lines, Ctrl-C mid-answer (the provider sees the stream
// dropped and the session goes on), /model, and Ctrl-D to leave.
TEST_F(ChatTest, ASessionAsAPersonTypesIt) {
  Terminal t({AixPath(), "chat"}, box_.env);
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("hello\r");
  ASSERT_TRUE(t.WaitFor("Echo: hello")) << t.seen();

  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("\"\"\"\rline one\rline two\r\"\"\"\r");
  ASSERT_TRUE(t.WaitFor("Echo: line one")) << t.seen();
  EXPECT_EQ(Sent().back(), "user:line one\nline two");
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("first half \\\rsecond half\r");
  ASSERT_TRUE(t.WaitFor("Echo: first half")) << t.seen();
  EXPECT_EQ(Sent().back(), "user:first half \nsecond half");

  // A long, slow answer, stopped after its first piece.
  std::vector<std::string> chunks = {"once upon a time"};
  for (int i = 0; i < 100; ++i) chunks.push_back(" and then");
  fake_.Script(Json::array({{{"chunks", chunks}, {"delay_ms", 200}}}));
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("tell me a story\r");
  ASSERT_TRUE(t.WaitFor("once upon a time")) << t.seen();
  t.Type("\x03");
  ASSERT_TRUE(t.WaitFor("[stopped; the session goes on]")) << t.seen();
  for (int i = 0; i < 500 && fake_.Abandoned() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fake_.Abandoned(), 1) << "the provider's stream was not cancelled";

  // Ctrl-C while typing drops the line only.
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("never mind\x03");
  ASSERT_TRUE(t.WaitFor("^C")) << t.seen();
  t.Type("/model other-model\r");
  ASSERT_TRUE(t.WaitFor("model: other-model")) << t.seen();
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("/system be brief\r");
  ASSERT_TRUE(t.WaitFor("system: be brief")) << t.seen();
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("next\r");
  ASSERT_TRUE(t.WaitFor("Echo: next")) << t.seen();
  EXPECT_EQ(LastBody()["model"], "other-model");
  std::vector<std::string> sent = Sent();
  ASSERT_EQ(sent.size(), 10u) << ::testing::PrintToString(sent);
  EXPECT_EQ(sent[0], "system:be brief");
  EXPECT_EQ(sent[1], "user:hello");
  EXPECT_EQ(sent[2], "assistant:Echo: hello");
  EXPECT_EQ(sent[7], "user:tell me a story");
  EXPECT_THAT(sent[8], ::testing::StartsWith("assistant:once upon a time"));
  EXPECT_EQ(sent[9], "user:next");

  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("/history\r");
  ASSERT_TRUE(t.WaitFor("5 turns")) << t.seen();
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.CtrlD();
  EXPECT_EQ(t.Exit(), 0) << t.seen();

  // The session is one conversation in the history; reply goes on with it.
  Result list = box_.Aix({"history", "--json"});
  Json c = Json::parse(list.out)["conversations"];
  ASSERT_EQ(c.size(), 1u) << list.out;
  EXPECT_EQ(c[0]["turns"], 5);
  ASSERT_EQ(box_.Aix({"reply", "from the shell"}).exit_code, 0);
  EXPECT_EQ(Sent().size(), 12u);
  EXPECT_EQ(Sent().front(), "system:be brief") << "the conversation's system prompt goes on";

  // aix chat --continue picks it up again.
  Terminal again({AixPath(), "chat", "--continue"}, box_.env);
  ASSERT_TRUE(again.WaitFor("> ")) << again.seen();
  again.Type("back again\r");
  ASSERT_TRUE(again.WaitFor("Echo: back again")) << again.seen();
  EXPECT_EQ(Sent().size(), 14u);
  ASSERT_TRUE(again.WaitFor("> ")) << again.seen();
  again.Type("/exit\r");
  EXPECT_EQ(again.Exit(), 0) << again.seen();
}

// With the run history off, the session keeps its turns itself and sends
// them along.
TEST_F(ChatTest, WithTheHistoryOffTheSessionSendsItsOwnTurns) {
  ASSERT_EQ(box_.Aix({"config", "--set", "history", "false"}).exit_code, 0);
  Terminal t({AixPath(), "chat"}, box_.env);
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("one\r");
  ASSERT_TRUE(t.WaitFor("Echo: one")) << t.seen();
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("two\r");
  ASSERT_TRUE(t.WaitFor("Echo: two")) << t.seen();
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:one", "assistant:Echo: one", "user:two"));
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.CtrlD();
  EXPECT_EQ(t.Exit(), 0) << t.seen();
}

// A saved prompt as the first turn, /new, /save, /exit; and a pipe is
// pointed at aix reply.
TEST_F(ChatTest, APromptFirstThenANewConversationAndSave) {
  Terminal t({AixPath(), "chat", "greet", "-p", "who=Ada"}, box_.env);
  ASSERT_TRUE(t.WaitFor("Echo: Say hello to Ada.")) << t.seen();
  ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
  t.Type("/new\r");
  ASSERT_TRUE(t.WaitFor("(a new conversation)")) << t.seen();
  t.Type("price of {x} in $(y)?\r");
  ASSERT_TRUE(t.WaitFor("Echo: price")) << t.seen();
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:price of {x} in $(y)?"));
  t.Type("/save asked\r");
  ASSERT_TRUE(t.WaitFor("saved the first message as prompt asked")) << t.seen();
  t.Type("/exit\r");
  EXPECT_EQ(t.Exit(), 0) << t.seen();
  EXPECT_EQ(Json::parse(box_.Aix({"history", "--json"}).out)["conversations"].size(), 2u);
  // The saved prompt sends the message as it was typed.
  ASSERT_EQ(box_.Aix({"run", "asked"}).exit_code, 0);
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:price of {x} in $(y)?"));

  Result piped = box_.Aix({"chat"}, "hello\n");
  EXPECT_EQ(piped.exit_code, 2);
  EXPECT_THAT(piped.err, HasSubstr("aix chat needs a terminal"));
  EXPECT_THAT(piped.err, HasSubstr("aix reply"));
}

// Markdown is rendered on a terminal when asked for (the setting, or
// --render), and never in a pipe.
TEST_F(ChatTest, MarkdownIsRenderedOnATerminalOnlyWhenAsked) {
  const Json answer = Json::parse(R"([{"chunks": ["# Title\n\nSome `co", "de`.\n\n- a\n- b\n"]}])");
  ASSERT_EQ(box_.Aix({"config", "--set", "render", "true"}).exit_code, 0);
  fake_.Script(answer);
  {
    Terminal t({AixPath(), "run", "greet", "-p", "who=md"}, box_.env);
    EXPECT_EQ(t.Exit(), 0) << t.seen();
    EXPECT_THAT(t.seen(), HasSubstr("\x1b[1m\x1b[4mTitle"));
    EXPECT_THAT(t.seen(), HasSubstr("\x1b[36mcode\x1b[39m"));
    EXPECT_THAT(t.seen(), HasSubstr("\xe2\x80\xa2 a"));
  }
  fake_.Script(answer);
  {
    Terminal t({AixPath(), "run", "greet", "-p", "who=md", "--no-render"}, box_.env);
    EXPECT_EQ(t.Exit(), 0) << t.seen();
    EXPECT_THAT(t.seen(), HasSubstr("# Title"));
  }
  fake_.Script(answer);
  Result piped = box_.Aix({"run", "greet", "-p", "who=md", "--render"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, "# Title\n\nSome `code`.\n\n- a\n- b\n");
  fake_.Script(answer);
  {
    Terminal t({AixPath(), "chat"}, box_.env);
    ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
    t.Type("format this\r");
    ASSERT_TRUE(t.WaitFor("\xe2\x80\xa2 b")) << t.seen();
    t.Type("/last\r");
    ASSERT_TRUE(t.WaitFor("# Title")) << "/last prints the answer as it came: " << t.seen();
    ASSERT_TRUE(t.WaitFor("> ")) << t.seen();
    t.CtrlD();
    EXPECT_EQ(t.Exit(), 0) << t.seen();
  }
}

}  // namespace
}  // namespace aix::testing
