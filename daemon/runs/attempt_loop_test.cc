// The attempt loop driven by hand: a fake Transfers stands in for the pool,
// each test plays the provider's side (status, headers, body pieces, the
// transfer's end) and a recording sink stands in for the gRPC stream. No
// socket, no thread: every event comes from the test's own thread, in the
// order the pool would deliver them.
#include "daemon/runs/attempt_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "absl/time/clock.h"

namespace aix::runs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using Json = nlohmann::json;

constexpr char kOpenAiKey[] = "test-key-openai-FAKE-123";
constexpr char kRouterKey[] = "test-key-router-FAKE-123";

// FakeTransfers keeps what the loop started, cancelled and resumed.
class FakeTransfers : public http::Transfers {
 public:
  struct Started {
    http::HttpRequest request;
    std::shared_ptr<http::ResponseHandler> handler;
    bool done = false;
  };

  uint64_t Start(http::HttpRequest request, std::shared_ptr<http::ResponseHandler> handler) override {
    started.push_back({std::move(request), std::move(handler)});
    return started.size();  // ids 1, 2, ...
  }
  void Cancel(uint64_t id) override { cancelled.push_back(id); }
  void Resume(uint64_t id) override { resumed.push_back(id); }

  Started& Last() { return started.back(); }
  uint64_t LastId() const { return started.size(); }

  // Respond plays a whole transfer: headers, each piece (stopping at one
  // the handler declines; returns false then), and, unless declined, the
  // end.
  bool Respond(int status, const std::vector<std::string>& pieces,
               absl::Status end = absl::OkStatus(), int64_t retry_after_ms = -1) {
    Started& t = Last();
    http::ResponseHead head;
    head.status = status;
    head.retry_after_ms = retry_after_ms;
    t.handler->OnHeaders(head);
    for (const std::string& p : pieces) {
      if (!t.handler->OnData(p)) return false;
    }
    End(std::move(end));
    return true;
  }

  // End delivers the current transfer's OnDone, once, as the pool does.
  void End(absl::Status status) {
    Started& t = Last();
    if (t.done) return;
    t.done = true;
    t.handler->OnDone(std::move(status));
  }

  std::vector<Started> started;
  std::vector<uint64_t> cancelled, resumed;
};

// RecordingSink is the stream the client would read.
class RecordingSink : public RunSink {
 public:
  bool Ready() override { return ready; }
  void Text(std::string t) override {
    text += t;
    order += "t";
  }
  void Notice(std::string m) override { notices.push_back(std::move(m)); }
  void ToolCall(v1::ToolCallDelta c) override {
    calls.push_back(c);
    order += "T";
  }
  void Done(const absl::Status& s, v1::RunDone d) override {
    ++done_calls;
    status = s;
    summary = std::move(d);
  }
  std::shared_ptr<void> Hold() override { return over ? nullptr : alive; }

  bool ready = true;
  bool over = false;
  std::shared_ptr<int> alive = std::make_shared<int>(0);
  std::string text;
  std::vector<std::string> notices;
  std::vector<v1::ToolCallDelta> calls;
  std::string order;  // t: text, T: a tool call piece
  int done_calls = 0;
  absl::Status status = absl::UnknownError("not done");
  v1::RunDone summary;
};

std::string Event(const Json& j) { return "data: " + j.dump() + "\n\n"; }
std::string Delta(const std::string& text) {
  return Event({{"choices", {{{"delta", {{"content", text}}}}}}});
}
std::string Usage(int in, int out) {
  return Event({{"choices", Json::array()},
                {"usage", {{"prompt_tokens", in}, {"completion_tokens", out}}}});
}
const std::string kDone = "data: [DONE]\n\n";

// PlanFor: openai first, openrouter as its fallback, `retries` each.
Plan PlanFor(int64_t retries, bool stream = true) {
  Json config = {{"api_keys", {{"openai", kOpenAiKey}, {"openrouter", kRouterKey}}}};
  prompts::Prompt prompt;
  prompt.name = "p";
  prompt.template_text = "Say hi";
  RunInputs in;
  in.provider = "openai";
  in.fallback = {"openrouter"};
  in.max_retries = retries;
  in.no_stream = !stream;
  absl::StatusOr<Plan> plan = MakePlan(config, prompt, in, true);
  if (!plan.ok()) {
    ADD_FAILURE() << plan.status();
    std::abort();
  }
  return *std::move(plan);
}

struct Driven {
  explicit Driven(Plan plan) : loop(&transfers, &sink, std::move(plan)) {}
  FakeTransfers transfers;
  RecordingSink sink;
  AttemptLoop loop;
};

