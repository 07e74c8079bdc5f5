#include "common/grpc_status.h"

#include <gtest/gtest.h>

namespace aix {
namespace {

TEST(GrpcStatus, RoundTripsCodeAndMessage) {
  absl::Status in = absl::PermissionDeniedError("peer uid 1000 is not 0");
  grpc::Status wire = ToGrpcStatus(in);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(wire.error_message(), "peer uid 1000 is not 0");
  EXPECT_EQ(FromGrpcStatus(wire), in);
}

TEST(GrpcStatus, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace aix
