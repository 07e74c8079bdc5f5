#include "daemon/runs/conversation.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/limits.h"

namespace aix::runs {
namespace {

history::RunRecord Turn(int n, const std::string& prompt, const std::string& answer,
                        const std::string& outcome = "ok") {
  history::RunRecord r;
  r.turn = n;
  r.rendered = prompt;
  r.answer = answer;
  r.outcome = outcome;
  r.provider = "openai";
  r.model = "gpt-" + std::to_string(n);
  r.system = "sys " + std::to_string(n);
  return r;
}

std::string Roles(const Earlier& e) {
  std::string out;
  for (const providers::Turn& t : e.turns) out += t.role.substr(0, 1) + ":" + t.content + " ";
  return out;
}

TEST(EarlierTurnsTest, TurnsGoInOrderWithTheirContextAndTheNewestAnswerChooses) {
  std::vector<history::RunRecord> runs = {Turn(1, "q1", "a1"), Turn(2, "q2", "a2")};
  runs[0].context_json = R"([{"role":"user","content":"q0"},{"role":"assistant","content":"a0"}])";
  auto e = EarlierTurns(7, runs, 0);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Roles(*e), "u:q0 a:a0 u:q1 a:a1 u:q2 a:a2 ");
  EXPECT_EQ(e->conversation, 7);
  EXPECT_EQ(e->sent_turns, 2);
  EXPECT_EQ(e->model, "gpt-2");
  EXPECT_EQ(e->system, "sys 2");
}

TEST(EarlierTurnsTest, AnUnansweredTurnIsLeftOutAndAFailedOneDoesNotChoose) {
  std::vector<history::RunRecord> runs = {Turn(1, "q1", "a1"), Turn(2, "q2", "", "failed"),
                                          Turn(3, "q3", "part", "cancelled")};
  runs[1].provider = "anthropic";
  auto e = EarlierTurns(1, runs, 0);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Roles(*e), "u:q1 a:a1 u:q3 a:part ");
  EXPECT_EQ(e->provider, "openai");
  EXPECT_EQ(e->model, "gpt-1");  // the newest that answered ok
}

TEST(EarlierTurnsTest, LastKeepsTheNewestTurns) {
  std::vector<history::RunRecord> runs = {Turn(1, "q1", "a1"), Turn(2, "q2", "a2"),
                                          Turn(3, "q3", "a3")};
  auto e = EarlierTurns(1, runs, 2);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Roles(*e), "u:q2 a:a2 u:q3 a:a3 ");
}

TEST(EarlierTurnsTest, ACutTurnIsRefusedWithTheWayOn) {
  std::vector<history::RunRecord> runs = {Turn(1, "q1", "a1"),
                                          Turn(2, std::string("big") + kHistoryCutMark, "a2"),
                                          Turn(3, "q3", "a3")};
  auto e = EarlierTurns(5, runs, 0);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(e.status().message().find("turn 2"), std::string::npos) << e.status();
  EXPECT_NE(e.status().message().find("--last 1"), std::string::npos) << e.status();
  EXPECT_TRUE(EarlierTurns(5, runs, 1).ok());

  runs[1].rendered = "q2";
  runs[1].answer = std::string("long") + kHistoryCutMark;
  EXPECT_FALSE(EarlierTurns(5, runs, 0).ok());
}

TEST(EarlierTurnsTest, ADamagedContextIsRefusedNotSentHalfway) {
  std::vector<history::RunRecord> runs = {Turn(1, "q1", "a1")};
  for (const char* bad : {"{", R"({"role":"user"})", R"([{"role":1,"content":"x"}])", R"([3])"}) {
    runs[0].context_json = bad;
    auto e = EarlierTurns(1, runs, 0);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition) << bad;
  }
}

TEST(EarlierTurnsTest, TooMuchTextIsRefused) {
  std::vector<history::RunRecord> runs;
  const std::string mib(1 << 20, 'x');
  for (int i = 1; i <= 20; ++i) runs.push_back(Turn(i, mib, mib));
  auto e = EarlierTurns(1, runs, 0);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("--last N"), std::string::npos) << e.status();
  EXPECT_TRUE(EarlierTurns(1, runs, 4).ok());
}

TEST(TooLongHintTest, ProviderRefusalsOfLengthGetTheWayOn) {
  EXPECT_NE(TooLongHint("This model's maximum context length is 4097 tokens", 3).find("--last"),
            std::string::npos);
  EXPECT_NE(TooLongHint("prompt is too long: 210000 tokens > 200000 maximum", 3), "");
  EXPECT_EQ(TooLongHint("invalid model id", 3), "");
}

}  // namespace
}  // namespace aix::runs
