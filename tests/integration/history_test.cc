// The run history end to end: real aix and aixd, the fake provider, and
// the SQLite file itself (history.db in the storage directory).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

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

constexpr char kKey[] = "test-key-history-5151";
constexpr char kEnvKey[] = "test-key-from-env-6262";

class HistoryTest : public ::testing::Test {
 protected:
  HistoryTest() : fake_(box_.dir) {}
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"})
                  .exit_code, 0);
    ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", fake_.base() + "/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, kKey).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "greet", "Say hello to {who}."}).exit_code, 0);
  }
  Json History(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "history");
    args.push_back("--runs");
    args.push_back("--json");
    Result r = box_.Aix(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("runs") ? j["runs"] : Json::array();
  }
  Json Show(int64_t id) {
    Result r = box_.Aix({"history", "show", std::to_string(id), "--run", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  std::string Db() const { return box_.storage + "/history.db"; }

  Sandbox box_;
  FakeProvider fake_;
};

// A 450 KB query is refused at once (it took 19 s and 1.5 GB holding the
// history's lock), and a damaged history.db names its fix.
TEST_F(HistoryTest, AHugeSearchAndADamagedFileGetClearAnswers) {
  fake_.Script(Json::parse(R"([{"chunks": ["hi"]}])"));
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Ada"}).exit_code, 0);
  std::vector<std::string> args = {"history", "search"};
  for (int i = 0; i < 76000; ++i) args.push_back("lorem");
  const auto t0 = std::chrono::steady_clock::now();
  Result huge = box_.Aix(args);
  EXPECT_NE(huge.exit_code, 0);
  EXPECT_THAT(huge.err, HasSubstr("a search is at most 1024 bytes"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(box_.Aix({"history", "search", "Ada"}).exit_code, 0) << "the history still answers";
  // Damaged: garbage where the database was.
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  ASSERT_EQ(std::system(("rm -f '" + Db() + "'* && head -c 65536 /dev/urandom > '" + Db() + "'").c_str()), 0);
  Result damaged = box_.Aix({"history"});
  EXPECT_NE(damaged.exit_code, 0);
  EXPECT_THAT(damaged.err, HasSubstr("damaged: move it away (mv " + Db()));
  fake_.Script(Json::parse(R"([{"chunks": ["still"]}])"));
  Result run = box_.Aix({"run", "greet", "-p", "who=Bo"});
  EXPECT_EQ(run.exit_code, 0) << "a damaged history costs the history, not the run: " << run.err;
}

// Huge inputs: the history keeps the first 1 MiB of each (marked), listings
// carry excerpts, and a run whose input was cut cannot be rerun as if whole.
TEST_F(HistoryTest, HugeInputsKeepTheHistoryUsable) {
  ASSERT_EQ(box_.Aix({"create", "sum", "Summarize: {input}"}).exit_code, 0);
  const std::string input(9 << 20, 'x');
  for (int i = 0; i < 3; ++i) {
    fake_.Script(Json::parse(R"([{"chunks": ["ok"]}])"));
    Result r = box_.Aix({"run", "sum"}, input);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(fake_.Requests().back()["body"]["messages"].back()["content"].get<std::string>().size(),
            input.size() + 11) << "the provider still gets the whole input";
  Result list = box_.Aix({"history"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  Result json = box_.Aix({"history", "--runs", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_LT(json.out.size(), 20000u);
  Json runs = Json::parse(json.out)["runs"];
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0]["excerpt"], true);
  const std::string id = runs[0]["id"].get<std::string>();
  Json run = Show(std::stoll(id));
  const std::string kept = run["params"]["input"].get<std::string>();
  EXPECT_LT(kept.size(), (1u << 20) + 100);
  EXPECT_THAT(kept, HasSubstr("the rest was not kept in the run history"));
  Result rerun = box_.Aix({"history", "rerun", id});
  EXPECT_NE(rerun.exit_code, 0);
  EXPECT_THAT(rerun.err, HasSubstr("cannot be rerun as it was"));
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  const size_t db = Sandbox::ReadFile(Db()).size() + Sandbox::ReadFile(Db() + "-wal").size();
  EXPECT_LT(db, 20u << 20) << "history.db holds " << db << " bytes for 3 runs";
}

// A provider that reports no usage: the counts are unknown (null), never 0,
// from `aix run --json` to the history, and the usage sums skip them.
TEST_F(HistoryTest, UnreportedUsageIsNullNeverZero) {
  fake_.Script(Json::parse(R"([{"chunks": ["hi"], "usage": null},
                               {"chunks": ["hi"], "usage": null}])"));
  Result r = box_.Aix({"run", "greet", "-p", "who=Ada", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  EXPECT_TRUE(out["usage"]["prompt_tokens"].is_null()) << out;
  EXPECT_TRUE(out["usage"]["total_tokens"].is_null()) << out;
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Bo", "--no-stream"}).exit_code, 0);
  Json runs = History();
  ASSERT_EQ(runs.size(), 2u);
  for (const Json& run : runs) {
    EXPECT_TRUE(run["prompt_tokens"].is_null()) << run;
    EXPECT_TRUE(run["completion_tokens"].is_null()) << run;
  }
  Json one = Show(std::stoll(runs[0]["id"].get<std::string>()));
  EXPECT_TRUE(one["completion_tokens"].is_null()) << one;
  Result text = box_.Aix({"history", "show", runs[0]["id"].get<std::string>(), "--run"});
  EXPECT_THAT(text.out, HasSubstr("tokens:    ? in, ? out (not reported)"));
  fake_.Script(Json::parse(R"([{"chunks": ["hi"], "usage": {"prompt_tokens": 5, "completion_tokens": 1}}])"));
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Cy"}).exit_code, 0);
  Result usage = box_.Aix({"usage", "--json"});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  Json rows = Json::parse(usage.out)["rows"];
  ASSERT_EQ(rows.size(), 1u) << rows;
  EXPECT_EQ(rows[0]["runs"], "3");
  EXPECT_EQ(rows[0]["prompt_tokens"], "5") << "unknown counts are not summed as anything";
}

// A long answer is spooled to an unnamed file while it streams (aixd holds
// 64 KiB of it, however slowly the client reads) and comes back whole, up
// to the 4 MiB the history keeps.
TEST_F(HistoryTest, ALongAnswerIsKeptUpToFourMiB) {
  fake_.Script(Json::parse(R"([{"flood_mb": 5}, {"flood_mb": 1}])"));
  Result r = box_.Aix({"run", "greet", "-p", "who=Ada"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.size(), 5u << 20) << "the client gets all of it";
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Bo"}).exit_code, 0);
  Json runs = History();
  ASSERT_EQ(runs.size(), 2u);
  const std::string kept = Show(std::stoll(runs[1]["id"].get<std::string>()))["answer"];
  // Marked as cut, so a follow-up knows it cannot send it again whole.
  const std::string mark = "\n[aix: the rest was not kept in the run history]";
  EXPECT_EQ(kept.size(), (4u << 20) + mark.size());
  EXPECT_EQ(kept.find_first_not_of('x'), 4u << 20);
  EXPECT_EQ(kept.substr(4u << 20), mark);
  const std::string second = Show(std::stoll(runs[0]["id"].get<std::string>()))["answer"];
  EXPECT_EQ(second, std::string(1 << 20, 'x'));
}

TEST_F(HistoryTest, ARunIsRecordedWithEverythingButTheKey) {
  fake_.Script(Json::parse(R"([{"chunks": ["Hello ", "Ada"],
      "usage": {"prompt_tokens": 11, "completion_tokens": 2}}])"));
  Result r = box_.Aix({"run", "greet", "-p", "who=Ada", "--system", "be kind"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json runs = History();
  ASSERT_EQ(runs.size(), 1u) << runs;
  Json run = Show(std::stoll(runs[0]["id"].get<std::string>()));
  EXPECT_EQ(run["prompt"], "greet");
  EXPECT_EQ(run["params"]["who"], "Ada");
  EXPECT_EQ(run["rendered"], "Say hello to Ada.");
  EXPECT_EQ(run["system"], "be kind");
  EXPECT_EQ(run["provider"], "openrouter");
  EXPECT_EQ(run["model"], "meta-llama/llama-3.2-3b-instruct:free");
  EXPECT_EQ(run["answer"], "Hello Ada");
  EXPECT_EQ(run["outcome"], "ok");
  EXPECT_EQ(run["finish_reason"], "stop");
  EXPECT_EQ(run["prompt_tokens"], "11");
  EXPECT_EQ(run["completion_tokens"], "2");
  EXPECT_EQ(run["client"], "aix");
  EXPECT_EQ(run["attempts"].size(), 1u);
  EXPECT_GE(std::stoll(run["time_to_first_token_ms"].get<std::string>()), 0);

  // A key from the environment, and the stored one: neither is in the file.
  box_.env["OPENAI_API_KEY"] = kEnvKey;
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Env", "--provider", "openai"}).exit_code, 0);
  ASSERT_EQ(History().size(), 2u);
  struct stat st;
  ASSERT_EQ(stat(Db().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string bytes = Sandbox::ReadFile(Db()) + Sandbox::ReadFile(Db() + "-wal");
  EXPECT_THAT(bytes, HasSubstr("Say hello to Env."));
  EXPECT_THAT(bytes, Not(HasSubstr(kKey)));
  EXPECT_THAT(bytes, Not(HasSubstr(kEnvKey)));
  EXPECT_THAT(bytes, Not(HasSubstr("Bearer")));
}

TEST_F(HistoryTest, NoHistoryAndTheSettingKeepRunsOut) {
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=secret", "--no-history"}).exit_code, 0);
  EXPECT_EQ(History().size(), 0u);
  ASSERT_EQ(box_.Aix({"config", "--set", "history", "false"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=off"}).exit_code, 0);
  EXPECT_EQ(History().size(), 0u);
  ASSERT_EQ(box_.Aix({"config", "--set", "history", "true"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=on"}).exit_code, 0);
  ASSERT_EQ(History().size(), 1u);
  EXPECT_THAT(Sandbox::ReadFile(Db()) + Sandbox::ReadFile(Db() + "-wal"),
              Not(HasSubstr("Say hello to secret.")));
  // Dry runs send nothing and are not runs.
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=dry", "--dry-run"}).exit_code, 0);
  EXPECT_EQ(History().size(), 1u);
}

TEST_F(HistoryTest, FiltersSearchAndAFailedRun) {
  ASSERT_EQ(box_.Aix({"create", "haiku", "Write a haiku about {topic}."}).exit_code, 0);
  fake_.Script(Json::parse(R"([{"chunks": ["autumn leaves drifting"]}])"));
  ASSERT_EQ(box_.Aix({"run", "haiku", "-p", "topic=fall"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Bo"}).exit_code, 0);
  fake_.Script(Json::parse(R"([{"status": 500, "error": "upstream exploded"}])"));
  Result failed = box_.Aix({"run", "greet", "-p", "who=Cy", "--max-retries", "0"});
  ASSERT_NE(failed.exit_code, 0);

  EXPECT_EQ(History().size(), 3u);
  EXPECT_EQ(History({"--prompt", "haiku"}).size(), 1u);
  EXPECT_EQ(History({"--provider", "openai"}).size(), 0u);
  EXPECT_EQ(History({"-n", "2"}).size(), 2u);
  Json bad = History({"--failed"});
  ASSERT_EQ(bad.size(), 1u);
  Json run = Show(std::stoll(bad[0]["id"].get<std::string>()));
  EXPECT_EQ(run["outcome"], "failed");
  EXPECT_EQ(run["error_class"], "ABORTED");
  EXPECT_THAT(run["error_message"].get<std::string>(), HasSubstr("500"));
  EXPECT_EQ(History({"--since", "1h"}).size(), 3u);
  EXPECT_EQ(History({"--since", "2099-01-01"}).size(), 0u);
  Result nonsense = box_.Aix({"history", "--since", "yesterdayish"});
  EXPECT_EQ(nonsense.exit_code, 2);
  EXPECT_THAT(nonsense.err, HasSubstr("7d"));

  Result hit = box_.Aix({"history", "search", "drifting", "--json"});
  ASSERT_EQ(hit.exit_code, 0) << hit.err;
  Json hits = Json::parse(hit.out)["runs"];
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]["prompt"], "haiku");
  EXPECT_EQ(hits[0]["snippet"], "autumn leaves \u0002drifting\u0003");
  Result words = box_.Aix({"history", "search", "hello", "Bo"});
  ASSERT_EQ(words.exit_code, 0) << words.err;
  EXPECT_THAT(words.out, HasSubstr("greet"));
  EXPECT_THAT(words.out, HasSubstr("matched: Say [hello] to [Bo]"));
  EXPECT_THAT(words.out, Not(HasSubstr("haiku")));
}

TEST_F(HistoryTest, RerunDeleteAndPrune) {
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=Di"}).exit_code, 0);
  Json runs = History();
  ASSERT_EQ(runs.size(), 1u);
  const std::string id = runs[0]["id"];
  Result again = box_.Aix({"history", "rerun", id});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "Echo: Say hello to Di.");
  EXPECT_EQ(fake_.Requests().back()["body"]["messages"],
            Json::parse(R"([{"role":"user","content":"Say hello to Di."}])"));
  ASSERT_EQ(History().size(), 2u);

  Result gone = box_.Aix({"history", "delete", id});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_EQ(History().size(), 1u);
  EXPECT_EQ(box_.Aix({"history", "show", id}).exit_code, 4);
  EXPECT_EQ(box_.Aix({"history", "delete", id}).exit_code, 4);

  Result prune = box_.Aix({"history", "prune", "--before", "2000-01-01"});
  EXPECT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_EQ(History().size(), 1u);
  ASSERT_EQ(box_.Aix({"history", "prune", "--before", "0m"}).exit_code, 0);
  EXPECT_EQ(History().size(), 0u);
}

TEST_F(HistoryTest, UsageSumsTokensPerProviderAndModel) {
  ASSERT_EQ(box_.Aix({"api-key", "openai"}, kKey).exit_code, 0);
  fake_.Script(Json::parse(R"([
      {"usage": {"prompt_tokens": 10, "completion_tokens": 4}},
      {"usage": {"prompt_tokens": 20, "completion_tokens": 6}},
      {"usage": {"prompt_tokens": 7, "completion_tokens": 1}}])"));
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=a"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=b"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=c", "--provider", "openai"}).exit_code, 0);
  Result r = box_.Aix({"usage", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json rows = Json::parse(r.out)["rows"];
  ASSERT_EQ(rows.size(), 2u) << rows;
  Json openrouter = rows[0]["provider"] == "openrouter" ? rows[0] : rows[1];
  EXPECT_EQ(openrouter["runs"], "2");
  EXPECT_EQ(openrouter["prompt_tokens"], "30");
  EXPECT_EQ(openrouter["completion_tokens"], "10");
  Result table = box_.Aix({"usage", "--by", "month"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("total"));
  EXPECT_THAT(table.out, HasSubstr("gpt-3.5-turbo"));
}

TEST_F(HistoryTest, ARunCancelledMidStreamKeepsWhatStreamed) {
  fake_.Script(Json::parse(R"([{"chunks": ["first ", "second ", "third ", "fourth "],
      "delay_ms": 400}])"));
  const std::string out = box_.dir + "/run.out";
  pid_t pid = Spawn({AixPath(), "run", "greet", "-p", "who=x"}, box_.env, out, "");
  for (int i = 0; i < 500 && Sandbox::ReadFile(out).empty(); ++i) usleep(10000);
  ASSERT_FALSE(Sandbox::ReadFile(out).empty()) << "no text arrived";
  kill(pid, SIGINT);
  EXPECT_EQ(box_.WaitExit(pid, 5), 130);
  Json runs;
  for (int i = 0; i < 100 && runs.empty(); ++i) {
    runs = History();
    if (runs.empty()) usleep(20000);
  }
  ASSERT_EQ(runs.size(), 1u);
  Json run = Show(std::stoll(runs[0]["id"].get<std::string>()));
  EXPECT_EQ(run["outcome"], "cancelled");
  EXPECT_THAT(run["answer"].get<std::string>(), HasSubstr("first"));
  EXPECT_THAT(run["answer"].get<std::string>(), Not(HasSubstr("fourth")));
}

TEST_F(HistoryTest, TheHistorySurvivesKillDashNine) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=" + std::to_string(i)}).exit_code, 0);
  }
  ASSERT_EQ(History().size(), 5u);  // also waits until all five are written
  pid_t daemon = box_.LockPid();
  ASSERT_GT(daemon, 0);
  ASSERT_EQ(kill(daemon, SIGKILL), 0);
  for (int i = 0; i < 200 && kill(daemon, 0) == 0; ++i) usleep(10000);
  // A new daemon starts on demand and finds every run.
  ASSERT_EQ(box_.Aix({"run", "greet", "-p", "who=after"}).exit_code, 0);
  Json runs = History({"-n", "100"});
  ASSERT_EQ(runs.size(), 6u);
  EXPECT_EQ(runs[0]["rendered"], "Say hello to after.");
  Result search = box_.Aix({"history", "search", "hello"});
  EXPECT_EQ(search.exit_code, 0) << search.err;
}

TEST_F(HistoryTest, AHistoryThatCannotBeWrittenCostsTheHistoryNotTheRun) {
  // Something else sits where the database goes.
  ASSERT_EQ(mkdir(Db().c_str(), 0700), 0);
  Result run = box_.Aix({"run", "greet", "-p", "who=still"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "Echo: Say hello to still.");
  Result list = box_.Aix({"history"});
  EXPECT_EQ(list.exit_code, 6);
  EXPECT_THAT(list.err, HasSubstr("run history"));
  EXPECT_THAT(list.err, HasSubstr(Db()));
  EXPECT_THAT(Sandbox::ReadFile(box_.AutoStartLog()), HasSubstr("was not recorded"));
}

}  // namespace
}  // namespace aix::testing
