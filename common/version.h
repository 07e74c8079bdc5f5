// Release and API version shared by aix and aixd.
#ifndef AIX_COMMON_VERSION_H_
#define AIX_COMMON_VERSION_H_

namespace aix {

// kVersion is the release of both programs; they are shipped together.
inline constexpr char kVersion[] = "0.1.0";

// kApiVersion is the newest gRPC API package aixd serves.
inline constexpr char kApiVersion[] = "aix.v1";

}  // namespace aix

#endif  // AIX_COMMON_VERSION_H_
