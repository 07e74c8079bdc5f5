#include "daemon/endpoint/mcp_http.h"

#include <gtest/gtest.h>

namespace aix::endpoint {
namespace {

TEST(McpHttp, OnlyLoopbackHostsAndOriginsAreThisMachine) {
  for (const char* h : {"localhost", "localhost:8080", "127.0.0.1:1", "[::1]:65535", "[::1]"}) {
    EXPECT_TRUE(LoopbackHost(h)) << h;
  }
  for (const char* h : {"", "evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "localhost:",
                        "localhost:99999", "localhost:80x", "127.0.0.2", "[::2]", "0.0.0.0"}) {
    EXPECT_FALSE(LoopbackHost(h)) << h;
  }
  EXPECT_TRUE(LoopbackOrigin("http://localhost:3000"));
  EXPECT_TRUE(LoopbackOrigin("https://127.0.0.1"));
  for (const char* o : {"null", "https://evil.example", "http://localhost.evil.example", "file://",
                        "localhost", "http://127.0.0.1@evil.example"}) {
    EXPECT_FALSE(LoopbackOrigin(o)) << o;
  }
}

TEST(McpHttp, AcceptMustTakeBothAnswers) {
  EXPECT_TRUE(AcceptsMcp("application/json, text/event-stream"));
  EXPECT_TRUE(AcceptsMcp("text/event-stream;q=0.9,application/json"));
  EXPECT_TRUE(AcceptsMcp("*/*"));
  EXPECT_FALSE(AcceptsMcp("application/json"));
  EXPECT_FALSE(AcceptsMcp("text/event-stream"));
  EXPECT_FALSE(AcceptsMcp(""));
}

}  // namespace
}  // namespace aix::endpoint
