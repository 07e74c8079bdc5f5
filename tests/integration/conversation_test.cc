// Conversations end to end: the real aix and aixd, the fake provider's
// request log as the witness of what was sent, and history.db itself.
#include <signal.h>
#include <unistd.h>

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
using Json = nlohmann::json;

constexpr char kKey[] = "test-key-conversation-7171";

class ConversationTest : public ::testing::Test {
 protected:
  ConversationTest() : fake_(box_.dir) {}
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"})
                  .exit_code, 0);
    ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", fake_.base() + "/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, kKey).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openai"}, kKey).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "greet", "Say hello to {who}."}).exit_code, 0);
  }

  // Sent is the last request's messages as "role:content" lines.
  std::vector<std::string> Sent() {
    std::vector<std::string> out;
    const Json requests = fake_.Requests();
    for (const Json& m : requests.back()["body"]["messages"]) {
      out.push_back(m["role"].get<std::string>() + ":" + m["content"].get<std::string>());
    }
    return out;
  }

  Json Conversations() {
    Result r = box_.Aix({"history", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out)["conversations"];
  }

  // Python runs a script with history.db's path as its argument (aixd
  // stopped first: the script writes ids aixd would also hand out).
  void Python(const std::string& script) {
    ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
    Result r = RunProcess({"/usr/bin/python3", "-c", script, box_.storage + "/history.db"},
                          box_.env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  Sandbox box_;
  FakeProvider fake_;
};

// A run, two replies (one with piped text) and a saved prompt's --continue:
// each time the provider gets the whole conversation, in order.
TEST_F(ConversationTest, FollowUpsSendTheWholeConversationInOrder) {
  fake_.Script(Json::parse(R"([{"chunks": ["A1"]}, {"chunks": ["A2"]}, {"chunks": ["A3"]},
                               {"chunks": ["A4"]}])"));
  Result first = box_.Aix({"run", "greet", "-p", "who=Ada", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Json out = Json::parse(first.out);
  const int64_t id = out["conversation_id"].get<int64_t>();
  EXPECT_EQ(out["run_id"], id) << "a first run starts its own conversation";

  Result two = box_.Aix({"reply", "and", "Bob?"});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(two.out, "A2");
  Result three = box_.Aix({"reply", "review this"}, "piped text\n");
  ASSERT_EQ(three.exit_code, 0) << three.err;
  Result four = box_.Aix({"run", "greet", "-p", "who=Cy", "--continue", std::to_string(id)});
  ASSERT_EQ(four.exit_code, 0) << four.err;
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:Say hello to Ada.", "assistant:A1",
                                             "user:and Bob?", "assistant:A2",
                                             "user:review this\n\npiped text\n", "assistant:A3",
                                             "user:Say hello to Cy."));

  // One conversation of four turns; show has them all, in order.
  Json conversations = Conversations();
  ASSERT_EQ(conversations.size(), 1u) << conversations;
  EXPECT_EQ(conversations[0]["id"], std::to_string(id));
  EXPECT_EQ(conversations[0]["turns"], 4);
  Result show = box_.Aix({"history", "show", std::to_string(id), "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  Json runs = Json::parse(show.out)["runs"];
  ASSERT_EQ(runs.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(runs[i]["turn"], i + 1);
    EXPECT_EQ(runs[i]["answer"], "A" + std::to_string(i + 1));
  }
  EXPECT_EQ(runs[3]["prompt"], "greet");
  Result text = box_.Aix({"history", "show", runs[2]["id"].get<std::string>()});
  EXPECT_THAT(text.out, HasSubstr("conversation " + std::to_string(id) + ", 4 turns"));
  EXPECT_THAT(text.out, HasSubstr("=== turn 3"));
  // Search finds a later turn, and says whose it is.
  Result search = box_.Aix({"history", "search", "Bob"});
  EXPECT_THAT(search.out, HasSubstr("(conversation " + std::to_string(id) + ", turn 2)"));

  // A new run starts a new conversation; reply follows the newest.
  fake_.Script(Json::parse(R"([{"chunks": ["B1"]}, {"chunks": ["B2"]}])"));
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Di"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"reply", "more"}).exit_code, 0);
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:Say hello to Di.", "assistant:B1", "user:more"));
  EXPECT_EQ(Conversations().size(), 2u);
}

// The follow-up goes where the conversation was answered (a fallback that
// took over included), with its system prompt, until a flag says otherwise.
TEST_F(ConversationTest, AFollowUpKeepsTheAnsweringProviderModelAndSystem) {
  fake_.Script(Json::parse(R"([{"status": 503, "error": "down"}, {"chunks": ["from openai"]}])"));
  Result first = box_.Aix({"run", "greet", "-p", "who=Ed", "--model", "or-model", "--fallback",
                           "openai/gpt-fallback", "--max-retries", "0", "--system", "be terse"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(fake_.Requests().back()["path"], "/v1/chat/completions");

  ASSERT_EQ(box_.Aix({"reply", "again"}).exit_code, 0);
  Json req = fake_.Requests().back();
  EXPECT_EQ(req["path"], "/v1/chat/completions");
  EXPECT_EQ(req["body"]["model"], "gpt-fallback");
  EXPECT_THAT(Sent(), ::testing::ElementsAre("system:be terse", "user:Say hello to Ed.",
                                             "assistant:from openai", "user:again"));

  ASSERT_EQ(box_.Aix({"reply", "elsewhere", "--provider", "openrouter", "--model", "m2",
                      "--system", "be kind"}).exit_code, 0);
  req = fake_.Requests().back();
  EXPECT_EQ(req["path"], "/api/v1/chat/completions");
  EXPECT_EQ(req["body"]["model"], "m2");
  EXPECT_EQ(Sent().front(), "system:be kind");
  EXPECT_EQ(Sent().size(), 6u);
  // --last keeps the newest turns only.
  ASSERT_EQ(box_.Aix({"reply", "short", "--last", "1"}).exit_code, 0);
  EXPECT_THAT(Sent(), ::testing::ElementsAre("system:be kind", "user:elsewhere",
                                             "assistant:Echo: elsewhere", "user:short"));
}

// A conversation outlives its daemon: stopped, then killed with -9.
TEST_F(ConversationTest, RepliesSurviveARestartAndKillDashNine) {
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Flo"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"reply", "after a restart"}).exit_code, 0);
  ASSERT_EQ(Conversations()[0]["turns"], 2);  // written, so kill -9 cannot lose it
  for (pid_t pid : box_.Daemons()) kill(pid, SIGKILL);
  ASSERT_TRUE(box_.WaitSocketGone());
  Result r = box_.Aix({"reply", "after kill -9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Sent(), ::testing::ElementsAre(
                          "user:Say hello to Flo.", "assistant:Echo: Say hello to Flo.",
                          "user:after a restart", "assistant:Echo: after a restart",
                          "user:after kill -9"));
}

// Ids that name nothing, a deleted turn and conversation, and text that is
// not UTF-8: clear errors, and nothing recorded is lost.
TEST_F(ConversationTest, BadIdsAndBadTextGetClearErrorsAndLoseNothing) {
  Result none = box_.Aix({"reply", "hello?"});
  EXPECT_EQ(none.exit_code, 4) << none.err;
  EXPECT_THAT(none.err, HasSubstr("no conversation to continue yet"));

  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Gus"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"reply", "second"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"reply", "third"}).exit_code, 0);
  const std::string id = Conversations()[0]["id"];
  Result unknown = box_.Aix({"reply", "-c", "424242", "x"});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("no conversation or run 424242"));
  EXPECT_THAT(unknown.err, HasSubstr("aix history"));
  Result word = box_.Aix({"run", "greet", "--continue", "greet"});
  EXPECT_EQ(word.exit_code, 2) << word.err;
  EXPECT_THAT(word.err, HasSubstr("aix run NAME --continue [ID]"));
  Result last = box_.Aix({"run", "greet", "-p", "who=x", "--last", "2"});
  EXPECT_EQ(last.exit_code, 2) << last.err;
  EXPECT_THAT(last.err, HasSubstr("add --continue"));

  Result latin1 = box_.Aix({"reply"}, "caf\xe9");
  EXPECT_EQ(latin1.exit_code, 2) << latin1.err;
  EXPECT_THAT(latin1.err, HasSubstr("not UTF-8"));
  Result empty = box_.Aix({"reply"}, "");
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_THAT(empty.err, HasSubstr("aix reply needs something to say"));
  EXPECT_EQ(Conversations()[0]["turns"], 3) << "nothing was added or lost";

  // Deleting the middle turn leaves it out of what follow-ups send; the
  // conversation's id still names it once its first turn is gone too.
  Json runs = Json::parse(box_.Aix({"history", "show", id, "--json"}).out)["runs"];
  ASSERT_EQ(box_.Aix({"history", "delete", runs[1]["id"].get<std::string>()}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"history", "delete", id}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"reply", "-c", id, "fourth"}).exit_code, 0);
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:third", "assistant:Echo: third",
                                             "user:fourth"));
  ASSERT_EQ(box_.Aix({"history", "delete", "--conversation", id}).exit_code, 0);
  Result deleted = box_.Aix({"reply", "-c", id, "fifth"});
  EXPECT_EQ(deleted.exit_code, 4) << deleted.err;
  EXPECT_THAT(deleted.err, HasSubstr("deleted, pruned, or never recorded"));
  EXPECT_EQ(Conversations().size(), 0u);
}

// A conversation of 10,000 turns: listed, sent whole, or its last turns
// only; a provider that finds it too long gets an error that says how on.
TEST_F(ConversationTest, TenThousandTurnsAndAProviderThatFindsItTooLong) {
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Hal"}).exit_code, 0);
  const std::string id = Conversations()[0]["id"];
  Python(R"PY(
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
first = db.execute("SELECT id, started_ms FROM runs").fetchone()
db.executemany(
    "INSERT INTO runs (started_ms, prompt, rendered, provider, model, answer, outcome, client,"
    " conversation, turn) VALUES (?, '', ?, 'openrouter', 'm', ?, 'ok', 'aix', ?, ?)",
    [(first[1] + t, "q%d" % t, "a%d" % t, first[0], t) for t in range(2, 10001)])
db.commit()
)PY");
  Json c = Conversations();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]["turns"], 10000);
  ASSERT_EQ(box_.Aix({"reply", "-c", id, "--last", "2", "next"}).exit_code, 0);
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:q9999", "assistant:a9999", "user:q10000",
                                             "assistant:a10000", "user:next"));
  ASSERT_EQ(box_.Aix({"reply", "-c", id, "all of it"}).exit_code, 0);
  EXPECT_EQ(Sent().size(), 2u * 10001 + 1);
  fake_.Script(Json::parse(R"([{"status": 400,
      "error": "This model's maximum context length is 4097 tokens. However, your messages resulted in 90000 tokens."}])"));
  Result refused = box_.Aix({"reply", "-c", id, "one more"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("maximum context length"));
  EXPECT_THAT(refused.err, HasSubstr("10002 earlier turns"));
  EXPECT_THAT(refused.err, HasSubstr("aix reply --last N"));
  EXPECT_EQ(Conversations()[0]["turns"], 10003) << "the refused turn is recorded too";
}

