// SelfCalls: the endpoint's calls into aixd's own services, over the
// in-process gRPC channel. Each call is marked as the daemon's own
// (PeerRegistry's in-process header): the door has already checked its
// peer, and the services authorise the mark like any owner's call.
#ifndef AIX_DAEMON_ENDPOINT_SELF_CALLS_H_
#define AIX_DAEMON_ENDPOINT_SELF_CALLS_H_

#include <memory>
#include <string>
#include <utility>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "aix/v1/collections.grpc.pb.h"
#include "aix/v1/config.grpc.pb.h"
#include "aix/v1/history.grpc.pb.h"
#include "aix/v1/keys.grpc.pb.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "aix/v1/providers.grpc.pb.h"
#include "aix/v1/runs.grpc.pb.h"
#include "daemon/server/peer_registry.h"

namespace aix::endpoint {

class SelfCalls {
 public:
  SelfCalls(const std::shared_ptr<grpc::Channel>& channel, std::string secret)
      : secret_(std::move(secret)),
        runs_(v1::RunService::NewStub(channel)),
        prompts_(v1::PromptService::NewStub(channel)),
        providers_(v1::ProviderService::NewStub(channel)),
        history_(v1::HistoryService::NewStub(channel)),
        keys_(v1::KeyService::NewStub(channel)),
        config_(v1::ConfigService::NewStub(channel)),
        collections_(v1::CollectionService::NewStub(channel)) {}

  v1::RunService::Stub* runs() const { return runs_.get(); }
  v1::PromptService::Stub* prompts() const { return prompts_.get(); }
  v1::ProviderService::Stub* providers() const { return providers_.get(); }
  v1::HistoryService::Stub* history() const { return history_.get(); }
  v1::KeyService::Stub* keys() const { return keys_.get(); }
  v1::ConfigService::Stub* config() const { return config_.get(); }
  v1::CollectionService::Stub* collections() const { return collections_.get(); }

  // Mark makes a call the daemon's own.
  void Mark(grpc::ClientContext* ctx) const {
    ctx->AddMetadata(PeerRegistry::kInProcessHeader, secret_);
  }

 private:
  const std::string secret_;
  std::unique_ptr<v1::RunService::Stub> runs_;
  std::unique_ptr<v1::PromptService::Stub> prompts_;
  std::unique_ptr<v1::ProviderService::Stub> providers_;
  std::unique_ptr<v1::HistoryService::Stub> history_;
  std::unique_ptr<v1::KeyService::Stub> keys_;
  std::unique_ptr<v1::ConfigService::Stub> config_;
  std::unique_ptr<v1::CollectionService::Stub> collections_;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_SELF_CALLS_H_