TEST(AttemptLoop, StreamsTextThenTheSummary) {
  Driven run(PlanFor(2));
  run.loop.Start();
  ASSERT_THAT(run.transfers.started, SizeIs(1));
  const http::HttpRequest& req = run.transfers.Last().request;
  EXPECT_THAT(req.url, HasSubstr("openai"));
  EXPECT_THAT(req.headers, testing::Contains(HasSubstr(kOpenAiKey)));
  ASSERT_TRUE(run.transfers.Respond(200, {Delta("Hello, "), Delta("world"), Usage(7, 2), kDone}));
  EXPECT_EQ(run.sink.text, "Hello, world");
  EXPECT_EQ(run.sink.done_calls, 1);
  EXPECT_TRUE(run.sink.status.ok()) << run.sink.status;
  EXPECT_EQ(run.sink.summary.provider(), "openai");
  EXPECT_EQ(run.sink.summary.model(), "gpt-3.5-turbo");
  EXPECT_EQ(run.sink.summary.prompt_tokens(), 7);
  EXPECT_EQ(run.sink.summary.completion_tokens(), 2);
  EXPECT_THAT(run.sink.summary.attempts(), SizeIs(1));
  EXPECT_THAT(run.sink.notices, IsEmpty());
}

TEST(AttemptLoop, PassesToolCallPiecesOnInOrderWithKeysScrubbed) {
  Driven run(PlanFor(0));
  run.loop.Start();
  auto call = [](Json piece) {
    return Event({{"choices", {{{"delta", {{"tool_calls", Json::array({piece})}}}}}}});
  };
  const std::string key(kOpenAiKey);
  ASSERT_TRUE(run.transfers.Respond(
      200, {Delta("Let me look. "),
            call({{"index", 0}, {"id", "call_1"}, {"function", {{"name", "lookup"}, {"arguments", ""}}}}),
            call({{"index", 0}, {"function", {{"arguments", "{\"q\": \"" + key.substr(0, 12)}}}}),
            call({{"index", 0}, {"function", {{"arguments", key.substr(12) + "\"}"}}}}),
            Event({{"choices", {{{"delta", Json::object()}, {"finish_reason", "tool_calls"}}}}}),
            kDone}));
  EXPECT_TRUE(run.sink.status.ok()) << run.sink.status;
  EXPECT_EQ(run.sink.text, "Let me look. ");
  ASSERT_FALSE(run.sink.calls.empty());
  EXPECT_EQ(run.sink.order.substr(0, 2), "tT") << "the text before the call comes first";
  EXPECT_EQ(run.sink.calls[0].id(), "call_1");
  EXPECT_EQ(run.sink.calls[0].name(), "lookup");
  std::string args;
  for (const auto& c : run.sink.calls) {
    EXPECT_EQ(c.index(), 0);
    args += c.arguments();
  }
  EXPECT_THAT(args, Not(HasSubstr(key.substr(0, 12)))) << "a key split across pieces is scrubbed";
  EXPECT_THAT(args, testing::StartsWith("{\"q\": \""));
  EXPECT_EQ(run.sink.summary.finish_reason(), "tool_calls");
}

TEST(AttemptLoop, PiecesSplitAnywhereGiveTheSameText) {
  const std::string body = Delta("Hello, ") + Delta("world") + kDone;
  for (size_t cut = 1; cut < body.size(); cut += 7) {
    Driven run(PlanFor(0));
    run.loop.Start();
    ASSERT_TRUE(run.transfers.Respond(200, {body.substr(0, cut), body.substr(cut)}));
    EXPECT_EQ(run.sink.text, "Hello, world") << "cut at " << cut;
    EXPECT_TRUE(run.sink.status.ok()) << run.sink.status;
  }
}

TEST(AttemptLoop, RetriesAServerErrorAfterTheWaitTheProviderAsks) {
  Driven run(PlanFor(2));
  run.loop.Start();
  const absl::Time before = absl::Now();
  ASSERT_TRUE(run.transfers.Respond(503, {R"({"error":{"message":"overloaded"}})"},
                                    absl::OkStatus(), /*retry_after_ms=*/3000));
  ASSERT_THAT(run.transfers.started, SizeIs(2));
  ASSERT_THAT(run.sink.notices, SizeIs(1));
  EXPECT_THAT(run.sink.notices[0], HasSubstr("HTTP 503; retrying in 3.0 s (retry 1 of 2)"));
  // The second attempt waits in the pool, not in a thread.
  EXPECT_GE(run.transfers.Last().request.not_before, before + absl::Seconds(3));
  EXPECT_THAT(run.transfers.Last().request.url, HasSubstr("openai"));
  ASSERT_TRUE(run.transfers.Respond(200, {Delta("ok"), kDone}));
  EXPECT_TRUE(run.sink.status.ok()) << run.sink.status;
  EXPECT_EQ(run.sink.text, "ok");
  ASSERT_THAT(run.sink.summary.attempts(), SizeIs(2));
  EXPECT_EQ(run.sink.summary.attempts(0).http_status(), 503);
  EXPECT_EQ(run.sink.summary.attempts(1).waited_ms(), 3000);
}

