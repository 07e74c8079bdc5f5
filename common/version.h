// Release and API version shared by aix and aixd.
#ifndef AIX_COMMON_VERSION_H_
#define AIX_COMMON_VERSION_H_

#include "absl/strings/string_view.h"

namespace aix {

// kVersion is the release of both programs; they are shipped together.
inline constexpr char kVersion[] = "0.2.0";

// CompareVersions compares dotted release numbers ("0.10.0" > "0.9.1");
// <0, 0, >0. Missing or non-numeric parts count as 0.
int CompareVersions(absl::string_view a, absl::string_view b);

// kApiVersion is the newest gRPC API package aixd serves.
inline constexpr char kApiVersion[] = "aix.v1";

}  // namespace aix

#endif  // AIX_COMMON_VERSION_H_
