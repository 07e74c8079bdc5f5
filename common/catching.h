// Catching: code that must let no exception escape (a gRPC handler, a
// transfer's callback) runs its body through it. An exception (a JSON
// library's type error on a file a user edited, say) becomes an Internal
// error that says what happened.
#ifndef AIX_COMMON_CATCHING_H_
#define AIX_COMMON_CATCHING_H_

#include <exception>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace aix {

// Catching runs `body` (returning absl::Status); an exception becomes an
// Internal error that names it.
template <typename Body>
absl::Status Catching(Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(
        "aixd could not handle this request: ", e.what(),
        ". If a file you edited by hand is involved, check it; otherwise please report this"));
  } catch (...) {
    return absl::InternalError("aixd could not handle this request; please report this");
  }
}

}  // namespace aix

#endif  // AIX_COMMON_CATCHING_H_