TEST(AttemptLoop, ALongerWaitThanAMinuteIsNotWaitedFor) {
  Driven run(PlanFor(2));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(429, {"slow down"}, absl::OkStatus(), 3600 * 1000));
  // No retry; the fallback takes over at once.
  ASSERT_THAT(run.transfers.started, SizeIs(2));
  EXPECT_THAT(run.transfers.Last().request.url, HasSubstr("openrouter"));
  EXPECT_LE(run.transfers.Last().request.not_before, absl::Now());
}

TEST(AttemptLoop, FallsBackWhenRetriesAreSpent) {
  Driven run(PlanFor(1));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(429, {}));
  ASSERT_TRUE(run.transfers.Respond(429, {}));
  ASSERT_THAT(run.transfers.started, SizeIs(3));
  const http::HttpRequest& third = run.transfers.Last().request;
  EXPECT_THAT(third.url, HasSubstr("openrouter"));
  EXPECT_THAT(third.headers, testing::Contains(HasSubstr(kRouterKey)));
  EXPECT_THAT(run.sink.notices.back(),
              HasSubstr("rate limited (HTTP 429); trying openrouter/"));
  ASSERT_TRUE(run.transfers.Respond(200, {Delta("from the fallback"), kDone}));
  EXPECT_TRUE(run.sink.status.ok()) << run.sink.status;
  EXPECT_EQ(run.sink.summary.provider(), "openrouter");
}

TEST(AttemptLoop, EveryAttemptFailingNamesThemAll) {
  Driven run(PlanFor(0));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(500, {"boom"}));
  ASSERT_TRUE(run.transfers.Respond(0, {}, absl::UnavailableError("connection refused")));
  EXPECT_EQ(run.sink.done_calls, 1);
  EXPECT_FALSE(run.sink.status.ok());
  EXPECT_THAT(run.sink.status.message(),
              HasSubstr("(2 attempts: openai HTTP 500, openrouter (no answer))"));
}

TEST(AttemptLoop, ARejectedKeyIsNeitherRetriedNorHandedOn) {
  Driven run(PlanFor(2));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(401, {R"({"error":{"message":"bad key"}})"}));
  EXPECT_THAT(run.transfers.started, SizeIs(1));
  EXPECT_EQ(run.sink.status.code(), absl::StatusCode::kUnauthenticated) << run.sink.status;
  EXPECT_THAT(run.sink.notices, IsEmpty());
}

TEST(AttemptLoop, CancelWhileWaitingForARetryEndsTheRun) {
  Driven run(PlanFor(2));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(503, {}));
  ASSERT_THAT(run.transfers.started, SizeIs(2));
  run.loop.Cancel();
  EXPECT_THAT(run.transfers.cancelled, ElementsAre(2));
  run.transfers.End(absl::CancelledError("cancelled"));  // what the pool then says
  EXPECT_THAT(run.transfers.started, SizeIs(2));          // no third attempt
  EXPECT_EQ(run.sink.done_calls, 1);
  EXPECT_EQ(run.sink.status.code(), absl::StatusCode::kCancelled);
}

TEST(AttemptLoop, CancelBetweenAttemptsStartsNothingMore) {
  Driven run(PlanFor(2));
  run.sink.over = true;  // the client left before the first transfer
  run.loop.Start();
  EXPECT_THAT(run.transfers.started, IsEmpty());
  EXPECT_EQ(run.sink.status.code(), absl::StatusCode::kCancelled);
}

TEST(AttemptLoop, ASlowClientPausesTheTransferUntilItResumes) {
  Driven run(PlanFor(0));
  run.loop.Start();
  run.sink.ready = false;
  EXPECT_FALSE(run.transfers.Respond(200, {Delta("later")}));
  EXPECT_EQ(run.sink.text, "");
  run.loop.Resume();
  EXPECT_THAT(run.transfers.resumed, ElementsAre(1));
  // The pool offers the declined piece again.
  run.sink.ready = true;
  ASSERT_TRUE(run.transfers.Last().handler->OnData(Delta("later")));
  ASSERT_TRUE(run.transfers.Last().handler->OnData(kDone));
  run.transfers.End(absl::OkStatus());
  EXPECT_EQ(run.sink.text, "later");
  EXPECT_TRUE(run.sink.status.ok()) << run.sink.status;
}

