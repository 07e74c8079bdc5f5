#include "daemon/history/history_store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "daemon/history/history_db.h"
#include "daemon/history/history_writer.h"

namespace aix::history {
namespace {

class HistoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aixhist-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = HistoryStore::Open(dir_ + "/history.db");
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  void TearDown() override {
    store_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }

  RunRecord Run(const std::string& prompt, const std::string& provider, const std::string& answer,
                absl::Time started, const std::string& outcome = "ok") {
    RunRecord r;
    r.started = started;
    r.prompt = prompt;
    r.params = {{"who", "world"}};
    r.rendered = "Hello " + prompt;
    r.provider = provider;
    r.model = provider + "-model";
    r.answer = answer;
    r.prompt_tokens = 3;
    r.completion_tokens = 5;
    r.outcome = outcome;
    r.client = "aix";
    return r;
  }

  std::string dir_;
  std::unique_ptr<HistoryStore> store_;
};

TEST_F(HistoryStoreTest, ARunComesBackAsRecorded) {
  RunRecord r = Run("greet", "openai", "Hi there", absl::FromUnixMillis(1764500000123));
  r.system = "be brief";
  r.attempts_json = R"([{"provider":"openai","http_status":200}])";
  r.ttft_ms = 12;
  r.total_ms = 40;
  auto id = store_->Add(r);
  ASSERT_TRUE(id.ok()) << id.status();
  auto back = store_->Get(*id);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->started, r.started);
  EXPECT_EQ(back->params, r.params);
  EXPECT_EQ(back->system, "be brief");
  EXPECT_EQ(back->answer, "Hi there");
  EXPECT_EQ(back->attempts_json, r.attempts_json);
  EXPECT_EQ(back->ttft_ms, 12);
  EXPECT_EQ(store_->Get(*id + 1).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(HistoryStoreTest, TheFileIsPrivate) {
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/history.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(HistoryStoreTest, ListFiltersNewestFirst) {
  const absl::Time t0 = absl::FromUnixSeconds(1764500000);
  ASSERT_TRUE(store_->Add(Run("a", "openai", "one", t0)).ok());
  ASSERT_TRUE(store_->Add(Run("b", "anthropic", "two", t0 + absl::Minutes(1), "failed")).ok());
  ASSERT_TRUE(store_->Add(Run("a", "anthropic", "three", t0 + absl::Minutes(2))).ok());
  Filter all;
  auto runs = store_->List(all);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].answer, "three");
  Filter f;
  f.prompt = "a";
  f.provider = "anthropic";
  EXPECT_EQ(store_->List(f)->size(), 1u);
  Filter failed;
  failed.failed_only = true;
  ASSERT_EQ(store_->List(failed)->size(), 1u);
  EXPECT_EQ(store_->List(failed)->front().answer, "two");
  Filter since;
  since.since = t0 + absl::Seconds(30);
  EXPECT_EQ(store_->List(since)->size(), 2u);
  Filter one;
  one.limit = 1;
  EXPECT_EQ(store_->List(one)->size(), 1u);
}

TEST_F(HistoryStoreTest, SearchFindsWordsInPromptsAndAnswers) {
  const absl::Time t = absl::Now();
  ASSERT_TRUE(store_->Add(Run("haiku", "openai", "autumn leaves falling", t)).ok());
  ASSERT_TRUE(store_->Add(Run("recipe", "openai", "boil the pasta", t)).ok());
  auto hits = store_->Search("pasta", 10);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().prompt, "recipe");
  EXPECT_EQ(hits->front().snippet, "boil the \x02pasta\x03") << "why it matched";
  EXPECT_EQ(store_->List({})->front().snippet, "") << "listings have no snippet";
  EXPECT_EQ(store_->Search("Hello haiku", 10)->size(), 1u) << "words of the prompt as sent";
  EXPECT_EQ(store_->Search("AUTUMN", 10)->size(), 1u);
  EXPECT_TRUE(store_->Search("what's \"-x OR", 10).ok()) << "no query syntax errors";
  EXPECT_EQ(store_->Search("  ", 10).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HistoryStoreTest, AHugeQueryIsRefusedBeforeTheIndexSeesIt) {
  std::string huge;
  while (huge.size() < 450 * 1024) huge += "lorem ipsum ";
  auto r = store_->Search(huge, 10);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("at most 1024 bytes"), std::string::npos) << r.status();
  std::string many;
  for (int i = 0; i < 33; ++i) many += "w" + std::to_string(i) + " ";
  r = store_->Search(many, 10);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("at most 32 words"), std::string::npos) << r.status();
  EXPECT_TRUE(store_->Search("w1 w2 w3", 10).ok());
}

