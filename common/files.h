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

// Links says whether `path` itself may be a symbolic link to a directory.
enum class Links { kRefuse, kFollow };

// EnsurePrivateDir creates `path` and any missing parents with mode 0700.
// An existing directory is used only if it is plainly the user's own: it
// belongs to the current user, is not sticky and not writable by group or
// others (a shared place such as /tmp, where someone else could swap files
// under us), and, with Links::kRefuse, is not a symbolic link. Anything
// else is PermissionDenied, naming the problem and the fix; nothing is
// changed then. A directory of ours that is merely readable by others
// (0755, made by another tool) is tightened to 0700.
absl::Status EnsurePrivateDir(const std::string& path, Links links = Links::kFollow);

// RemoveStaleTempFiles deletes what WriteFileAtomically leaves behind when
// a process is killed mid-write: regular files in `dir` named
// "*.tmp-XXXXXX" and older than `min_age_s` seconds (younger ones may be
// another writer's, in progress). Returns how many were removed.
int RemoveStaleTempFiles(const std::string& dir, int min_age_s = 10);

// ReadFile returns the whole file. NotFound if it does not exist. It reads
// whatever `path` is (a pipe the client was handed, /dev/stdin): for files
// in aixd's own directories use ReadRegularFile.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// ReadRegularFile reads a file that a user may have replaced by hand with
// anything: it opens without blocking (a FIFO would otherwise hang the
// caller forever), and refuses what is not a regular file or is larger than
// `max_bytes` (FailedPrecondition, naming the path and the fix). NotFound
// if it does not exist.
absl::StatusOr<std::string> ReadRegularFile(const std::string& path, size_t max_bytes);

// WriteFileAtomically replaces `path` with `contents`: it writes a temporary
// file in the same directory with `mode` from the moment it exists, fsyncs
// it, renames it over `path`, then fsyncs the directory. When it returns OK
// the new contents are durable; on any failure `path` is unchanged.
//
// With `durable` false it skips both fsyncs: the file is still old or new,
// never a mix, if the process dies (rename is atomic), but not if the
// machine does. For many files at once, whose caller makes them durable
// with one SyncFilesystem call (an import of thousands of prompts).
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents,
                                 mode_t mode = 0600, bool durable = true);

// SyncFilesystem makes every write to the file system that holds `path`
// durable (syncfs(2)).
absl::Status SyncFilesystem(const std::string& path);

}  // namespace aix

#endif  // AIX_COMMON_FILES_H_
