// DaemonService (aix.v1): status and shutdown of this daemon.
#ifndef AIX_DAEMON_SERVICES_DAEMON_SERVICE_H_
#define AIX_DAEMON_SERVICES_DAEMON_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aix/v1/daemon.grpc.pb.h"
#include "daemon/server/peer_registry.h"

namespace aix {

// DaemonFacts are fixed for the daemon's life.
struct DaemonFacts {
  absl::Time started;
  std::string socket_path;
  v1::StartMethod start_method = v1::START_METHOD_FOREGROUND;
  std::string storage_path;
  std::string config_path;
};

class DaemonServiceImpl final : public v1::DaemonService::Service {
 public:
  // `request_shutdown` must return promptly; the daemon stops after the
  // Shutdown call has been answered. `active_runs` counts runs in flight.
  // `endpoint` describes the HTTP endpoint (GetEndpoint).
  using EndpointFn = std::function<absl::StatusOr<v1::EndpointInfo>(const v1::GetEndpointRequest&)>;
  DaemonServiceImpl(DaemonFacts facts, const PeerRegistry* peers,
                    std::function<void()> request_shutdown,
                    std::function<int()> active_runs, EndpointFn endpoint = nullptr)
      : facts_(std::move(facts)),
        peers_(peers),
        request_shutdown_(std::move(request_shutdown)),
        active_runs_(std::move(active_runs)),
        endpoint_(std::move(endpoint)) {}

  grpc::Status GetStatus(grpc::ServerContext* context,
                         const v1::GetStatusRequest* request,
                         v1::DaemonStatus* response) override;
  grpc::Status Shutdown(grpc::ServerContext* context,
                        const v1::ShutdownRequest* request,
                        v1::ShutdownResponse* response) override;
  grpc::Status GetEndpoint(grpc::ServerContext* context, const v1::GetEndpointRequest* request,
                           v1::EndpointInfo* response) override;

 private:
  const DaemonFacts facts_;
  const PeerRegistry* peers_;
  const std::function<void()> request_shutdown_;
  const std::function<int()> active_runs_;
  const EndpointFn endpoint_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_DAEMON_SERVICE_H_
