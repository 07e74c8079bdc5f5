// Before aix sends anything to a socket, it makes sure the daemon behind it
// is the user's own. With neither AIX_SOCKET nor XDG_RUNTIME_DIR set the
// socket lives under /tmp, where another user could have created the
// directory first and be listening for the victim's prompts and keys.
//
// Trusted means: the socket's directory and the socket are owned by us, are
// not symbolic links, and are not writable by group or others; and the
// process that accepted our connection runs as our uid (SO_PEERCRED on the
// very descriptor the gRPC channel then uses, so nothing can be swapped in
// between).
#ifndef AIX_CLIENT_SOCKET_TRUST_H_
#define AIX_CLIENT_SOCKET_TRUST_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace aix {

// CheckSocketPlace checks the directory and the socket file. Unavailable
// when either does not exist (nobody serves it yet); PermissionDenied,
// naming what is wrong and the fix, when either is not trustworthy.
absl::Status CheckSocketPlace(const std::string& socket_path);

// ConnectTrusted checks the place, connects, and verifies the peer's uid.
// Returns the connected descriptor (close-on-exec, non-blocking).
// Unavailable when nobody listens; PermissionDenied for an untrusted place
// or peer.
absl::StatusOr<int> ConnectTrusted(const std::string& socket_path);

}  // namespace aix

#endif  // AIX_CLIENT_SOCKET_TRUST_H_
