// The endpoint's lifecycle: its doors (the Unix socket, and the loopback
// port when http_listen is set), the routes they serve, and the watcher
// that checks on what MHD does not watch. How a request is admitted is in
// door.cc; how each route answers is in its exchange.
#include "daemon/endpoint/http_endpoint.h"

#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon/endpoint/aix_run_api.h"
#include "daemon/endpoint/api_exchange.h"
#include "daemon/endpoint/chat_exchange.h"
#include "daemon/endpoint/client_api.h"
#include "daemon/endpoint/connections.h"
#include "daemon/endpoint/door.h"
#include "daemon/endpoint/live_exchanges.h"
#include "daemon/endpoint/models_exchange.h"
#include "daemon/endpoint/request_body.h"
#include "daemon/endpoint/mcp_exchange.h"
#include "daemon/endpoint/routes.h"
#include "daemon/endpoint/self_calls.h"
#include "daemon/endpoint/web_api.h"
#include "daemon/endpoint/web_exchange.h"
#include "daemon/server/log.h"

namespace aix::endpoint {
namespace {

// How often the watcher looks at connections MHD does not watch: clients
// of suspended connections that went away, and headers that are late.
constexpr absl::Duration kWatchEvery = absl::Milliseconds(200);

}  // namespace

class HttpEndpoint::Impl {
 public:
  Impl(const std::shared_ptr<grpc::Channel>& channel, std::string secret, TokenStore* token,
       mcp::Hub* mcp, web::SignIn* sign_in)
      : calls_(channel, std::move(secret)), token_(token), sign_in_(sign_in), web_api_(&calls_) {
    const ChatParts chat{&calls_, &budget_, &live_, &OpenAiChatApi()};
    routes_.Add("POST", "/v1/chat/completions", [chat](const ExchangeStart& s) {
      return std::make_shared<ChatExchange>(s, chat);
    });
    const ChatParts messages{&calls_, &budget_, &live_, &AnthropicMessagesApi()};
    routes_.Add("POST", "/v1/messages", [messages](const ExchangeStart& s) {
      return std::make_shared<ChatExchange>(s, messages);
    });
    routes_.Add("GET", "/v1/models", [this](const ExchangeStart& s) {
      return std::make_shared<ModelsExchange>(s, &calls_);
    });
    routes_.AddUnder("GET", "/v1/models/", [this](const ExchangeStart& s) {
      return std::make_shared<ModelsExchange>(s, &calls_, s.path.substr(sizeof "/v1/models/" - 1));
    });
    routes_.Add("POST", "/mcp", [this, mcp](const ExchangeStart& s) {
      return std::make_shared<McpExchange>(s, mcp, &budget_, /*del=*/false);
    });
    routes_.Add("DELETE", "/mcp", [this, mcp](const ExchangeStart& s) {
      return std::make_shared<McpExchange>(s, mcp, &budget_, /*del=*/true);
    });
    // The web page (aix ui). The door admits a request under /ui only from
    // a signed-in browser or with the token (web/gate.h).
    const MakeExchange asset = [](const ExchangeStart& s) {
      return std::make_shared<AssetExchange>(s);
    };
    routes_.Add("GET", "/ui", asset);
    routes_.Add("GET", "/ui/", asset);
    routes_.AddUnder("GET", "/ui/assets/", asset);
    routes_.Add("GET", "/ui/signin", [sign_in](const ExchangeStart& s) {
      return std::make_shared<SignInExchange>(s, sign_in);
    });
    const ChatParts page_run{&calls_, &budget_, &live_, &AixRunApi()};
    routes_.Add("POST", "/ui/api/run", [page_run](const ExchangeStart& s) {
      return std::make_shared<ChatExchange>(s, page_run);
    });
    routes_.AddUnder("POST", "/ui/api/", [this](const ExchangeStart& s) {
      return std::make_shared<ApiExchange>(s, &web_api_, s.path.substr(sizeof "/ui/api/" - 1),
                                           &budget_, &live_);
    });
  }

  ~Impl() { StopWatcher(); }

  DoorParts parts() { return DoorParts{&routes_, token_, &connections_, &live_, sign_in_}; }

  absl::StatusOr<std::unique_ptr<Door>> StartDoor(int fd, bool tcp) {
    auto door = Door::Start(fd, tcp, parts());
    if (door.ok()) StartWatcher();
    return door;
  }

  // StopDoor stops a door that no longer accepts: the runs of its requests
  // are cancelled and waited for (MHD must not stop while a connection is
  // suspended, and one waits suspended only while its run is in flight).
  void StopDoor(std::unique_ptr<Door> door) {
    if (door == nullptr) return;
    door->Quiesce();
    live_.Cancel(door->tcp(), /*all=*/false);
    live_.WaitRuns(door->tcp(), /*all=*/false, absl::Seconds(5));
    door.reset();
  }

