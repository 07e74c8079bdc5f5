#include "common/attempts_json.h"

#include <gtest/gtest.h>

#include <string>

namespace aix {
namespace {

TEST(AttemptsJson, RoundTrips) {
  Attempts in;
  v1::Attempt* a = in.Add();
  a->set_provider("openai");
  a->set_model("gpt-3.5-turbo");
  a->set_http_status(503);
  a->set_error("HTTP 503");
  a->set_waited_ms(0);
  v1::Attempt* b = in.Add();
  b->set_provider("custom:local");
  b->set_model("tiny");
  b->set_waited_ms(1500);
  Attempts out = AttemptsFromText(AttemptsText(in));
  ASSERT_EQ(out.size(), 2);
  EXPECT_EQ(out[0].SerializeAsString(), in[0].SerializeAsString());
  EXPECT_EQ(out[1].SerializeAsString(), in[1].SerializeAsString());
}

TEST(AttemptsJson, InvalidUtf8IsReplacedNotThrown) {
  Attempts in;
  in.Add()->set_error(std::string("bad \xff byte"));
  std::string text = AttemptsText(in);
  EXPECT_NE(text.find("bad "), std::string::npos);
  EXPECT_EQ(text.find('\xff'), std::string::npos);
}

TEST(AttemptsJson, HandEditedTextIsReadAsFarAsItMakesSense) {
  EXPECT_EQ(AttemptsFromText("").size(), 0);
  EXPECT_EQ(AttemptsFromText("{\"provider\":\"x\"}").size(), 0);  // not an array
  EXPECT_EQ(AttemptsFromText(std::string(100000, '[')).size(), 0);  // too deep to parse
  Attempts out = AttemptsFromText(
      R"([1, {"provider": 7, "model": "m", "http_status": "429", "waited_ms": 2.5}])");
  ASSERT_EQ(out.size(), 1);
  EXPECT_EQ(out[0].provider(), "");
  EXPECT_EQ(out[0].model(), "m");
  EXPECT_EQ(out[0].http_status(), 0);
  EXPECT_EQ(out[0].waited_ms(), 0);
}

}  // namespace
}  // namespace aix
