// The chat exchange between a real door (libmicrohttpd on a Unix socket in
// a temporary directory) and a scripted RunService on an in-process gRPC
// server: what the HTTP client gets for each way a run can go, without a
// daemon or a provider. libcurl is the client.
#include "daemon/endpoint/chat_exchange.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "aix/v1/runs.grpc.pb.h"
#include "daemon/endpoint/connections.h"
#include "daemon/endpoint/door.h"
#include "daemon/endpoint/live_exchanges.h"
#include "daemon/endpoint/request_body.h"
#include "daemon/endpoint/routes.h"
#include "daemon/endpoint/self_calls.h"
#include "daemon/endpoint/token_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aix::endpoint {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ScriptedRuns answers Run by the request's model name: "text" streams two
// pieces and a summary; "fail-early" fails before any text; "fail-late"
// fails after one piece; "hang" streams one piece and waits to be
// cancelled (and counts that it was).
class ScriptedRuns final : public v1::RunService::Service {
 public:
  grpc::Status Run(grpc::ServerContext* ctx, const v1::RunRequest* req,
                   grpc::ServerWriter<v1::RunEvent>* out) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_model_ = req->model();
    }
    v1::RunEvent ev;
    if (req->model() == "fail-early") {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "rate limited; try later");
    }
    ev.set_text("Hello, ");
    out->Write(ev);
    if (req->model() == "fail-late") {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the provider went away");
    }
    if (req->model() == "hang") {
      for (int i = 0; i < 1000 && !ctx->IsCancelled(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (ctx->IsCancelled()) cancelled++;
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    }
    ev.set_text("world");
    out->Write(ev);
    v1::RunEvent done;
    done.mutable_done()->set_finish_reason("stop");
    done.mutable_done()->set_prompt_tokens(3);
    done.mutable_done()->set_completion_tokens(2);
    out->Write(done);
    return grpc::Status::OK;
  }
  std::string last_model() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_model_;
  }
  std::atomic<int> cancelled{0};

 private:
  std::mutex mu_;
  std::string last_model_;  // guarded by mu_
};

struct Reply {
  long status = 0;
  std::string body;
  CURLcode code = CURLE_OK;
};

size_t Append(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

class ChatExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aix-chat-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socket_ = dir_ + "/http.sock";
    grpc::ServerBuilder builder;
    builder.RegisterService(&runs_);
    server_ = builder.BuildAndStart();
    calls_ = std::make_unique<SelfCalls>(server_->InProcessChannel(grpc::ChannelArguments()),
                                         "test-secret-FAKE");
    token_ = std::make_unique<TokenStore>(dir_ + "/token");
    const ChatParts chat{calls_.get(), &budget_, &live_, &OpenAiChatApi()};
    routes_.Add("POST", "/v1/chat/completions",
                [chat](const ExchangeStart& s) { return std::make_shared<ChatExchange>(s, chat); });
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(fd, 64), 0);
    auto door = Door::Start(fd, /*tcp=*/false, DoorParts{&routes_, token_.get(), &connections_, &live_});
    ASSERT_TRUE(door.ok()) << door.status();
    door_ = *std::move(door);
  }

  void TearDown() override {
    if (door_ != nullptr) {
      door_->Quiesce();
      live_.Cancel(false, /*all=*/true);
      live_.WaitRuns(false, /*all=*/true, absl::Seconds(5));
      door_.reset();
    }
    server_->Shutdown();
    std::string cmd = "rm -rf " + dir_;
    ASSERT_EQ(system(cmd.c_str()), 0);
  }

  Reply Post(const std::string& body, long timeout_ms = 10000) {
    Reply r;
    CURL* c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_.c_str());
    curl_easy_setopt(c, CURLOPT_URL, "http://localhost/v1/chat/completions");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    r.code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    return r;
  }

  static std::string Chat(const std::string& model, bool stream) {
    return R"({"model": ")" + model + R"(", "stream": )" + (stream ? "true" : "false") +
           R"(, "messages": [{"role": "user", "content": "hi"}]})";
  }

  std::string dir_, socket_;
  ScriptedRuns runs_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<SelfCalls> calls_;
  std::unique_ptr<TokenStore> token_;
  BodyBudget budget_;
  LiveExchanges live_;
  Connections connections_;
  Routes routes_;
  std::unique_ptr<Door> door_;
};

