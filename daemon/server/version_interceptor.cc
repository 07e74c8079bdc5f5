#include "daemon/server/version_interceptor.h"

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/limits.h"
#include "common/version.h"
#include "daemon/server/log.h"

namespace aix {
namespace {

std::atomic<bool> warned{false};

class VersionInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit VersionInterceptor(grpc::experimental::ServerRpcInfo*) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      if (md != nullptr) {
        auto it = md->find(kClientVersionHeader);
        if (it != md->end()) {
          std::string client(it->second.data(), it->second.size());
          if (CompareVersions(client, kVersion) > 0 && !warned.exchange(true)) {
            Log(LogLevel::kWarning,
                absl::StrCat("a newer aix (", client.substr(0, 32), ") is using this aixd ",
                             kVersion, "; it restarts aixd when idle, or run: aix daemon stop"));
          }
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({kDaemonVersionHeader, kVersion});
    }
    methods->Proceed();
  }
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new VersionInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> VersionInterceptorFactory() {
  return std::make_unique<Factory>();
}

}  // namespace aix
