// aixd against a provider that misbehaves: wrong types and nulls, floods,
// compression bombs, stalls, rate limits and outages (tests/fakes, which
// does not set TCP_NODELAY). The daemon must never die of one bad reply,
// must bound its memory and its waits, and must retry and fall back as
// documented.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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

constexpr char kKey[] = "test-key-hostile-77";

// Sanitizer allocators keep freed memory in quarantine by design, so a
// bound on RSS says nothing about our code there.
bool SanitizerRetainsMemory() {
  return std::getenv("ASAN_OPTIONS") != nullptr || std::getenv("TSAN_OPTIONS") != nullptr;
}

class HostileTest : public ::testing::Test {
 protected:
  HostileTest() : fake_(box_.dir) {}
  void SetUp() override {
    for (const char* p : {"openrouter", "openai"}) {
      std::string base = fake_.base() + (std::string(p) == "openrouter" ? "/api/v1" : "/v1");
      ASSERT_EQ(box_.Aix({"config", "--set", std::string(p) + "_base_url", base}).exit_code, 0);
      ASSERT_EQ(box_.Aix({"api-key", p}, kKey).exit_code, 0);
    }
    ASSERT_EQ(box_.Aix({"config", "--set", "anthropic_base_url", fake_.base() + "/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "anthropic"}, kKey).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "greet", "Say hello to {who}."}).exit_code, 0);
    ASSERT_EQ(box_.Daemons().size(), 1u);
    daemon_ = box_.Daemons()[0];
  }
  Result Run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "greet", "-p", "who=x"};
    args.insert(args.end(), extra.begin(), extra.end());
    return box_.Aix(args);
  }
  void ExpectSameDaemon() {
    std::vector<pid_t> now = box_.Daemons();
    ASSERT_EQ(now.size(), 1u) << "aixd died";
    EXPECT_EQ(now[0], daemon_) << "aixd was restarted: it died";
  }

  Sandbox box_;
  FakeProvider fake_;
  pid_t daemon_ = 0;
};

TEST_F(HostileTest, WrongTypesAndNullsNeverKillTheDaemon) {
  fake_.Script(Json::parse(R"([
    {"body": "{\"choices\":[{\"message\":\"oops\"}]}"},
    {"body": "{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[]},\"finish_reason\":\"tool_calls\"}]}"},
    {"body": "{\"choices\":null,\"usage\":7}"},
    {"body": "[\"not\", \"an\", \"object\"]"},
    {"raw": "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":null}}\n\ndata: [DONE]\n\n"},
    {"raw": "data: {\"choices\":[{\"delta\":\"oops\"}]}\n\ndata: [DONE]\n\n"}
  ])"));
  Result message_string = Run({"--no-stream", "--max-retries", "0"});
  EXPECT_EQ(message_string.exit_code, 9);
  EXPECT_THAT(message_string.err, HasSubstr("no message object"));
  Result null_content = Run({"--no-stream", "--max-retries", "0"});
  EXPECT_EQ(null_content.exit_code, 0) << null_content.err;
  EXPECT_EQ(null_content.out, "");
  EXPECT_EQ(Run({"--no-stream", "--max-retries", "0"}).exit_code, 9);
  EXPECT_EQ(Run({"--no-stream", "--max-retries", "0"}).exit_code, 9);
  Result null_usage = Run({"--json", "--max-retries", "0"});
  ASSERT_EQ(null_usage.exit_code, 0) << null_usage.err;
  EXPECT_EQ(Json::parse(null_usage.out)["text"], "hi");
  EXPECT_EQ(Run({"--max-retries", "0"}).exit_code, 0);
  ExpectSameDaemon();
  EXPECT_EQ(Run().out, "Echo: Say hello to x.");
}

TEST_F(HostileTest, AnthropicWrongTypesNeverKillTheDaemon) {
  fake_.Script(Json::parse(R"([
    {"raw": "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":5}}\n\n"},
    {"raw": "event: message_start\ndata: {\"type\":\"message_start\",\"message\":\"oops\"}\n\n"},
    {"body": "{\"content\":\"hello\"}"}
  ])"));
  Result number = Run({"--provider", "anthropic", "--max-retries", "0"});
  EXPECT_EQ(number.exit_code, 9);
  EXPECT_THAT(number.err, HasSubstr("text is not a string"));
  Result message = Run({"--provider", "anthropic", "--max-retries", "0"});
  EXPECT_EQ(message.exit_code, 9);
  EXPECT_THAT(message.err, HasSubstr("message_start"));
  EXPECT_EQ(Run({"--provider", "anthropic", "--no-stream", "--max-retries", "0"}).exit_code, 9);
  ExpectSameDaemon();
}