TEST_F(HistoryStoreTest, DeleteAndPruneAlsoLeaveTheSearch) {
  const absl::Time t0 = absl::FromUnixSeconds(1764500000);
  auto old_id = store_->Add(Run("a", "openai", "ancient words", t0));
  auto new_id = store_->Add(Run("b", "openai", "recent words", t0 + absl::Hours(48)));
  ASSERT_TRUE(old_id.ok() && new_id.ok());
  EXPECT_EQ(*store_->Prune(t0 + absl::Hours(24)), 1);
  EXPECT_EQ(store_->Search("ancient", 10)->size(), 0u);
  EXPECT_EQ(*store_->Delete({*new_id, *new_id + 100}), 1);
  EXPECT_EQ(store_->Search("recent", 10)->size(), 0u);
  EXPECT_EQ(store_->List(Filter())->size(), 0u);
}

TEST_F(HistoryStoreTest, UsageSumsByDayProviderAndModel) {
  const absl::Time day1 = absl::FromUnixSeconds(1764460800);  // 2025-11-30 00:00 UTC
  RunRecord fast = Run("a", "openai", "x", day1 + absl::Hours(1));
  fast.ttft_ms = 100;
  RunRecord slow = Run("a", "openai", "x", day1 + absl::Hours(2));
  slow.ttft_ms = 301;
  RunRecord failed = Run("a", "openai", "x", day1 + absl::Hours(3), "provider_error");
  failed.ttft_ms = 5000;  // not a first token anyone saw: left out of the mean
  ASSERT_TRUE(store_->Add(fast).ok());
  ASSERT_TRUE(store_->Add(slow).ok());
  ASSERT_TRUE(store_->Add(failed).ok());
  ASSERT_TRUE(store_->Add(Run("a", "anthropic", "x", day1 + absl::Hours(25))).ok());
  auto rows = store_->Usage(absl::InfinitePast(), /*by_month=*/false);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].period, "2025-11-30");
  EXPECT_EQ((*rows)[0].provider, "openai");
  EXPECT_EQ((*rows)[0].runs, 3);
  EXPECT_EQ((*rows)[0].failed_runs, 1);
  EXPECT_EQ((*rows)[0].mean_ttft_ms, 201) << "the mean of the successful runs' 100 and 301 ms";
  EXPECT_EQ((*rows)[1].failed_runs, 0);
  EXPECT_EQ((*rows)[1].mean_ttft_ms, 0) << "no run streamed a first token";
  EXPECT_EQ((*rows)[0].prompt_tokens, 9);
  EXPECT_EQ((*rows)[0].completion_tokens, 15);
  EXPECT_EQ((*rows)[1].period, "2025-12-01");
  auto months = store_->Usage(absl::InfinitePast(), /*by_month=*/true);
  ASSERT_EQ(months->size(), 2u);
  EXPECT_EQ((*months)[0].period, "2025-11");
  EXPECT_FALSE((*rows)[0].cost.has_value()) << "no run reported a cost";
}

TEST_F(HistoryStoreTest, ExtrasComeBackAndCostsAreSummedWhereReported) {
  const absl::Time day = absl::FromUnixSeconds(1764460800);
  RunRecord a = Run("a", "openrouter", "x", day);
  a.extras = {{"cost", 0.25},
              {"attachments", {{{"name", "cat.png"}, {"media_type", "image/png"}, {"bytes", 70},
                                {"sha256", "ab12"}}}},
              {"tool_calls", {{{"id", "c1"}, {"name", "f"}, {"arguments", "{}"}}}}};
  RunRecord b = Run("a", "openrouter", "x", day + absl::Minutes(1));
  b.extras = {{"cost", 0.5}};
  RunRecord c = Run("a", "openrouter", "x", day + absl::Minutes(2));  // no cost reported
  for (RunRecord* r : {&a, &b, &c}) ASSERT_TRUE(store_->Add(*r).ok());
  auto listed = store_->List(Filter());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ(listed->back().extras, a.extras) << "listings carry the extras too";
  auto rows = store_->Usage(absl::InfinitePast(), false);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].runs, 3);
  ASSERT_TRUE((*rows)[0].cost.has_value());
  EXPECT_DOUBLE_EQ(*(*rows)[0].cost, 0.75);
}

