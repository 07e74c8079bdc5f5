#include "daemon/web/gate.h"

#include <gtest/gtest.h>

namespace aix::web {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1796256000);

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto code = sign_in_.NewCode(kNow);
    ASSERT_TRUE(code.ok());
    auto session = sign_in_.Redeem(*code, kNow);
    ASSERT_TRUE(session.ok());
    cookie_ = std::string("theme=dark; ") + kSessionCookie + "=" + *session;
  }

  absl::StatusCode Code(WebRequest r) { return Admit(r, &sign_in_, kNow).code(); }

  SignIn sign_in_;
  std::string cookie_;
};

TEST_F(GateTest, ASignedInBrowserOnALoopbackHostPasses) {
  EXPECT_EQ(Code({"GET", "/ui/", "127.0.0.1:8791", "", cookie_}), absl::StatusCode::kOk);
  EXPECT_EQ(Code({"POST", "/ui/api/ListPrompts", "127.0.0.1:8791", "http://127.0.0.1:8791", cookie_}),
            absl::StatusCode::kOk);
  EXPECT_EQ(Code({"GET", "/ui/", "localhost:8791", "", cookie_}), absl::StatusCode::kOk);
}

TEST_F(GateTest, WithoutASessionOnlyTheSignInLinkAndAssetsPass) {
  EXPECT_EQ(Code({"GET", "/ui/", "127.0.0.1:8791", "", ""}), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Code({"GET", "/ui/", "127.0.0.1:8791", "", "aix_session=forged"}),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Code({"GET", "/ui/signin", "127.0.0.1:8791", "", ""}), absl::StatusCode::kOk);
  EXPECT_EQ(Code({"GET", "/ui/assets/app.css", "127.0.0.1:8791", "", ""}), absl::StatusCode::kOk);
  WebRequest program{"POST", "/ui/api/ListPrompts", "127.0.0.1:8791", "http://127.0.0.1:8791", ""};
  program.token_ok = true;
  EXPECT_EQ(Code(program), absl::StatusCode::kOk) << "the bearer token still works";
  absl::Status s = Admit({"GET", "/ui/", "127.0.0.1:8791", "", ""}, &sign_in_, kNow);
  EXPECT_NE(s.message().find("aix ui"), std::string::npos) << s;
}

TEST_F(GateTest, AForeignHostIsRefusedEvenWithASession) {
  EXPECT_EQ(Code({"GET", "/ui/", "evil.example:8791", "", cookie_}),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Code({"GET", "/ui/signin", "", "", ""}), absl::StatusCode::kPermissionDenied);
  WebRequest program{"GET", "/ui/", "rebind.example", "", ""};
  program.token_ok = true;
  EXPECT_EQ(Code(program), absl::StatusCode::kPermissionDenied);
}

TEST_F(GateTest, ChangesNeedTheirOwnOrigin) {
  EXPECT_EQ(Code({"POST", "/ui/api/DeletePrompt", "127.0.0.1:8791", "", cookie_}),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Code({"POST", "/ui/api/DeletePrompt", "127.0.0.1:8791", "https://evil.example", cookie_}),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Code({"POST", "/ui/api/DeletePrompt", "127.0.0.1:8791", "http://127.0.0.1:9999", cookie_}),
            absl::StatusCode::kPermissionDenied)
      << "another loopback port is another origin";
  EXPECT_EQ(Code({"POST", "/ui/api/DeletePrompt", "127.0.0.1:8791", "null", cookie_}),
            absl::StatusCode::kPermissionDenied);
}

TEST(CookieValueTest, FindsTheNamedCookieOnly) {
  EXPECT_EQ(CookieValue("a=1; aix_session=xyz; b=2", "aix_session"), "xyz");
  EXPECT_EQ(CookieValue("aix_session_old=1", "aix_session"), "");
  EXPECT_EQ(CookieValue("", "aix_session"), "");
}

}  // namespace
}  // namespace aix::web
