#include "daemon/web/sign_in.h"

#include <set>

#include <gtest/gtest.h>

namespace aix::web {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1796256000);

TEST(SignInTest, ACodeWorksOnceForASessionThatStaysAliveWhileUsed) {
  SignIn s;
  auto code = s.NewCode(kT0);
  ASSERT_TRUE(code.ok());
  EXPECT_GE(code->size(), 40u);
  auto session = s.Redeem(*code, kT0 + absl::Seconds(5));
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_NE(*session, *code);
  auto again = s.Redeem(*code, kT0 + absl::Seconds(6));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(again.status().message().find("aix ui"), std::string::npos) << "names the fix";
  EXPECT_TRUE(s.Valid(*session, kT0 + absl::Hours(11)));
  EXPECT_TRUE(s.Valid(*session, kT0 + absl::Hours(22))) << "each request keeps it alive";
  EXPECT_FALSE(s.Valid(*session, kT0 + absl::Hours(35))) << "12 hours idle ends it";
  EXPECT_FALSE(s.Valid("", kT0));
  EXPECT_FALSE(s.Valid(*code, kT0)) << "a code is not a session";
}

TEST(SignInTest, ACodeExpiresAfterAMinute) {
  SignIn s;
  auto code = s.NewCode(kT0);
  ASSERT_TRUE(code.ok());
  EXPECT_FALSE(s.Redeem(*code, kT0 + SignIn::kCodeLife).ok());
  auto fresh = s.NewCode(kT0);
  EXPECT_TRUE(s.Redeem(*fresh, kT0 + SignIn::kCodeLife - absl::Seconds(1)).ok());
}

TEST(SignInTest, EndSignsOutAndTheMapsStayBounded) {
  SignIn s;
  std::set<std::string> sessions;
  for (size_t i = 0; i < SignIn::kMaxSessions + 5; ++i) {
    auto code = s.NewCode(kT0 + absl::Seconds(i));
    ASSERT_TRUE(code.ok());
    auto session = s.Redeem(*code, kT0 + absl::Seconds(i));
    ASSERT_TRUE(session.ok());
    sessions.insert(*session);
  }
  EXPECT_EQ(sessions.size(), SignIn::kMaxSessions + 5) << "every id is new";
  int valid = 0;
  for (const std::string& id : sessions) valid += s.Valid(id, kT0 + absl::Minutes(1));
  EXPECT_EQ(valid, static_cast<int>(SignIn::kMaxSessions));
  auto code = s.NewCode(kT0);
  auto session = s.Redeem(*code, kT0);
  ASSERT_TRUE(session.ok());
  s.End(*session);
  EXPECT_FALSE(s.Valid(*session, kT0));
  // Codes asked for and never used do not pile up either.
  std::string first;
  for (size_t i = 0; i <= SignIn::kMaxCodes; ++i) {
    auto c = s.NewCode(kT0 + absl::Milliseconds(i));
    if (i == 0) first = *c;
  }
  EXPECT_FALSE(s.Redeem(first, kT0 + absl::Seconds(1)).ok()) << "the oldest made room";
}

}  // namespace
}  // namespace aix::web