  void StartWatcher() {
    std::lock_guard<std::mutex> lock(watch_mu_);
    if (watcher_.joinable() || watcher_stop_) return;
    watcher_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(watch_mu_);
      while (!watcher_stop_) {
        watch_cv_.wait_for(lock, absl::ToChronoMilliseconds(kWatchEvery));
        if (watcher_stop_) break;
        lock.unlock();
        live_.CheckPeers();
        connections_.ExpireSlowHeaders();
        lock.lock();
      }
    });
  }

  void StopWatcher() {
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      watcher_stop_ = true;
      watch_cv_.notify_all();
    }
    if (watcher_.joinable()) watcher_.join();
  }

  absl::Status ServeUnix(int fd, const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) {
      close(fd);
      return absl::FailedPreconditionError("aixd is shutting down");
    }
    auto door = StartDoor(fd, /*tcp=*/false);
    if (!door.ok()) return door.status();
    unix_door_ = *std::move(door);
    socket_path_ = path;
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<ListenAddress>> Listen(const std::optional<ListenAddress>& address) {
    std::unique_ptr<Door> old;
    std::optional<ListenAddress> served;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shut_down_) return absl::FailedPreconditionError("aixd is shutting down");
      const auto& cur = tcp_address_;
      // Port 0 is any port: the one open already will do.
      if (cur.has_value() == address.has_value() &&
          (!address || (cur->host == address->host &&
                        (address->port == 0 || cur->port == address->port)))) {
        return cur;
      }
      std::unique_ptr<Door> fresh;
      served = address;
      if (address) {
        // The token exists before the door opens, so no request is ever
        // compared against nothing.
        auto token = token_->Get();
        if (!token.ok()) return token.status();
        auto fd = BindTcp(*address);
        if (!fd.ok()) return fd.status();
        served->port = BoundPort(*fd);
        auto door = StartDoor(*fd, /*tcp=*/true);
        if (!door.ok()) return door.status();
        fresh = *std::move(door);
      }
      old = std::move(tcp_door_);
      tcp_door_ = std::move(fresh);
      tcp_address_ = served;
    }
    // Streams on the old port end (their runs cancelled); clients reconnect
    // to the new address.
    StopDoor(std::move(old));
    return served;
  }

  std::string socket_path() const {
    std::lock_guard<std::mutex> lock(mu_);
    return unix_door_ != nullptr ? socket_path_ : "";
  }

  std::string url() const {
    std::lock_guard<std::mutex> lock(mu_);
    return tcp_address_ ? tcp_address_->Url() : "";
  }

  void Shutdown(absl::Duration grace) {
    std::unique_ptr<Door> unix_door, tcp_door;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shut_down_) return;
      shut_down_ = true;
      unix_door = std::move(unix_door_);
      tcp_door = std::move(tcp_door_);
      tcp_address_.reset();
    }
    if (unix_door != nullptr) unix_door->Quiesce();
    if (tcp_door != nullptr) tcp_door->Quiesce();
    if (!live_.WaitRuns(false, /*all=*/true, grace)) {
      live_.Cancel(false, /*all=*/true);
      // Cancelled runs end promptly; their connections are resumed by
      // OnDone, so none is left suspended when MHD stops.
      if (!live_.WaitRuns(false, /*all=*/true, absl::Seconds(5))) {
        Log(LogLevel::kWarning, "http endpoint: runs still open at shutdown");
      }
    }
    // Let the last bytes (an error event, [DONE]) reach their clients.
    live_.WaitIdle(absl::Seconds(1));
    unix_door.reset();
    tcp_door.reset();
    StopWatcher();
  }

 private:
  mutable std::mutex mu_;  // the doors and addresses below
  std::unique_ptr<Door> unix_door_;
  std::unique_ptr<Door> tcp_door_;
  std::optional<ListenAddress> tcp_address_;
  std::string socket_path_;
  bool shut_down_ = false;

  const SelfCalls calls_;
  TokenStore* const token_;
  web::SignIn* const sign_in_;
  const WebApi web_api_;
  BodyBudget budget_;
  LiveExchanges live_;
  Connections connections_;
  Routes routes_;

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool watcher_stop_ = false;  // guarded by watch_mu_
  std::thread watcher_;
};

HttpEndpoint::HttpEndpoint(std::shared_ptr<grpc::Channel> channel, std::string secret,
                           TokenStore* token, mcp::Hub* mcp, web::SignIn* sign_in)
    : impl_(std::make_unique<Impl>(channel, std::move(secret), token, mcp, sign_in)) {}

HttpEndpoint::~HttpEndpoint() { Shutdown(absl::ZeroDuration()); }

absl::Status HttpEndpoint::ServeUnix(int fd, const std::string& path) {
  return impl_->ServeUnix(fd, path);
}

absl::StatusOr<std::optional<ListenAddress>> HttpEndpoint::Listen(
    const std::optional<ListenAddress>& address) {
  return impl_->Listen(address);
}

std::string HttpEndpoint::socket_path() const { return impl_->socket_path(); }

std::string HttpEndpoint::url() const { return impl_->url(); }

void HttpEndpoint::Shutdown(absl::Duration grace) { impl_->Shutdown(grace); }

}  // namespace aix::endpoint
