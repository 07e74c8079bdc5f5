// Every reply from aixd carries its release in the "aixd-version" initial
// metadata, so a newer client can tell that it reached an older daemon
// (client/version_check.h). A client newer than this daemon is logged once.
#ifndef AIX_DAEMON_SERVER_VERSION_INTERCEPTOR_H_
#define AIX_DAEMON_SERVER_VERSION_INTERCEPTOR_H_

#include <memory>

#include <grpcpp/support/server_interceptor.h>

namespace aix {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> VersionInterceptorFactory();

}  // namespace aix

#endif  // AIX_DAEMON_SERVER_VERSION_INTERCEPTOR_H_
