// A provider that echoes the keys it was sent (in an error body, a
// listing's error, or the answer itself, whole or split across events):
// no text of its leaves aixd with a key in it, on the terminal, in the run
// history (its API and the file on disk), on the HTTP endpoint or in the log.
#include <chrono>
#include <string>
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

constexpr char kStored[] = "test-key-stored-echo-0123456789abcdef";
constexpr char kShell[] = "test-key-shell-echo-fedcba9876543210";

class EchoedKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"config", "--set", "openai_base_url", fake_.base() + "/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"api-key", "openrouter"}, kStored).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "p", "Hi"}).exit_code, 0);
  }

  // ExpectNoKey fails when any 12-byte piece of either key is in `text`.
  static void ExpectNoKey(const std::string& text, const std::string& where) {
    for (const std::string key : {kStored, kShell}) {
      for (size_t i = 0; i + 12 <= key.size(); ++i) {
        ASSERT_EQ(text.find(key.substr(i, 12)), std::string::npos)
            << where << " holds a piece of " << key << ":\n" << text;
      }
    }
  }

  Result RunWithShellKey(const std::vector<std::string>& args) {
    auto env = box_.env;
    env["OPENAI_API_KEY"] = kShell;
    return RunProcess(args, env);
  }

  Sandbox box_;
  FakeProvider fake_{box_.dir};
};

TEST_F(EchoedKeysTest, NoKeyLeavesAixdWhateverTheProviderEchoes) {
  // 1. A 401 whose body repeats the Authorization header (stored key).
  fake_.Script({{{"status", 401}, {"error", "Invalid credentials: {auth}"}}});
  Result r = box_.Aix({"run", "p"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Invalid credentials: Bearer [key redacted]"));
  ExpectNoKey(r.out + r.err, "aix run (401)");
  ASSERT_THAT(fake_.Requests().back()["headers"]["authorization"].get<std::string>(), HasSubstr(kStored))
      << "the key did reach the provider";

  // 2. A 500 echoing the key from the caller's environment, not JSON, cut
  // short: the excerpt ends inside the key.
  fake_.Script({{{"status", 500}, {"body", std::string(280, '.') + " {key} and more"}}});
  r = RunWithShellKey({AixPath(), "run", "p", "--provider", "openai", "--max-retries", "0"});
  EXPECT_EQ(r.exit_code, 9) << r.err;
  ExpectNoKey(r.out + r.err, "aix run (500)");
  EXPECT_THAT(r.err, HasSubstr("[key redacted]"));

  // 3. Retries: each attempt's notice and error.
  fake_.Script({{{"status", 503}, {"error", "overloaded for {key}"}},
                {{"status", 503}, {"error", "still overloaded for {key}"}}});
  r = box_.Aix({"run", "p", "--max-retries", "1", "--verbose"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("(2 attempts"));
  EXPECT_THAT(r.err, HasSubstr("retrying"));
  ExpectNoKey(r.out + r.err, "aix run (retries)");

  // 4. The answer itself, the key split across two events, then whole in a
  // third; the rest of the text arrives unchanged.
  fake_.Script({{{"chunks", {"Your key is ", "{key:0:9}", "{key:9:}", " and again {key}", "."}}}});
  r = box_.Aix({"run", "p"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Your key is [key redacted] and again [key redacted].");
  // A stream that ends inside a key.
  fake_.Script({{{"chunks", {"tail: ", "{key:0:20}"}}}});
  r = box_.Aix({"run", "p"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "tail: [key redacted]");
  // Not streamed.
  fake_.Script({{{"chunks", {"whole {key}"}}}});
  r = box_.Aix({"run", "p", "--no-stream"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "whole [key redacted]");

  // 5. A models listing refused with the key in it.
  fake_.Script({{{"status", 401}, {"body", "{\"error\": {\"message\": \"bad key {key}\"}}"}}});
  r = box_.Aix({"models", "--provider", "openrouter"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("bad key [key redacted]"));
  ExpectNoKey(r.out + r.err, "aix models");

  // 6. The HTTP endpoint's client.
  fake_.Script({{{"status", 401}, {"error", "no such key {key}"}}});
  Result curl = RunProcess({"/usr/bin/curl", "-sS", "--unix-socket", box_.dir + "/run/http.sock",
                            "-H", "Content-Type: application/json", "--data-binary",
                            R"({"model": "m", "messages": [{"role": "user", "content": "hi"}]})",
                            "http://localhost/v1/chat/completions"},
                           box_.env);
  EXPECT_THAT(curl.out, HasSubstr("no such key [key redacted]"));
  ExpectNoKey(curl.out + curl.err, "the endpoint's answer");

  // 7. The history: what its API returns, and the database files.
  Result list = box_.Aix({"history", "--runs", "--json", "--limit", "50"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  ExpectNoKey(list.out, "aix history --json");
  Json runs = Json::parse(list.out, nullptr, false).value("runs", Json::array());
  ASSERT_GE(runs.size(), 7u) << list.out;
  for (const Json& run : runs) {
    const std::string id = run["id"].is_string() ? run["id"].get<std::string>() : run["id"].dump();
    Result show = box_.Aix({"history", "show", id, "--run", "--json"});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    ExpectNoKey(show.out + show.err, "aix history show");
  }
  Result search = box_.Aix({"history", "search", "redacted"});
  ExpectNoKey(search.out + search.err, "aix history search");
  EXPECT_THAT(search.out, HasSubstr("redacted"));
  ASSERT_EQ(box_.Aix({"daemon", "stop"}).exit_code, 0);
  for (const char* file : {"/history.db", "/history.db-wal"}) {
    ExpectNoKey(Sandbox::ReadFile(box_.storage + file), file);
  }
  // 8. The daemon's log.
  ExpectNoKey(Sandbox::ReadFile(box_.AutoStartLog()), "aixd's log");
}

}  // namespace
}  // namespace aix::testing
