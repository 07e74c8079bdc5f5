#include "common/listen_address.h"

#include <gtest/gtest.h>

namespace aix {
namespace {

TEST(ListenAddress, AcceptsLoopbackLiterals) {
  auto a = ParseListenAddress("127.0.0.1:8791");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8791);
  EXPECT_EQ(a->Url(), "http://127.0.0.1:8791/v1");
  auto b = ParseListenAddress("[::1]:9000");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->Url(), "http://[::1]:9000/v1");
  auto c = ParseListenAddress("localhost:1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_TRUE(ParseListenAddress("127.1.2.3:80").ok());
}

TEST(ListenAddress, RefusesEverythingElseNamingTheFix) {
  for (const char* bad : {"0.0.0.0:8791", "192.168.1.2:8791", "[::]:8791", "example.com:80",
                          "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x",
                          "::1:80", "[::1]80", "", ":80", "127.0.0.1:+80"}) {
    auto a = ParseListenAddress(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_NE(a.status().message().find("127.0.0.1:PORT"), std::string::npos) << a.status();
  }
  EXPECT_NE(ParseListenAddress("0.0.0.0:1").status().message().find("not a loopback"),
            std::string::npos);
}

}  // namespace
}  // namespace aix
