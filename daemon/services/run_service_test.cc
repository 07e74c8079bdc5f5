// RunService in process: the real service over an in-process gRPC channel,
// with real config and prompt stores in a temporary directory and a fake
// Transfers in place of the HTTP pool. What a gRPC client sees, and what
// reaches the pool, with no socket and no provider.
#include "daemon/services/run_service.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "aix/v1/runs.grpc.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/http/transfers.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/server/peer_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aix {
namespace {

using ::testing::HasSubstr;

constexpr char kKey[] = "test-key-runservice-FAKE-123";

// PoolDouble records transfers from gRPC's threads; the test plays them.
class PoolDouble : public http::Transfers {
 public:
  uint64_t Start(http::HttpRequest request, std::shared_ptr<http::ResponseHandler> handler) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(std::move(request));
    handlers_.push_back(std::move(handler));
    cv_.notify_all();
    return handlers_.size();
  }
  void Cancel(uint64_t id) override {
    std::shared_ptr<http::ResponseHandler> h;
    {
      std::lock_guard<std::mutex> lock(mu_);
      // As transfers.h promises: one OnDone per transfer, a second Cancel
      // of the same one is ignored (a run is cancelled both by its write
      // failing and by the client's cancel, on two threads).
      const bool again = std::find(cancelled_.begin(), cancelled_.end(), id) != cancelled_.end();
      cancelled_.push_back(id);
      cv_.notify_all();
      if (again || id == 0 || id > handlers_.size()) return;
      h = handlers_[id - 1];
    }
    // As the pool does: later, on another thread.
    std::lock_guard<std::mutex> lock(mu_);
    enders_.emplace_back([h] { h->OnDone(absl::CancelledError("cancelled")); });
  }
  ~PoolDouble() override { Release(); }

  // Release ends the double's part: the transfers' handlers (each holds its
  // run) are let go, as the pool does once a transfer has ended. Called
  // while the service the runs count against still exists.
  void Release() {
    std::vector<std::thread> enders;
    {
      std::lock_guard<std::mutex> lock(mu_);
      enders.swap(enders_);
    }
    for (std::thread& t : enders) t.join();
    std::lock_guard<std::mutex> lock(mu_);
    handlers_.clear();
  }
  void Resume(uint64_t) override {}

  // Wait for the n-th transfer (1-based) and return its handler.
  std::shared_ptr<http::ResponseHandler> Await(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return handlers_.size() >= n; });
    return handlers_.size() >= n ? handlers_[n - 1] : nullptr;
  }
  bool AwaitCancel() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !cancelled_.empty(); });
  }
  http::HttpRequest request(size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_[n - 1];
  }
  size_t started() {
    std::lock_guard<std::mutex> lock(mu_);
    return handlers_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<http::HttpRequest> requests_;
  std::vector<std::shared_ptr<http::ResponseHandler>> handlers_;
  std::vector<uint64_t> cancelled_;
  std::vector<std::thread> enders_;
};

