#include "daemon/endpoint/request_body.h"

#include <string>

#include "gtest/gtest.h"

namespace aix::endpoint {
namespace {

TEST(RequestBodyTest, CollectsPiecesAndGivesTheBudgetBack) {
  BodyBudget budget;
  {
    RequestBody body(&budget);
    body.Append("{\"a\":", 5);
    body.Append("1}", 2);
    EXPECT_EQ(body.text(), "{\"a\":1}");
    EXPECT_FALSE(body.too_large());
    EXPECT_FALSE(body.over_budget());
    // Almost all of the budget is still free while this body is held.
    EXPECT_FALSE(budget.Take(BodyBudget::kMaxBuffered));
    EXPECT_TRUE(budget.Take(BodyBudget::kMaxBuffered - 7));
    budget.Give(BodyBudget::kMaxBuffered - 7);
  }
  // The body is gone: the whole budget is free again.
  EXPECT_TRUE(budget.Take(BodyBudget::kMaxBuffered));
}

TEST(RequestBodyTest, ABodyOverItsBoundIsReportedAndDropped) {
  BodyBudget budget;
  RequestBody body(&budget);
  const std::string piece(1 << 20, 'x');
  for (int i = 0; i < 17; ++i) body.Append(piece.data(), piece.size());
  EXPECT_TRUE(body.too_large());
  EXPECT_TRUE(body.text().empty());
  EXPECT_TRUE(budget.Take(BodyBudget::kMaxBuffered));  // nothing held
}

TEST(RequestBodyTest, BodiesTogetherOverTheBudgetAreRefused) {
  BodyBudget budget;
  ASSERT_TRUE(budget.Take(BodyBudget::kMaxBuffered - 10));
  RequestBody body(&budget);
  body.Append("0123456789", 10);
  EXPECT_FALSE(body.over_budget());
  body.Append("x", 1);
  EXPECT_TRUE(body.over_budget());
  EXPECT_TRUE(body.text().empty());
  budget.Give(BodyBudget::kMaxBuffered - 10);
  EXPECT_TRUE(budget.Take(BodyBudget::kMaxBuffered));  // the refused body gave its share back
}

}  // namespace
}  // namespace aix::endpoint