TEST_F(ChatExchangeTest, AWholeAnswerIsOneCompletion) {
  Reply r = Post(Chat("text", false));
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(R"("content":"Hello, world")"));
  EXPECT_THAT(r.body, HasSubstr(R"("finish_reason":"stop")"));
  EXPECT_THAT(r.body, HasSubstr(R"("model":"text")"));
  EXPECT_EQ(runs_.last_model(), "text");
}

TEST_F(ChatExchangeTest, AStreamIsChunksThenTheEndThenDone) {
  Reply r = Post(Chat("text", true));
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  const size_t hello = r.body.find(R"("content":"Hello, ")");
  const size_t world = r.body.find(R"("content":"world")");
  const size_t stop = r.body.find(R"("finish_reason":"stop")");
  const size_t done = r.body.find("data: [DONE]");
  ASSERT_NE(hello, std::string::npos) << r.body;
  ASSERT_NE(world, std::string::npos) << r.body;
  ASSERT_NE(stop, std::string::npos) << r.body;
  ASSERT_NE(done, std::string::npos) << r.body;
  EXPECT_LT(hello, world);
  EXPECT_LT(world, stop);
  EXPECT_LT(stop, done);
}

TEST_F(ChatExchangeTest, AFailureBeforeTextIsAPlainHttpError) {
  for (bool stream : {false, true}) {
    Reply r = Post(Chat("fail-early", stream));
    ASSERT_EQ(r.code, CURLE_OK);
    EXPECT_EQ(r.status, 429) << "stream=" << stream;
    EXPECT_THAT(r.body, HasSubstr("rate limited; try later"));
    EXPECT_THAT(r.body, Not(HasSubstr("data:")));
  }
}

TEST_F(ChatExchangeTest, AFailureAfterTextEndsTheStreamWithAnErrorEvent) {
  Reply r = Post(Chat("fail-late", true));
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);  // the headers went out with the first text
  const size_t text = r.body.find(R"("content":"Hello, ")");
  const size_t error = r.body.find("the provider went away");
  ASSERT_NE(text, std::string::npos) << r.body;
  ASSERT_NE(error, std::string::npos) << r.body;
  EXPECT_LT(text, error);
}

TEST_F(ChatExchangeTest, ABadBodyNamesTheFieldAndStartsNoRun) {
  Reply r = Post(R"({"model": "text", "messages": "not a list"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("param":"messages")"));
  EXPECT_EQ(runs_.last_model(), "");
}

TEST_F(ChatExchangeTest, ABodyOverSixteenMebibytesIs413) {
  Reply r = Post(std::string(RequestBody::kMaxBody + 1, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("over 16 MiB"));
}

TEST_F(ChatExchangeTest, AClientThatLeavesCancelsTheRun) {
  Reply r = Post(Chat("hang", true), /*timeout_ms=*/500);
  EXPECT_EQ(r.code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_THAT(r.body, HasSubstr(R"("content":"Hello, ")"));
  // A suspended connection is not watched by MHD: the endpoint's watcher
  // peeks at its socket (called here by hand) and cancels the run.
  for (int i = 0; i < 500 && runs_.cancelled.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    live_.CheckPeers();
  }
  EXPECT_EQ(runs_.cancelled.load(), 1);
}

TEST_F(ChatExchangeTest, StoppingTheDoorEndsAWaitingStreamWithAnError) {
  std::thread stop([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    live_.Cancel(false, /*all=*/true);
  });
  Reply r = Post(Chat("hang", true));
  stop.join();
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_THAT(r.body, HasSubstr(R"("content":"Hello, ")"));
  EXPECT_THAT(r.body, HasSubstr("aixd is stopping"));
}

}  // namespace
}  // namespace aix::endpoint