TEST_F(HistoryStoreTest, ADamagedFileIsRefusedWithTheFix) {
  store_.reset();
  const std::string path = dir_ + "/history.db";
  ASSERT_EQ(std::system(("rm -f " + path + "* && head -c 8192 /dev/urandom > " + path).c_str()), 0);
  auto opened = HistoryStore::Open(path);
  ASSERT_FALSE(opened.ok());
  const std::string msg(opened.status().message());
  EXPECT_NE(msg.find("damaged"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mv " + path + " " + path + ".damaged"), std::string::npos) << msg;
}

TEST_F(HistoryStoreTest, ANewerSchemaIsRefusedWithTheFix) {
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/history.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = HistoryStore::Open(dir_ + "/history.db");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("newer aix"), std::string::npos) << s.status();
}

TEST_F(HistoryStoreTest, TheWriterRecordsInOrderAndPrunesOldRuns) {
  store_.reset();
  HistoryDb db(dir_);
  {
    HistoryWriter writer(&db, [] { return int64_t{30}; });
    writer.Submit(Run("old", "openai", "x", absl::Now() - absl::Hours(24 * 31)));
    writer.Submit(Run("new", "openai", "y", absl::Now()));
    writer.Flush();
  }
  auto store = db.Store();
  ASSERT_TRUE(store.ok());
  auto runs = (*store)->List(Filter());
  ASSERT_TRUE(runs.ok());
  // The first write prunes what is due: the run older than 30 days.
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().prompt, "new");
}

// Migrating a schema-1 file (as aix wrote it before conversations) keeps
// every run, each a conversation of one turn, and new ids follow the old.
TEST_F(HistoryStoreTest, ASchemaOneFileIsMigratedWithEveryRun) {
  store_.reset();
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::ifstream f(std::string(srcdir ? srcdir : ".") + "/aix/tests/testdata/history/history_v1.sql");
  ASSERT_TRUE(f.good());
  std::stringstream sql;
  sql << f.rdbuf();
  ASSERT_EQ(std::system(("rm -f " + dir_ + "/history.db*").c_str()), 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/history.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto opened = HistoryStore::Open(dir_ + "/history.db");
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto runs = (*opened)->List(Filter());
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 5u);
  for (const RunRecord& r : *runs) {
    EXPECT_EQ(r.conversation, r.id);
    EXPECT_EQ(r.turn, 1);
    EXPECT_EQ(r.answer, "hello from schema one, run " + std::to_string(r.id));
  }
  auto conversations = (*opened)->Conversations(Filter());
  ASSERT_TRUE(conversations.ok());
  EXPECT_EQ(conversations->size(), 5u);
  auto search = (*opened)->Search("schema", 10);
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(search->size(), 5u);
  EXPECT_EQ((*opened)->ReserveId(), 6);
}

TEST_F(HistoryStoreTest, FollowUpsAreNumberedTurnsOfTheirConversation) {
  const absl::Time t = absl::Now();
  const int64_t first = store_->ReserveId();
  RunRecord r = Run("greet", "openai", "a1", t);
  r.id = first;
  ASSERT_TRUE(store_->Add(r).ok());
  RunRecord other = Run("other", "openai", "b1", t);
  other.client = "grpc";
  auto other_id = store_->Add(other);
  ASSERT_TRUE(other_id.ok());
  for (int i = 2; i <= 3; ++i) {
    RunRecord f = Run("", "anthropic", "a" + std::to_string(i), t + absl::Seconds(i));
    f.conversation = first;
    ASSERT_TRUE(store_->Add(f).ok());
  }
  auto turns = store_->Turns(first);
  ASSERT_TRUE(turns.ok());
  ASSERT_EQ(turns->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*turns)[i].turn, i + 1);
    EXPECT_EQ((*turns)[i].conversation, first);
    EXPECT_EQ((*turns)[i].answer, "a" + std::to_string(i + 1));
  }
  // Any run id names the conversation; the newest from aix skips others'.
  EXPECT_EQ(*store_->ConversationOf((*turns)[2].id), first);
  EXPECT_EQ(*store_->NewestConversation("aix"), first);
  EXPECT_EQ(*store_->NewestConversation("grpc"), *other_id);
  EXPECT_EQ(store_->NewestConversation("http").status().code(), absl::StatusCode::kNotFound);

  auto listed = store_->Conversations(Filter());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->front().id, first);  // updated last
  EXPECT_EQ(listed->front().turns, 3);
  EXPECT_EQ(listed->front().first.answer, "a1");
  EXPECT_EQ(listed->front().last.answer, "a3");
  EXPECT_EQ(listed->front().prompt_tokens, 9);
  Filter by_provider;
  by_provider.provider = "anthropic";
  EXPECT_EQ(store_->Conversations(by_provider)->size(), 1u);

  // Deleting the first turn leaves a conversation that its id still names.
  ASSERT_EQ(*store_->Delete({first}), 1);
  EXPECT_EQ(*store_->ConversationOf(first), first);
  EXPECT_EQ(store_->Turns(first)->size(), 2u);
  RunRecord next = Run("", "openai", "a4", t + absl::Seconds(9));
  next.conversation = first;
  ASSERT_TRUE(store_->Add(next).ok());
  EXPECT_EQ(store_->Turns(first)->back().turn, 4);

  ASSERT_EQ(*store_->DeleteConversations({(*turns)[1].id, 999}), 3);
  EXPECT_EQ(store_->ConversationOf(first).status().code(), absl::StatusCode::kNotFound);
  // A follow-up to a conversation deleted meanwhile starts a new one.
  RunRecord orphan = Run("", "openai", "a5", t);
  orphan.conversation = first;
  auto orphan_id = store_->Add(orphan);
  ASSERT_TRUE(orphan_id.ok());
  EXPECT_EQ(store_->Get(*orphan_id)->conversation, *orphan_id);
  EXPECT_EQ(store_->Get(*orphan_id)->turn, 1);
}

