// Early-return helpers for absl::Status / absl::StatusOr, which our Abseil
// release (20220623) does not provide yet.
#ifndef AIX_COMMON_STATUS_MACROS_H_
#define AIX_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// AIX_RETURN_IF_ERROR(expr) returns the status of `expr` from the enclosing
// function when it is not OK.
#define AIX_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::absl::Status aix_status_ = (expr);           \
    if (!aix_status_.ok()) return aix_status_;     \
  } while (0)

#define AIX_STATUS_CONCAT_INNER_(a, b) a##b
#define AIX_STATUS_CONCAT_(a, b) AIX_STATUS_CONCAT_INNER_(a, b)

// AIX_ASSIGN_OR_RETURN(lhs, expr) evaluates `expr` (an absl::StatusOr<T>),
// returns its status when not OK, else moves the value into `lhs`, which may
// be a declaration (`auto x`).
#define AIX_ASSIGN_OR_RETURN(lhs, expr) \
  AIX_ASSIGN_OR_RETURN_IMPL_(AIX_STATUS_CONCAT_(aix_statusor_, __LINE__), lhs, expr)

#define AIX_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // AIX_COMMON_STATUS_MACROS_H_