void PlaySse(http::ResponseHandler& h, const std::vector<std::string>& texts) {
  http::ResponseHead head;
  head.status = 200;
  h.OnHeaders(head);
  for (const std::string& t : texts) {
    h.OnData("data: {\"choices\":[{\"delta\":{\"content\":\"" + t + "\"}}]}\n\n");
  }
  h.OnData("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
  h.OnDone(absl::OkStatus());
}

class RunServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-runsvc-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    config_ = std::make_unique<config::ConfigStore>(dir_);
    ASSERT_TRUE(config_->Set("openrouter_base_url", "http://127.0.0.1:9/api/v1").ok());
    ASSERT_TRUE(config_->SetKey("openrouter", kKey).ok());
    prompts_ = std::make_unique<prompts::PromptStore>(dir_ + "/prompts");
    collections_ = std::make_unique<prompts::CollectionStore>(dir_ + "/collections");
    prompts::Prompt p;
    p.name = "greet";
    p.template_text = "Say hello to {who}.";
    ASSERT_TRUE(prompts_->Create(p).ok());
    service_ = std::make_unique<RunServiceImpl>(config_.get(), prompts_.get(), collections_.get(),
                                                &pool_, &peers_, /*history=*/nullptr);
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    stub_ = v1::RunService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }

  void TearDown() override {
    server_->Shutdown();
    pool_.Release();
    std::string cmd = "rm -rf " + dir_;
    ASSERT_EQ(system(cmd.c_str()), 0);
  }

  // Owner marks a call as the daemon's own (as the HTTP endpoint does).
  void Owner(grpc::ClientContext* ctx) {
    ctx->AddMetadata(PeerRegistry::kInProcessHeader, peers_.in_process_secret());
  }

  static v1::RunRequest Greet(const std::string& who) {
    v1::RunRequest req;
    req.set_prompt("greet");
    (*req.mutable_params())["who"] = who;
    return req;
  }

  std::string dir_;
  PoolDouble pool_;
  PeerRegistry peers_{geteuid()};
  std::unique_ptr<config::ConfigStore> config_;
  std::unique_ptr<prompts::PromptStore> prompts_;
  std::unique_ptr<prompts::CollectionStore> collections_;
  std::unique_ptr<RunServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::RunService::Stub> stub_;
};

TEST_F(RunServiceTest, ACallerWhoIsNotTheOwnerIsRefusedBeforeAnythingRuns) {
  grpc::ClientContext ctx;  // no in-process mark, and no recorded peer
  auto reader = stub_->Run(&ctx, Greet("x"));
  v1::RunEvent ev;
  EXPECT_FALSE(reader->Read(&ev));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(pool_.started(), 0u);
}

TEST_F(RunServiceTest, ARunSendsThePlanThenTheProvidersTextThenTheSummary) {
  grpc::ClientContext ctx;
  Owner(&ctx);
  auto reader = stub_->Run(&ctx, Greet("Ada"));
  auto handler = pool_.Await(1);
  ASSERT_NE(handler, nullptr) << "no transfer started";
  const http::HttpRequest sent = pool_.request(1);
  EXPECT_EQ(sent.url, "http://127.0.0.1:9/api/v1/chat/completions");
  EXPECT_THAT(sent.body, HasSubstr("Say hello to Ada."));
  bool authorised = false;
  for (const std::string& h : sent.headers) authorised |= h == std::string("Authorization: Bearer ") + kKey;
  EXPECT_TRUE(authorised);
  PlaySse(*handler, {"Hello, ", "Ada"});
  std::string text;
  bool plan = false, done = false;
  v1::RunEvent ev;
  while (reader->Read(&ev)) {
    if (ev.has_plan()) plan = true;
    if (ev.has_text()) text += ev.text();
    if (ev.has_done()) {
      done = true;
      EXPECT_EQ(ev.done().finish_reason(), "stop");
    }
  }
  grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(plan);
  EXPECT_TRUE(done);
  EXPECT_EQ(text, "Hello, Ada");
}

TEST_F(RunServiceTest, AMissingParameterIsNamedAndNothingIsSent) {
  grpc::ClientContext ctx;
  Owner(&ctx);
  v1::RunRequest req;
  req.set_prompt("greet");
  auto reader = stub_->Run(&ctx, req);
  v1::RunEvent ev;
  while (reader->Read(&ev)) {
  }
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("who"));
  EXPECT_EQ(pool_.started(), 0u);
}

TEST_F(RunServiceTest, AClientThatCancelsCancelsTheTransfer) {
  grpc::ClientContext ctx;
  Owner(&ctx);
  auto reader = stub_->Run(&ctx, Greet("x"));
  ASSERT_NE(pool_.Await(1), nullptr);
  ctx.TryCancel();
  EXPECT_TRUE(pool_.AwaitCancel()) << "the provider transfer was never cancelled";
  v1::RunEvent ev;
  while (reader->Read(&ev)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace aix
