#include "common/exit_codes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

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
  EXPECT_EQ(ExitCodeFor(absl::UnauthenticatedError("x")), 7);
  EXPECT_EQ(ExitCodeFor(absl::ResourceExhaustedError("x")), 8);
  EXPECT_EQ(ExitCodeFor(absl::AbortedError("x")), 9);
}

TEST(ExitCodeFor, DistinctClassesGetDistinctCodes) {
  std::set<int> codes = {
      ExitCodeFor(absl::InvalidArgumentError("")),
      ExitCodeFor(absl::UnavailableError("")),
      ExitCodeFor(absl::NotFoundError("")),
      ExitCodeFor(absl::PermissionDeniedError("")),
      ExitCodeFor(absl::FailedPreconditionError("")),
      ExitCodeFor(absl::InternalError("")),
      ExitCodeFor(absl::UnauthenticatedError("")),
      ExitCodeFor(absl::ResourceExhaustedError("")),
      ExitCodeFor(absl::AbortedError("")),
  };
  EXPECT_EQ(codes.size(), 9u);
}

TEST(ExitCodeHelp, NamesEveryCode) {
  const std::string help = ExitCodeHelp();
  for (int code : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 130}) {
    EXPECT_NE(help.find(" " + std::to_string(code) + " "), std::string::npos) << code;
  }
}

}  // namespace
}  // namespace aix
