#include "client/version_check.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "aix/v1/daemon.grpc.pb.h"
#include "common/limits.h"
#include "common/version.h"

namespace aix {
namespace {

std::mutex seen_mu;
std::optional<std::string>* Seen() {
  static auto* seen = new std::optional<std::string>();
  return seen;
}

class VersionInterceptor : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({kClientVersionHeader, kVersion});
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      std::string version;
      if (md != nullptr) {
        auto it = md->find(kDaemonVersionHeader);
        if (it != md->end()) version.assign(it->second.data(), it->second.size());
      }
      // Trailers-only replies (errors) carry no initial metadata to judge by.
      if (md != nullptr && !md->empty()) {
        std::lock_guard<std::mutex> lock(seen_mu);
        *Seen() = version;
      }
    }
    methods->Proceed();
  }
};

class VersionInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new VersionInterceptor;
  }
};

}  // namespace

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
VersionInterceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> v;
  v.push_back(std::make_unique<VersionInterceptorFactory>());
  return v;
}

std::optional<std::string> DaemonVersionSeen() {
  std::lock_guard<std::mutex> lock(seen_mu);
  return *Seen();
}

void AfterCommand(const std::shared_ptr<grpc::Channel>& channel) {
  std::optional<std::string> seen = DaemonVersionSeen();
  if (!seen || channel == nullptr) return;
  if (!seen->empty() && CompareVersions(*seen, kVersion) >= 0) return;
  const std::string old = seen->empty() ? "an older release" : *seen;
  auto stub = v1::DaemonService::NewStub(channel);
  v1::DaemonStatus status;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    if (!stub->GetStatus(&ctx, v1::GetStatusRequest(), &status).ok()) return;
  }
  // Only a daemon that reports its runs can be known to be idle; only one
  // that comes back by itself on the next command may be stopped.
  const bool restartable = status.start_method() == v1::START_METHOD_AUTO ||
                           status.start_method() == v1::START_METHOD_SYSTEMD_SOCKET;
  if (!seen->empty() && status.has_active_runs() && status.active_runs() == 0 && restartable) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::ShutdownResponse ignored;
    if (stub->Shutdown(&ctx, v1::ShutdownRequest(), &ignored).ok()) {
      std::cerr << "aix: aixd " << old << " was older than this aix " << kVersion
                << " and idle, so it was stopped; the next command starts " << kVersion << "\n";
      return;
    }
  }
  std::cerr << "aix: note: the running aixd (" << old << ", pid " << status.pid()
            << ") is older than this aix " << kVersion
            << " and may ignore newer options. Restart it when no run is in flight: "
            << (status.start_method() == v1::START_METHOD_SYSTEMD_SERVICE
                    ? "systemctl --user restart aixd"
                    : "aix daemon stop (the next command starts the new one)")
            << "\n";
}

}  // namespace aix
