#include "daemon/mcp/jsonrpc.h"

#include <string>

#include <gtest/gtest.h>

namespace aix::mcp {
namespace {

TEST(JsonRpc, RequestsNotificationsAndResponsesAreTold) {
  ParseResult r = Parse(R"({"jsonrpc":"2.0","id":"a-1","method":"prompts/list","params":{"cursor":"x"}})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.kind, Message::kRequest);
  EXPECT_EQ(r.message.id, "a-1");
  EXPECT_EQ(r.message.params["cursor"], "x");

  r = Parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.kind, Message::kNotification);

  r = Parse(R"({"jsonrpc":"2.0","id":3,"result":{}})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.message.kind, Message::kResponse);
}

TEST(JsonRpc, IdsAreEchoedExactly) {
  for (const char* id : {"0", "-7", "1.5", "9007199254740993", "\"\"", "\"x y\""}) {
    ParseResult r = Parse(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    ASSERT_TRUE(r.ok) << id;
    EXPECT_EQ(Json::parse(Result(r.message.id, Json::object()))["id"], Json::parse(id)) << id;
  }
  // 1 and "1" are different requests.
  EXPECT_NE(IdKey(Json(1)), IdKey(Json("1")));
}

TEST(JsonRpc, UnusableIdsAreInvalidRequests) {
  for (const char* id : {"null", "true", "{}", "[1]"}) {
    ParseResult r = Parse(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    ASSERT_FALSE(r.ok) << id;
    EXPECT_EQ(r.error.code, kInvalidRequest) << id;
    EXPECT_TRUE(r.id.is_null()) << id;  // the error names no id it could not read
  }
}

TEST(JsonRpc, BadMessagesGetTheirCodeAndAMessage) {
  EXPECT_EQ(Parse("{not json").error.code, kParseError);
  EXPECT_EQ(Parse(std::string(1000, '[')).error.code, kParseError);
  ParseResult batch = Parse(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(batch.error.code, kInvalidRequest);
  EXPECT_NE(batch.error.message.find("batches"), std::string::npos);
  EXPECT_EQ(Parse(R"({"id":1,"method":"ping"})").error.code, kInvalidRequest);
  ParseResult params = Parse(R"({"jsonrpc":"2.0","id":4,"method":"ping","params":[1]})");
  EXPECT_EQ(params.error.code, kInvalidParams);
  EXPECT_EQ(params.id, 4);  // named, so the client can match it
  EXPECT_EQ(Parse("42").error.code, kInvalidRequest);
  EXPECT_EQ(Parse(R"({"jsonrpc":"2.0","id":1})").error.code, kInvalidRequest);
}

TEST(JsonRpc, AnOversizedMessageIsRefusedUnread) {
  std::string big = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" +
                    std::string(kMaxMessageBytes, 'a') + "\"}}";
  ParseResult r = Parse(big);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, kInvalidRequest);
  EXPECT_NE(r.error.message.find("4 MiB"), std::string::npos) << r.error.message;
}

TEST(JsonRpc, WhatWeSendIsOneLine) {
  std::string e = Error(Json(1), {kInvalidParams, "bad\nline", Json{{"k", "v\n"}}});
  EXPECT_EQ(e.find('\n'), std::string::npos);
  std::string n = Notification("notifications/message", Json{{"data", "a\nb\xff"}});
  EXPECT_EQ(n.find('\n'), std::string::npos);
  EXPECT_TRUE(Json::accept(n));
}

}  // namespace
}  // namespace aix::mcp