TEST(AttemptLoop, AMalformedEventEndsTheRunAndItsTransfer) {
  Driven fresh(PlanFor(2));
  fresh.loop.Start();
  http::ResponseHead ok;
  ok.status = 200;
  fresh.transfers.Last().handler->OnHeaders(ok);
  fresh.transfers.Last().handler->OnData(Delta("part"));
  fresh.transfers.Last().handler->OnData("data: {not json\n\n");
  EXPECT_THAT(fresh.transfers.cancelled, ElementsAre(1));
  fresh.transfers.End(absl::CancelledError("cancelled"));  // ignored: the run is over
  EXPECT_EQ(fresh.sink.done_calls, 1);
  EXPECT_THAT(fresh.sink.status.message(), HasSubstr("openai"));
  EXPECT_THAT(fresh.sink.status.message(), HasSubstr("malformed"));
  EXPECT_EQ(fresh.sink.text, "part");
  EXPECT_THAT(fresh.transfers.started, SizeIs(1));
}

TEST(AttemptLoop, AStreamThatStopsAfterTextIsNotRetried) {
  Driven run(PlanFor(2));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(200, {Delta("half an ans")}));  // no [DONE]
  EXPECT_THAT(run.transfers.started, SizeIs(1));
  EXPECT_EQ(run.sink.text, "half an ans");
  EXPECT_THAT(run.sink.status.message(), HasSubstr("ended the stream before the answer"));
}

TEST(AttemptLoop, AWholeReplyThatIsNotJsonFails) {
  Driven run(PlanFor(0, /*stream=*/false));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(200, {"<html>gateway</html>"}));
  EXPECT_EQ(run.sink.done_calls, 1);
  EXPECT_FALSE(run.sink.status.ok());
  EXPECT_EQ(run.sink.text, "");
}

TEST(AttemptLoop, AKeyTheProviderEchoesNeverReachesTheSink) {
  Driven run(PlanFor(0));
  run.loop.Start();
  const std::string key = kRouterKey;  // the fallback's key counts too
  ASSERT_TRUE(run.transfers.Respond(
      200, {Delta("your key is " + key.substr(0, 10)), Delta(key.substr(10) + "!"), kDone}));
  EXPECT_EQ(run.sink.text, "your key is [key redacted]!");
}

TEST(AttemptLoop, AnErrorBodyEchoingTheKeyIsScrubbed) {
  Driven run(PlanFor(0));
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(
      400, {std::string(R"({"error":{"message":"bad key )") + kOpenAiKey + R"("}})"}));
  EXPECT_THAT(std::string(run.sink.status.message()), testing::Not(HasSubstr(kOpenAiKey)));
}

TEST(AttemptLoop, RecordsTheRunOnceWithEveryAttempt) {
  Driven run(PlanFor(0));
  std::vector<history::RunRecord> records;
  history::RunRecord before;
  before.prompt = "p";
  before.client = "test";
  run.loop.RecordTo(
      [&](history::RunRecord r, std::unique_ptr<history::AnswerSpool>) {
        records.push_back(std::move(r));
      },
      before, ::testing::TempDir());
  run.loop.Start();
  ASSERT_TRUE(run.transfers.Respond(503, {}));
  ASSERT_TRUE(run.transfers.Respond(200, {Delta("fine"), kDone}));
  ASSERT_THAT(records, SizeIs(1));
  const history::RunRecord& r = records[0];
  EXPECT_EQ(r.outcome, "ok");
  EXPECT_EQ(r.prompt, "p");
  EXPECT_EQ(r.client, "test");
  EXPECT_EQ(r.provider, "openrouter");
  EXPECT_FALSE(r.prompt_tokens.has_value());  // not reported: unknown, not 0
  Json attempts = Json::parse(r.attempts_json);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0]["provider"], "openai");
  EXPECT_EQ(attempts[0]["http_status"], 503);
  EXPECT_EQ(attempts[1]["provider"], "openrouter");
}

TEST(AttemptLoop, ACancelledRunIsRecordedAsCancelled) {
  Driven run(PlanFor(2));
  std::vector<history::RunRecord> records;
  run.loop.RecordTo(
      [&](history::RunRecord r, std::unique_ptr<history::AnswerSpool>) {
        records.push_back(std::move(r));
      },
      {}, ::testing::TempDir());
  run.loop.Start();
  run.loop.Cancel();
  run.transfers.End(absl::CancelledError("cancelled"));
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_EQ(records[0].outcome, "cancelled");
}

TEST(AttemptLoop, ASinkThatThrowsFailsTheRunInsteadOfEscaping) {
  class Throwing : public RecordingSink {
   public:
    void Notice(std::string) override { throw std::runtime_error("sink broke"); }
  };
  FakeTransfers transfers;
  Throwing sink;
  AttemptLoop loop(&transfers, &sink, PlanFor(2));
  loop.Start();
  http::ResponseHead head;
  head.status = 503;
  transfers.Last().handler->OnHeaders(head);
  transfers.End(absl::OkStatus());  // the retry's notice throws
  EXPECT_EQ(sink.done_calls, 1);
  EXPECT_EQ(sink.status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(sink.status.message(), HasSubstr("sink broke"));
}

}  // namespace
}  // namespace aix::runs