TEST_F(HistoryStoreTest, PruneKeepsAConversationStillInUse) {
  const absl::Time old = absl::Now() - absl::Hours(24 * 40);
  auto kept = store_->Add(Run("kept", "openai", "x", old));
  RunRecord follow = Run("", "openai", "y", absl::Now());
  follow.conversation = *kept;
  ASSERT_TRUE(store_->Add(follow).ok());
  ASSERT_TRUE(store_->Add(Run("gone", "openai", "z", old)).ok());
  EXPECT_EQ(*store_->Prune(absl::Now() - absl::Hours(24 * 30)), 1);
  EXPECT_EQ(store_->Turns(*kept)->size(), 2u);
}

// A conversation is read newest first within a budget: its size never
// decides how much memory a follow-up or a `show` takes.
TEST_F(HistoryStoreTest, TurnsAreReadNewestFirstWithinABudget) {
  RunRecord first = Run("big", "openai", std::string(1000, 'a'), absl::Now());
  auto id = store_->Add(first);
  ASSERT_TRUE(id.ok());
  for (int i = 2; i <= 10; ++i) {
    RunRecord r = Run("", "openai", std::string(1000, 'a' + i), absl::Now());
    r.conversation = *id;
    ASSERT_TRUE(store_->Add(r).ok());
  }
  bool over = true;
  auto all = store_->Turns(*id, 0, SIZE_MAX, &over);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 10u);
  EXPECT_FALSE(over);
  auto last3 = store_->Turns(*id, 3, SIZE_MAX, &over);
  ASSERT_EQ(last3->size(), 3u);
  EXPECT_EQ(last3->front().turn, 8);
  EXPECT_EQ(last3->back().turn, 10);
  EXPECT_FALSE(over);
  // Each turn holds ~1 KB of text: 4.5 KB keeps the newest four.
  auto budget = store_->Turns(*id, 0, 4500, &over);
  ASSERT_EQ(budget->size(), 4u);
  EXPECT_EQ(budget->front().turn, 7);
  EXPECT_TRUE(over);
  // The newest turn comes whatever the budget.
  EXPECT_EQ(store_->Turns(*id, 0, 1, &over)->size(), 1u);

  auto summary = store_->Summary(all->back().id);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->id, *id);
  EXPECT_EQ(summary->turns, 10);
  EXPECT_EQ(summary->prompt_tokens, 30);
  EXPECT_EQ(store_->Summary(9999).status().code(), absl::StatusCode::kNotFound);
  // Listings carry the beginning of long texts only.
  auto listed = store_->List(Filter());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->front().answer.size(), 1000u);
  RunRecord longer = Run("long", "openai", std::string(5000, 'z'), absl::Now());
  ASSERT_TRUE(store_->Add(longer).ok());
  EXPECT_EQ(store_->List(Filter())->front().answer.size(), 1000u);
  EXPECT_EQ(store_->Get(store_->List(Filter())->front().id)->answer.size(), 5000u);
}

}  // namespace
}  // namespace aix::history
