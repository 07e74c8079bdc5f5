#include "daemon/services/daemon_service.h"

#include <unistd.h>

#include "absl/time/clock.h"
#include "common/version.h"
#include "daemon/services/guarded.h"

namespace aix {

grpc::Status DaemonServiceImpl::GetStatus(grpc::ServerContext* context,
                                          const v1::GetStatusRequest*,
                                          v1::DaemonStatus* response) {
  return Guarded(*peers_, context, [&] {
    response->set_pid(getpid());
    response->set_version(kVersion);
    response->set_api_version(kApiVersion);
    response->set_started_unix_ms(absl::ToUnixMillis(facts_.started));
    response->set_uptime_ms(absl::ToInt64Milliseconds(absl::Now() - facts_.started));
    response->set_socket_path(facts_.socket_path);
    response->set_start_method(facts_.start_method);
    response->set_storage_path(facts_.storage_path);
    response->set_config_path(facts_.config_path);
    response->set_active_runs(active_runs_());
    return absl::OkStatus();
  });
}

grpc::Status DaemonServiceImpl::Shutdown(grpc::ServerContext* context,
                                         const v1::ShutdownRequest*,
                                         v1::ShutdownResponse* response) {
  return Guarded(*peers_, context, [&] {
    response->set_pid(getpid());
    request_shutdown_();
    return absl::OkStatus();
  });
}

grpc::Status DaemonServiceImpl::GetEndpoint(grpc::ServerContext* context,
                                            const v1::GetEndpointRequest* request,
                                            v1::EndpointInfo* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    if (!endpoint_) return absl::UnimplementedError("this aixd has no HTTP endpoint");
    auto info = endpoint_(*request);
    if (!info.ok()) return info.status();
    *response = *std::move(info);
    return absl::OkStatus();
  });
}

}  // namespace aix
