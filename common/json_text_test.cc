#include "common/json_text.h"

#include "gtest/gtest.h"

namespace aix {
namespace {

TEST(JsonTextTest, InvalidUtf8IsReplacedNotThrown) {
  nlohmann::json j = {{"text", std::string("ok \xff\xfe cut \xe2\x82")}};
  std::string out;
  ASSERT_NO_THROW(out = JsonText(j));
  EXPECT_EQ(out, "{\"text\":\"ok \xef\xbf\xbd\xef\xbf\xbd cut \xef\xbf\xbd\"}");
  // The text reads back as JSON.
  nlohmann::json back = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(back.is_discarded());
  EXPECT_EQ(back["text"], "ok \xef\xbf\xbd\xef\xbf\xbd cut \xef\xbf\xbd");
}

TEST(JsonTextTest, ValidTextIsUnchangedAndIndentWorks) {
  nlohmann::json j = {{"a", "h\xc3\xa9llo"}, {"n", 1}};
  EXPECT_EQ(JsonText(j), "{\"a\":\"h\xc3\xa9llo\",\"n\":1}");
  EXPECT_EQ(JsonText(j, 2), "{\n  \"a\": \"h\xc3\xa9llo\",\n  \"n\": 1\n}");
}

}  // namespace
}  // namespace aix
