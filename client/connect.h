// Finding aixd, and starting it when nobody serves the socket.
//
// Life cycle (see also docs/ARCHITECTURE.md):
//   1. Probe the socket with a plain connect(2). Success: use it.
//   2. ENOENT or ECONNREFUSED means nobody listens (no socket, or a stale
//      one from a killed daemon). Only then, and only if the command allows
//      it, start aixd detached (double fork, setsid, log to the state dir)
//      and poll the socket with a doubling wait from 5 ms, up to 10 s.
//      EACCES and other errors are reported, never "fixed" by starting a
//      daemon.
//   3. Races: many clients may start a daemon at once. Each started aixd
//      takes an exclusive flock before touching the socket; all but one exit
//      at once ("already running"), and every client's poll reaches the one
//      that won. No client sleeps a fixed time or kills anything.
//   4. Trust: before sending anything the client checks that the socket and
//      its directory are the user's and that the peer runs as the user
//      (socket_trust.h). A daemon started on demand gets "/" as its working
//      directory and none of the client's *_API_KEY variables.
//   5. Version skew: every reply carries the daemon's release; a daemon
//      older than the client is restarted when idle, or the user is told
//      the command that does it (version_check.h).
#ifndef AIX_CLIENT_CONNECT_H_
#define AIX_CLIENT_CONNECT_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paths.h"

namespace aix {

enum class AutoStart { kNo, kYes };

// ProbeSocket returns OK when something accepts connections on `path`,
// Unavailable when nothing does (no file, or a stale socket), and
// PermissionDenied when the socket or its directory is not ours to use.
absl::Status ProbeSocket(const std::string& path);

// FindDaemonBinary returns $AIXD if set, else the aixd beside this
// program, else the first aixd on PATH. NotFound lists the places tried.
absl::StatusOr<std::string> FindDaemonBinary(const EnvLookup& env);

// StartDaemon launches aixd detached for `socket_path` and waits until the
// socket accepts connections. Returns the log file path on success.
absl::StatusOr<std::string> StartDaemon(const std::string& socket_path,
                                        const EnvLookup& env);

// Connect returns a channel to the daemon, starting it first when
// `autostart` allows and nobody serves the socket. The channel runs over
// one connection whose place and peer were verified (socket_trust.h);
// PermissionDenied, before anything is sent, when they are not the user's.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(AutoStart autostart);

// CurrentChannel is the channel Connect made, or null.
std::shared_ptr<grpc::Channel> CurrentChannel();

// QuickExit flushes stdout/stderr and ends the process without tearing
// down gRPC. A one-shot client gains nothing from joining gRPC's worker
// threads and freeing its caches, and that teardown cost as much as the call
// itself (see bench/README.md). The channel from Connect lives until here.
[[noreturn]] void QuickExit(int code);

// kCallDeadline: config and key calls take milliseconds; a daemon that has
// not answered in this long is wedged, and saying so beats hanging a script
// forever. Bulk work (an import of thousands of prompts) passes its own.
inline constexpr absl::Duration kCallDeadline = absl::Seconds(30);

// PrepareCall sets a unary call's deadline.
void PrepareCall(grpc::ClientContext* context, absl::Duration deadline = kCallDeadline);

// CallStatus converts a finished call's status, explaining a lost
// connection (the daemon died mid-call) in user terms.
absl::Status CallStatus(const grpc::Status& status);

}  // namespace aix

#endif  // AIX_CLIENT_CONNECT_H_