// A history written before conversations existed (schema 1) is migrated in
// place: every run is there, each a conversation that can be continued.
TEST_F(ConversationTest, AnOlderHistoryIsMigratedAndItsRunsContinue) {
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  Result made = RunProcess(
      {"/usr/bin/python3", "-c",
       "import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(open(sys.argv[2]).read())",
       box_.storage + "/history.db", Runfile("tests/testdata/history/history_v1.sql")},
      box_.env);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  Json c = Conversations();
  ASSERT_EQ(c.size(), 5u) << c;
  for (const Json& one : c) EXPECT_EQ(one["turns"], 1);
  EXPECT_EQ(c[4]["first"]["answer"], "hello from schema one, run 1");
  ASSERT_EQ(box_.Aix({"reply", "-c", "3", "and then?"}).exit_code, 0);
  EXPECT_THAT(Sent(), ::testing::ElementsAre("user:Say hello to v1-3.",
                                             "assistant:hello from schema one, run 3",
                                             "user:and then?"));
  Result json = box_.Aix({"reply", "--json", "-c", "3", "ids?"});
  EXPECT_EQ(Json::parse(json.out)["conversation_id"], 3);
  EXPECT_EQ(Json::parse(json.out)["run_id"], 7) << "new ids follow the migrated ones";
}

}  // namespace
}  // namespace aix::testing
