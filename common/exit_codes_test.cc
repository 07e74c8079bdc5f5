#include "common/exit_codes.h"

#include <gtest/gtest.h>

#include <set>

namespace aix {
namespace {

TEST(ExitCodeFor, MapsEachClassOfFailureToItsDocumentedCode) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("x")), 2);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), 3);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), 4);
  EXPECT_EQ(ExitCodeFor(absl::PermissionDeniedError("x")), 5);
  EXPECT_EQ(ExitCodeFor(absl::FailedPreconditionError("x")), 6);
  EXPECT_EQ(ExitCodeFor(absl::InternalError("x")), 1);
  EXPECT_EQ(ExitCodeFor(absl::CancelledError("x")), 130);
}

TEST(ExitCodeFor, DistinctClassesGetDistinctCodes) {
  std::set<int> codes = {
      ExitCodeFor(absl::InvalidArgumentError("")),
      ExitCodeFor(absl::UnavailableError("")),
      ExitCodeFor(absl::NotFoundError("")),
      ExitCodeFor(absl::PermissionDeniedError("")),
      ExitCodeFor(absl::FailedPreconditionError("")),
      ExitCodeFor(absl::InternalError("")),
  };
  EXPECT_EQ(codes.size(), 6u);
}

}  // namespace
}  // namespace aix
