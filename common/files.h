// File-system helpers for private state: directories only the user can
// enter, and files replaced atomically so a crash never leaves half a file.
#ifndef AIX_COMMON_FILES_H_
#define AIX_COMMON_FILES_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace aix {

// ErrnoStatus turns an errno value into a Status whose message is
// "<what>: <strerror>", with the code that best fits (NotFound for ENOENT,
// PermissionDenied for EACCES/EPERM, ...).
absl::Status ErrnoStatus(int err, const std::string& what);

// EnsurePrivateDir creates `path` and any missing parents with mode 0700.
// An existing directory must belong to the current user: PermissionDenied
// otherwise (someone else could swap files under us). If it is open to
// group or others, its mode is tightened to 0700.
absl::Status EnsurePrivateDir(const std::string& path);

// ReadFile returns the whole file. NotFound if it does not exist.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// WriteFileAtomically replaces `path` with `contents`: it writes a temporary
// file in the same directory with `mode` from the moment it exists, fsyncs
// it, renames it over `path`, then fsyncs the directory. When it returns OK
// the new contents are durable; on any failure `path` is unchanged.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents,
                                 mode_t mode = 0600);

}  // namespace aix

#endif  // AIX_COMMON_FILES_H_
