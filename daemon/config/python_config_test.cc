#include "daemon/config/python_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/config/settings.h"

namespace aix::config {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(LooksLikePythonConfig, OnlyWhatThePythonToolWrites) {
  EXPECT_FALSE(LooksLikePythonConfig(DefaultDocument("/tmp/s")));
  EXPECT_TRUE(LooksLikePythonConfig(Json{{"max_tokens", "2048"}}));
  EXPECT_FALSE(LooksLikePythonConfig(Json{{"temperature", "hot"}})) << "a hand edit";
  EXPECT_TRUE(LooksLikePythonConfig(Json{{"auto_upgrade", false}}));
  EXPECT_TRUE(LooksLikePythonConfig(
      Json{{"custom_providers", {{"openai", {{"api_key", "test-key-x"}}}}}}));
  EXPECT_TRUE(LooksLikePythonConfig(
      Json{{"custom_providers", {{"gw", {{"base_url", "http://x"}, {"default_model", nullptr}}}}}}));
  EXPECT_FALSE(LooksLikePythonConfig(
      Json{{"custom_providers", {{"gw", {{"base_url", "http://127.0.0.1:1/v1"}}}}}}));
}

TEST(MigratePythonConfig, TheResultValidatesAndTheReportSaysWhatChanged) {
  Json py = {
      {"max_tokens", "2048"},
      {"commands_enabled", "false"},
      {"temperature", "warm"},
      {"max_retries", "test-key-pasted-into-the-wrong-field-0123"},
      {"custom_providers",
       {{"anthropic", {{"base_url", ""}, {"api_key", "test-key-an-1"}}},
        {"local", {{"base_url", "http://127.0.0.1:8080/v1"}, {"default_model", nullptr},
                   {"headers", Json::object()}, {"auth_type", "none"}}},
        {"bad url", {{"base_url", "not a url"}, {"api_key", "test-key-bad-2"}}},
        {"typed", {{"base_url", 7}, {"auth_type", false}}}}},
  };
  std::vector<std::string> report;
  Json ours = MigratePythonConfig(py, &report);
  std::string key;
  EXPECT_TRUE(ValidateDocument(ours, &key).ok()) << key << " " << ours.dump();
  EXPECT_EQ(ours["max_tokens"], 2048);
  EXPECT_EQ(ours["commands_enabled"], false);
  EXPECT_FALSE(ours.contains("temperature"));
  EXPECT_EQ(ours["api_keys"]["anthropic"], "test-key-an-1");
  EXPECT_EQ(ours["custom_providers"]["local"]["auth_type"], "none");
  EXPECT_FALSE(ours["custom_providers"].contains("bad url"));
  EXPECT_THAT(report, Contains(HasSubstr("temperature: the text value (4 characters) is not a valid temperature")));
  // A value that does not parse is never repeated: it may be a key.
  EXPECT_THAT(report, Contains(HasSubstr("max_retries: the text value")));
  for (const std::string& line : report) EXPECT_THAT(line, Not(HasSubstr("pasted-into")));
  EXPECT_FALSE(ours["custom_providers"].contains("typed"));
  EXPECT_THAT(report, Contains(HasSubstr("custom provider bad url was not moved")));
}

}  // namespace
}  // namespace aix::config
