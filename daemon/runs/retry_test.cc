#include "daemon/runs/retry.h"

#include <gtest/gtest.h>

namespace aix::runs {
namespace {

Failure Http(int status) {
  Failure f;
  f.http_status = status;
  return f;
}

Failure Transport(absl::Status s, bool body_started = false) {
  Failure f;
  f.transport = std::move(s);
  f.body_started = body_started;
  return f;
}

TEST(Retryable, TransientHttpStatuses) {
  for (int s : {408, 409, 429, 500, 502, 503, 529}) EXPECT_TRUE(Retryable(Http(s))) << s;
  for (int s : {400, 401, 403, 404, 422}) EXPECT_FALSE(Retryable(Http(s))) << s;
}

TEST(Retryable, TransportFailures) {
  EXPECT_TRUE(Retryable(Transport(absl::UnavailableError("refused"))));
  EXPECT_TRUE(Retryable(Transport(absl::DeadlineExceededError("first byte"))));
  EXPECT_FALSE(Retryable(Transport(absl::DeadlineExceededError("idle"), /*body_started=*/true)));
  EXPECT_FALSE(Retryable(Transport(absl::CancelledError("user"))));
  EXPECT_FALSE(Retryable(Transport(absl::ResourceExhaustedError("too big"))));
}

TEST(FallsBack, OnlyWhenTheProviderIsAtFault) {
  EXPECT_TRUE(FallsBack(Http(429)));
  EXPECT_TRUE(FallsBack(Http(503)));
  EXPECT_TRUE(FallsBack(Http(402)));
  EXPECT_FALSE(Retryable(Http(402)));
  EXPECT_TRUE(FallsBack(Transport(absl::UnavailableError("refused"))));
  EXPECT_TRUE(FallsBack(Transport(absl::DeadlineExceededError("idle"), true)));
  EXPECT_FALSE(FallsBack(Http(401)));
  EXPECT_FALSE(FallsBack(Http(400)));
  EXPECT_FALSE(FallsBack(Http(404)));
  EXPECT_FALSE(FallsBack(Transport(absl::CancelledError("user"))));
}

TEST(Backoff, HonoursRetryAfterElseExponentialWithJitter) {
  EXPECT_EQ(Backoff(0, 1000, 0.5), absl::Seconds(1));
  EXPECT_EQ(Backoff(3, 2500, 0.0), absl::Milliseconds(2500));
  EXPECT_EQ(Backoff(0, -1, 0.0), absl::Milliseconds(500));
  EXPECT_EQ(Backoff(1, -1, 0.0), absl::Seconds(1));
  EXPECT_EQ(Backoff(10, -1, 0.0), absl::Seconds(8));  // capped
  absl::Duration jittered = Backoff(1, 0, 0.999);
  EXPECT_GT(jittered, absl::Milliseconds(749));
  EXPECT_LE(jittered, absl::Seconds(1));
}

}  // namespace
}  // namespace aix::runs
