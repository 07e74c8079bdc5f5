// The one conversion between absl::Status (used across every module) and
// grpc::Status (used on the wire). Both sides use the same canonical codes.
#ifndef AIX_COMMON_GRPC_STATUS_H_
#define AIX_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace aix {

// ToGrpcStatus converts for a server handler's return value.
grpc::Status ToGrpcStatus(const absl::Status& status);

// FromGrpcStatus converts a client call's result.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace aix

#endif  // AIX_COMMON_GRPC_STATUS_H_
