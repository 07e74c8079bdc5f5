// Every service authorises its caller the same way: a call that is neither
// over a connection recorded as the owner's nor marked as the daemon's own
// is refused with PERMISSION_DENIED before it does anything, and the
// owner's call is not. The services run on an in-process gRPC server with
// real stores in a temporary directory; gRPC gives in-process calls no
// peer, so an unmarked call stands for a stranger's.
#include <stdlib.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "daemon/config/config_store.h"
#include "daemon/history/history_db.h"
#include "daemon/history/history_writer.h"
#include "daemon/http/pool.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/server/peer_registry.h"
#include "daemon/services/collection_service.h"
#include "daemon/services/config_service.h"
#include "daemon/services/daemon_service.h"
#include "daemon/services/history_service.h"
#include "daemon/services/key_service.h"
#include "daemon/services/prompt_service.h"
#include "daemon/services/provider_service.h"
#include "daemon/services/run_service.h"
#include "gtest/gtest.h"

namespace aix {
namespace {

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-authz-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_ = std::make_unique<config::ConfigStore>(dir_);
    // The owner's ListModels really fetches: only ever from loopback (the
    // discard port, which refuses at once).
    ASSERT_TRUE(store_->Set("openai_base_url", "http://127.0.0.1:9/v1").ok());
    prompts_ = std::make_unique<prompts::PromptStore>(dir_ + "/prompts");
    collections_ = std::make_unique<prompts::CollectionStore>(dir_ + "/collections");
    db_ = std::make_unique<history::HistoryDb>(dir_);
    writer_ = std::make_unique<history::HistoryWriter>(db_.get(), [] { return int64_t{0}; });
    config_svc_ = std::make_unique<ConfigServiceImpl>(store_.get(), &peers_);
    key_svc_ = std::make_unique<KeyServiceImpl>(store_.get(), &peers_);
    prompt_svc_ = std::make_unique<PromptServiceImpl>(prompts_.get(), collections_.get(), &peers_);
    collection_svc_ = std::make_unique<CollectionServiceImpl>(collections_.get(), prompts_.get(),
                                                              store_.get(), &peers_);
    history_svc_ = std::make_unique<HistoryServiceImpl>(db_.get(), writer_.get(), &peers_);
    provider_svc_ = std::make_unique<ProviderServiceImpl>(store_.get(), &pool_, &peers_);
    run_svc_ = std::make_unique<RunServiceImpl>(store_.get(), prompts_.get(), collections_.get(),
                                                &pool_, &peers_, writer_.get());
    daemon_svc_ = std::make_unique<DaemonServiceImpl>(
        DaemonFacts{}, &peers_, [this] { ++shutdowns_; }, [] { return 0; });
    grpc::ServerBuilder builder;
    for (grpc::Service* s : std::vector<grpc::Service*>{
             config_svc_.get(), key_svc_.get(), prompt_svc_.get(), collection_svc_.get(),
             history_svc_.get(), provider_svc_.get(), run_svc_.get(), daemon_svc_.get()}) {
      builder.RegisterService(s);
    }
    server_ = builder.BuildAndStart();
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }

  void TearDown() override {
    server_->Shutdown();
    std::string cmd = "rm -rf " + dir_;
    ASSERT_EQ(system(cmd.c_str()), 0);
  }

  // Code of `call` made by a stranger (owner=false) or by the owner.
  grpc::StatusCode As(bool owner, const std::function<grpc::Status(grpc::ClientContext*)>& call) {
    grpc::ClientContext ctx;
    if (owner) ctx.AddMetadata(PeerRegistry::kInProcessHeader, peers_.in_process_secret());
    return call(&ctx).error_code();
  }

  // Each call must be refused for a stranger and not for the owner.
  void ExpectOwnerOnly(const std::string& name,
                       const std::function<grpc::Status(grpc::ClientContext*)>& call) {
    EXPECT_EQ(As(false, call), grpc::StatusCode::PERMISSION_DENIED) << name;
    EXPECT_NE(As(true, call), grpc::StatusCode::PERMISSION_DENIED) << name;
  }

