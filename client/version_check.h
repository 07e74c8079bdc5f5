// Version skew between aix and a running aixd. After an upgrade the old
// daemon keeps serving until it stops; proto3 silently drops request fields
// it does not know, so a newer client must notice and say so.
//
// Every call carries the client's release (aix-client-version); every
// reply from aixd 0.2 or later carries the daemon's (aixd-version). A reply
// without it comes from an older daemon.
#ifndef AIX_CLIENT_VERSION_CHECK_H_
#define AIX_CLIENT_VERSION_CHECK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/support/client_interceptor.h>


namespace aix {

// VersionInterceptors returns the interceptors to install on the channel.
std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
VersionInterceptors();

// DaemonVersionSeen is what the daemon's replies said: nullopt if no reply
// came, "" if replies came without a version (a daemon before 0.2.0).
std::optional<std::string> DaemonVersionSeen();

// AfterCommand runs when a command is done: if the daemon is older than
// this client, it restarts it when it is idle and was started on demand,
// and otherwise tells the user the one command that does (on stderr).
void AfterCommand(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace aix

#endif  // AIX_CLIENT_VERSION_CHECK_H_