TEST_F(HostileTest, ErrorBodiesReachTheTerminalWithoutEscapes) {
  fake_.Script(Json::parse(R"([{"status": 400, "error": "\u001b]0;owned\u0007bad \u001b[31mrequest"}])"));
  Result r = Run({"--max-retries", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad [31mrequest"));
  EXPECT_THAT(r.err, Not(HasSubstr("\x1b")));
  EXPECT_THAT(r.err, Not(HasSubstr("\x07")));
}

TEST_F(HostileTest, CompressionBombIsCappedForRunsAndModels) {
  fake_.Script(Json::parse(R"([{"gzip_mb": 200}, {"gzip_mb": 200}])"));
  Result run = Run({"--no-stream", "--max-retries", "0"});
  EXPECT_EQ(run.exit_code, 9);
  EXPECT_THAT(run.err, HasSubstr("larger than 8 MiB (after decompression)"));
  Result models = box_.Aix({"models"});
  EXPECT_EQ(models.exit_code, 9);
  EXPECT_THAT(models.err, HasSubstr("larger than 16 MiB"));
  ExpectSameDaemon();
  // A bomb expanded whole would take 200 MB per request; the caps hold it
  // to a fraction of that.
  if (!SanitizerRetainsMemory()) {
    EXPECT_LT(StatusKb(daemon_, "VmRSS"), 100 * 1024);
  }
}

TEST_F(HostileTest, StalledStreamFailsAfterIdleTimeoutKeepingTheText) {
  ASSERT_EQ(box_.Aix({"config", "--set", "idle_timeout", "1"}).exit_code, 0);
  fake_.Script(Json::parse(R"([{"chunks": ["Par", "tial"], "stall_after": 1, "stall_s": 30}])"));
  auto start = std::chrono::steady_clock::now();
  Result r = Run();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 9);
  EXPECT_EQ(r.out, "Par");
  EXPECT_THAT(r.err, HasSubstr("stalled: nothing arrived for idle_timeout (1 s)"));
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_EQ(fake_.Requests().size(), 1u) << "text had been sent: no retry";
}

TEST_F(HostileTest, NoAnswerFailsAfterFirstByteTimeoutThenRetries) {
  ASSERT_EQ(box_.Aix({"config", "--set", "first_byte_timeout", "1"}).exit_code, 0);
  fake_.Script(Json::parse(R"([{"chunks": ["late"], "stall_after": 0, "stall_s": 30},
                               {"chunks": ["on time"]}])"));
  Result r = Run({"--max-retries", "1", "--verbose"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "on time");
  EXPECT_THAT(r.err, HasSubstr("first_byte_timeout (1 s)"));
  EXPECT_THAT(r.err, HasSubstr("retrying in"));
}

TEST_F(HostileTest, RateLimitIsRetriedAfterRetryAfter) {
  fake_.Script(Json::parse(R"([{"status": 429, "error": "slow down", "headers": {"Retry-After": "1"}}])"));
  auto start = std::chrono::steady_clock::now();
  Result r = Run({"--json", "--verbose"});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["text"], "Echo: Say hello to x.");
  ASSERT_EQ(j["attempts"].size(), 2u);
  EXPECT_EQ(j["attempts"][0]["http_status"], 429);
  EXPECT_EQ(j["attempts"][1]["waited_ms"], 1000);
  EXPECT_THAT(r.err, HasSubstr("rate limited (HTTP 429); retrying in 1.0 s (retry 1 of 2)"));
  EXPECT_GE(took, std::chrono::milliseconds(1000));
}

TEST_F(HostileTest, ServerErrorsAreRetriedWithBackoffThenReported) {
  fake_.Script(Json::parse(R"([{"status": 503, "error": "a"}, {"status": 529, "error": "b"},
                               {"status": 500, "error": "c"}])"));
  Result r = Run();
  EXPECT_EQ(r.exit_code, 9);
  EXPECT_THAT(r.err, HasSubstr("HTTP 500: c"));
  EXPECT_THAT(r.err, HasSubstr("3 attempts"));
  EXPECT_EQ(fake_.Requests().size(), 3u);
}

TEST_F(HostileTest, WhatTheCallerMustFixIsNotRetried) {
  fake_.Script(Json::parse(R"([{"status": 401, "error": "bad key"}])"));
  EXPECT_EQ(Run({"--fallback", "openai"}).exit_code, 7);
  EXPECT_EQ(fake_.Requests().size(), 1u) << "a rejected key was retried or handed over";
}

TEST_F(HostileTest, ALongRetryAfterIsNotWaitedFor) {
  fake_.Script(Json::parse(R"([{"status": 429, "error": "quota", "headers": {"Retry-After": "3600"}}])"));
  auto start = std::chrono::steady_clock::now();
  Result r = Run();
  EXPECT_EQ(r.exit_code, 8);
  EXPECT_THAT(r.err, HasSubstr("retry in 3600 s"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(HostileTest, NothingIsRetriedOnceTextReachedTheClient) {
  fake_.Script(Json::parse(R"([{"chunks": ["a", "b", "c"], "reset_after": 1}])"));
  Result r = Run();
  EXPECT_EQ(r.exit_code, 9);
  EXPECT_EQ(r.out, "a");
  EXPECT_EQ(fake_.Requests().size(), 1u);
}

TEST_F(HostileTest, FallbackTakesOverAndIsReported) {
  fake_.Script(Json::parse(R"([{"status": 429, "error": "busy"}, {"status": 429, "error": "busy"},
                               {"status": 429, "error": "busy"}])"));
  Result r = Run({"--fallback", "openai/gpt-4o", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["provider"], "openai");
  EXPECT_EQ(j["model"], "gpt-4o");
  ASSERT_EQ(j["attempts"].size(), 4u);
  EXPECT_EQ(j["attempts"][0]["provider"], "openrouter");
  EXPECT_EQ(j["attempts"][3]["provider"], "openai");
  EXPECT_THAT(r.err, HasSubstr("answered by openai/gpt-4o after openrouter failed"));
  EXPECT_EQ(fake_.Requests().back()["path"], "/v1/chat/completions");
}

TEST_F(HostileTest, FallbackFromConfigAndFromThePrompt) {
  ASSERT_EQ(box_.Aix({"config", "--set", "fallback_providers", "anthropic"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"create", "fb", "Hi", "--fallback", "openai/gpt-4"}).exit_code, 0);
  fake_.Script(Json::parse(R"([{"status": 503}])"));
  Result from_config = box_.Aix({"run", "greet", "-p", "who=x", "--max-retries", "0", "--json"});
  ASSERT_EQ(from_config.exit_code, 0) << from_config.err;
  EXPECT_EQ(Json::parse(from_config.out)["provider"], "anthropic");
  fake_.Script(Json::parse(R"([{"status": 503}])"));
  Result from_prompt = box_.Aix({"run", "fb", "--max-retries", "0", "--json"});
  ASSERT_EQ(from_prompt.exit_code, 0) << from_prompt.err;
  EXPECT_EQ(Json::parse(from_prompt.out)["model"], "gpt-4");
  Result dry = box_.Aix({"run", "fb", "--dry-run"});
  EXPECT_THAT(dry.out, HasSubstr("fallback:    openai/gpt-4"));
}

TEST_F(HostileTest, ASlowReaderPausesTheProviderInsteadOfFillingMemory) {
  // 48 MB: under the 64 MiB cap on one reply.
  fake_.Script(Json::parse(R"([{"flood_mb": 48}])"));
  long before = StatusKb(daemon_, "VmRSS");
  // aix writes into a pipe nobody reads for a while: it blocks, stops
  // reading its stream, and the daemon must pause the provider.
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    std::vector<std::string> argv = {AixPath(), "run", "greet", "-p", "who=x"};
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> envs;
    for (auto& [k, v] : box_.env) envs.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  close(out[1]);
  long peak = 0;
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    peak = std::max(peak, StatusKb(daemon_, "VmRSS"));
  }
  // Now read everything: the transfer resumes and nothing is lost.
  size_t total = 0;
  char buf[1 << 16];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) total += static_cast<size_t>(n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(total, size_t{48} * 16 * 65536);
  if (!SanitizerRetainsMemory()) {
    EXPECT_LT(peak - before, 32 * 1024) << "daemon grew by " << (peak - before) << " kB while paused";
  }
}

TEST_F(HostileTest, AnEndlessStreamStopsAtTheReplyCap) {
  fake_.Script(Json::parse(R"([{"flood_mb": 80}])"));
  Result r = Run();
  EXPECT_EQ(r.exit_code, 9);
  EXPECT_THAT(r.err, HasSubstr("larger than 64 MiB"));
  EXPECT_LE(r.out.size(), size_t{64} << 20);
  ExpectSameDaemon();
}

TEST_F(HostileTest, ASlowAnswerDoesNotHoldBackTheNextRunToTheSameHost) {
  // On a cold daemon, over plain HTTP/1.1 (no multiplexing), a second run
  // must get its own connection instead of waiting for the first's headers.
  fake_.Script(Json::parse(R"([{"head_delay_ms": 3000, "chunks": ["slow"]}])"));
  pid_t slow = Spawn({AixPath(), "run", "greet", "-p", "who=slow"}, box_.env, "/dev/null", "/dev/null");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto start = std::chrono::steady_clock::now();
  Result fast = Run();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(fast.out, "Echo: Say hello to x.");
  EXPECT_LT(took, std::chrono::milliseconds(2000)) << "the second run waited for the first";
  box_.WaitExit(slow, 10);
}

TEST_F(HostileTest, CtrlCDuringARetryWaitCancelsIt) {
  fake_.Script(Json::parse(R"([{"status": 429, "error": "busy", "headers": {"Retry-After": "30"}}])"));
  pid_t run = Spawn({AixPath(), "run", "greet", "-p", "who=x"}, box_.env, "/dev/null",
                    box_.dir + "/run.err");
  for (int i = 0; i < 50 && fake_.Requests().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto start = std::chrono::steady_clock::now();
  kill(run, SIGINT);
  EXPECT_EQ(box_.WaitExit(run, 10), 130);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(fake_.Requests().size(), 1u) << "the retry was sent after Ctrl-C";
  ExpectSameDaemon();
}

TEST_F(HostileTest, CredentialsInAProviderUrlAreNeverShown) {
  std::string base = fake_.base();
  std::string with_auth = "http://gwuser:test-pass-9876@" + base.substr(7) + "/v1";
  ASSERT_EQ(box_.Aix({"provider", "add", "gw", with_auth, "--model", "m"}).exit_code, 0);
  ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", with_auth}).exit_code, 0);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"provider", "list"},
                                             {"provider", "info", "gw"},
                                             {"config", "--get", "openai_base_url"},
                                             {"config", "--list", "--json"},
                                             {"run", "greet", "-p", "who=x", "--provider", "gw", "--dry-run"}}) {
    Result r = box_.Aix(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out + r.err, Not(HasSubstr("test-pass-9876"))) << args[0] << " " << args[1];
  }
  EXPECT_THAT(box_.Aix({"provider", "info", "gw"}).out, HasSubstr("gwuser:****@"));
  // The credentials are still used.
  EXPECT_EQ(box_.Aix({"run", "greet", "-p", "who=u", "--provider", "gw"}).exit_code, 0);
  EXPECT_EQ(fake_.Requests().back()["headers"]["authorization"].get<std::string>().rfind("Basic ", 0), 0u);
}

TEST_F(HostileTest, AClosedStdoutCancelsTheRunUpstream) {
  fake_.Script(Json::parse(R"([{"chunks": ["Hello, ", "w", "o", "r", "l", "d"], "delay_ms": 300}])"));
  auto start = std::chrono::steady_clock::now();
  Result r = RunProcess({"/bin/sh", "-c", "'" + AixPath() + "' run greet -p who=x | head -c5"},
                        box_.env);
  EXPECT_EQ(r.out, "Hello");
  EXPECT_EQ(r.err, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  for (int i = 0; i < 50 && fake_.Abandoned() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(fake_.Abandoned(), 1) << "the provider kept streaming to nobody";
}

}  // namespace
}  // namespace aix::testing