  std::string dir_;
  PeerRegistry peers_{geteuid()};
  http::HttpPool pool_;
  int shutdowns_ = 0;
  std::unique_ptr<config::ConfigStore> store_;
  std::unique_ptr<prompts::PromptStore> prompts_;
  std::unique_ptr<prompts::CollectionStore> collections_;
  std::unique_ptr<history::HistoryDb> db_;
  std::unique_ptr<history::HistoryWriter> writer_;
  std::unique_ptr<ConfigServiceImpl> config_svc_;
  std::unique_ptr<KeyServiceImpl> key_svc_;
  std::unique_ptr<PromptServiceImpl> prompt_svc_;
  std::unique_ptr<CollectionServiceImpl> collection_svc_;
  std::unique_ptr<HistoryServiceImpl> history_svc_;
  std::unique_ptr<ProviderServiceImpl> provider_svc_;
  std::unique_ptr<RunServiceImpl> run_svc_;
  std::unique_ptr<DaemonServiceImpl> daemon_svc_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AuthorizationTest, EveryServiceRefusesAStrangerAndServesTheOwner) {
  auto config = v1::ConfigService::NewStub(channel_);
  ExpectOwnerOnly("ListSettings", [&](grpc::ClientContext* c) {
    v1::ListSettingsResponse r;
    return config->ListSettings(c, v1::ListSettingsRequest(), &r);
  });
  ExpectOwnerOnly("SetSetting", [&](grpc::ClientContext* c) {
    v1::SetSettingRequest q;
    q.set_key("max_tokens");
    q.set_value("77");
    v1::Setting r;
    return config->SetSetting(c, q, &r);
  });
  auto keys = v1::KeyService::NewStub(channel_);
  ExpectOwnerOnly("ListKeys", [&](grpc::ClientContext* c) {
    v1::ListKeysResponse r;
    return keys->ListKeys(c, v1::ListKeysRequest(), &r);
  });
  auto prompts = v1::PromptService::NewStub(channel_);
  ExpectOwnerOnly("ListPrompts", [&](grpc::ClientContext* c) {
    v1::ListPromptsResponse r;
    return prompts->ListPrompts(c, v1::ListPromptsRequest(), &r);
  });
  auto collections = v1::CollectionService::NewStub(channel_);
  ExpectOwnerOnly("ListCollections", [&](grpc::ClientContext* c) {
    v1::ListCollectionsResponse r;
    return collections->ListCollections(c, v1::ListCollectionsRequest(), &r);
  });
  auto history = v1::HistoryService::NewStub(channel_);
  ExpectOwnerOnly("ListRuns", [&](grpc::ClientContext* c) {
    v1::ListRunsResponse r;
    return history->ListRuns(c, v1::ListRunsRequest(), &r);
  });
  auto providers = v1::ProviderService::NewStub(channel_);
  ExpectOwnerOnly("ListProviders", [&](grpc::ClientContext* c) {
    v1::ListProvidersResponse r;
    return providers->ListProviders(c, v1::ListProvidersRequest(), &r);
  });
  // The callback handlers: ListModels and Run.
  ExpectOwnerOnly("ListModels", [&](grpc::ClientContext* c) {
    v1::ListModelsRequest q;
    q.set_provider("openai");  // the owner hears the refused connection, not "denied"
    v1::ListModelsResponse r;
    return providers->ListModels(c, q, &r);
  });
  auto runs = v1::RunService::NewStub(channel_);
  ExpectOwnerOnly("Run", [&](grpc::ClientContext* c) {
    v1::RunRequest q;
    q.set_prompt("missing");
    auto reader = runs->Run(c, q);
    v1::RunEvent ev;
    while (reader->Read(&ev)) {
    }
    return reader->Finish();
  });
  auto daemon = v1::DaemonService::NewStub(channel_);
  ExpectOwnerOnly("GetStatus", [&](grpc::ClientContext* c) {
    v1::DaemonStatus r;
    return daemon->GetStatus(c, v1::GetStatusRequest(), &r);
  });
  // A stranger's Shutdown does nothing; the owner's is honoured.
  EXPECT_EQ(As(false, [&](grpc::ClientContext* c) {
              v1::ShutdownResponse r;
              return daemon->Shutdown(c, v1::ShutdownRequest(), &r);
            }),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(shutdowns_, 0);
  // The stranger's SetSetting above changed nothing: only the owner's did.
  grpc::ClientContext ctx;
  ctx.AddMetadata(PeerRegistry::kInProcessHeader, peers_.in_process_secret());
  v1::GetSettingRequest q;
  q.set_key("max_tokens");
  v1::Setting s;
  ASSERT_TRUE(config->GetSetting(&ctx, q, &s).ok());
  EXPECT_EQ(s.value(), "77");
}

}  // namespace
}  // namespace aix
