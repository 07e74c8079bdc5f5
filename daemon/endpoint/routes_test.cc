#include "daemon/endpoint/routes.h"

#include "gtest/gtest.h"

namespace aix::endpoint {
namespace {

class Nothing final : public Exchange {
 public:
  using Exchange::Exchange;
  MHD_Result Continue(const char*, size_t*) override { return MHD_NO; }
};

Routes Two(int* made) {
  Routes routes;
  routes.Add("POST", "/v1/chat/completions", [made](const ExchangeStart& s) {
    *made = 1;
    return std::make_shared<Nothing>(s);
  });
  routes.Add("GET", "/v1/models", [made](const ExchangeStart& s) {
    *made = 2;
    return std::make_shared<Nothing>(s);
  });
  return routes;
}

TEST(RoutesTest, FindsTheRouteForMethodAndPath) {
  int made = 0;
  Routes routes = Two(&made);
  auto chat = routes.Find("POST", "/v1/chat/completions");
  ASSERT_TRUE(chat.ok());
  (**chat)(ExchangeStart{});
  EXPECT_EQ(made, 1);
  auto models = routes.Find("GET", "/v1/models");
  ASSERT_TRUE(models.ok());
  (**models)(ExchangeStart{});
  EXPECT_EQ(made, 2);
}

TEST(RoutesTest, AKnownPathWithAnotherMethodNamesTheRightOne) {
  int made = 0;
  auto r = Two(&made).Find("GET", "/v1/chat/completions");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "use POST for /v1/chat/completions");
}

TEST(RoutesTest, AnUnknownPathListsWhatIsServedAndEchoesLittle) {
  int made = 0;
  const std::string path = "/v2/" + std::string(5000, 'a');
  auto r = Two(&made).Find("GET", path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("POST /v1/chat/completions and GET /v1/models"),
            std::string::npos);
  EXPECT_LT(r.status().message().size(), 400u);
  EXPECT_EQ(made, 0);
}

TEST(RoutesTest, PathsMatchExactly) {
  int made = 0;
  Routes routes = Two(&made);
  EXPECT_FALSE(routes.Find("GET", "/v1/models/").ok());
  EXPECT_FALSE(routes.Find("GET", "/v1/model").ok());
  EXPECT_FALSE(routes.Find("get", "/v1/models").ok());
}

}  // namespace
}  // namespace aix::endpoint
