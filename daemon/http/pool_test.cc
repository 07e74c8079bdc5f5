// HttpPool against a raw HTTP server on 127.0.0.1 that this test scripts
// byte by byte: stalls, floods, oversize bodies, throwing handlers.
#include "daemon/http/pool.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/http/collect.h"

namespace aix::http {
namespace {

using ::testing::HasSubstr;

// RawServer accepts connections on 127.0.0.1 and runs `script` on each,
// after reading the request head. Deliberately no TCP_NODELAY.
class RawServer {
 public:
  using Script = std::function<void(int fd)>;
  explicit RawServer(Script script) : script_(std::move(script)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    for (auto& t : workers_) t.join();
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/x"); }
  int requests() const { return requests_.load(); }
  absl::Time last_request() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

 private:
  void Serve() {
    while (!stop_) {
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      workers_.emplace_back([this, c] {
        std::string head;
        char buf[4096];
        while (head.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = read(c, buf, sizeof buf);
          if (n <= 0) break;
          head.append(buf, static_cast<size_t>(n));
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          last_ = absl::Now();
        }
        ++requests_;
        script_(c);
        close(c);
      });
    }
  }
  Script script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  absl::Time last_;
};

void Send(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Recorder keeps what a transfer delivered; it can pause and throw.
class Recorder : public ResponseHandler {
 public:
  void OnHeaders(const ResponseHead& h) override { head = h; }
  bool OnData(absl::string_view chunk) override {
    if (throw_on_data) throw std::runtime_error("handler bug");
    if (pause.load()) {
      paused_offers++;
      return false;
    }
    bytes += chunk.size();
    return true;
  }
  void OnDone(absl::Status s) override {
    done.set_value(std::move(s));
    if (throw_on_done) throw std::runtime_error("handler bug in OnDone");
  }
  absl::Status Wait() {
    auto f = done.get_future();
    if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return absl::DeadlineExceededError("test: transfer never ended");
    }
    return f.get();
  }
  ResponseHead head;
  std::atomic<size_t> bytes{0};
  std::atomic<bool> pause{false};
  std::atomic<int> paused_offers{0};
  bool throw_on_data = false;
  bool throw_on_done = false;
  std::promise<absl::Status> done;
};

HttpRequest Get(const std::string& url) {
  HttpRequest r;
  r.method = "GET";
  r.url = url;
  return r;
}

TEST(HttpPool, FirstByteTimeoutNamesItsSetting) {
  RawServer server([](int) { absl::SleepFor(absl::Seconds(3)); });
  HttpPool pool;
  auto rec = std::make_shared<Recorder>();
  HttpRequest r = Get(server.url());
  r.limits.first_byte_timeout = absl::Seconds(1);
  absl::Time start = absl::Now();
  pool.Start(r, rec);
  absl::Status s = rec->Wait();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("first_byte_timeout (1 s)"));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(2500));
}

TEST(HttpPool, IdleTimeoutAfterTheBodyBegan) {
  RawServer server([](int fd) {
    Send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    absl::SleepFor(absl::Seconds(3));
  });
  HttpPool pool;
  auto rec = std::make_shared<Recorder>();
  HttpRequest r = Get(server.url());
  r.limits.idle_timeout = absl::Seconds(1);
  pool.Start(r, rec);
  absl::Status s = rec->Wait();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("idle_timeout (1 s)"));
  EXPECT_EQ(rec->bytes.load(), 5u);
}

TEST(HttpPool, BodyCapStopsAFlood) {
  RawServer server([](int fd) {
    Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 8388608\r\n\r\n");
    std::string mb(1 << 20, 'x');
    for (int i = 0; i < 8; ++i) Send(fd, mb);
  });
  HttpPool pool;
  auto rec = std::make_shared<Recorder>();
  HttpRequest r = Get(server.url());
  r.limits.max_body_bytes = 1 << 20;
  pool.Start(r, rec);
  absl::Status s = rec->Wait();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("larger than 1 MiB"));
  EXPECT_LE(rec->bytes.load(), size_t{1} << 20);
}

TEST(HttpPool, PausedTransferHoldsDataUntilResumed) {
  constexpr size_t kTotal = 4 << 20;
  RawServer server([](int fd) {
    Send(fd, absl::StrCat("HTTP/1.1 200 OK\r\nContent-Length: ", kTotal, "\r\n\r\n"));
    Send(fd, std::string(kTotal, 'y'));
  });
  HttpPool pool;
  auto rec = std::make_shared<Recorder>();
  rec->pause = true;
  HttpRequest r = Get(server.url());
  r.limits.idle_timeout = absl::Seconds(1);  // paused time must not count
  uint64_t id = pool.Start(r, rec);
  absl::SleepFor(absl::Milliseconds(1500));
  EXPECT_EQ(rec->bytes.load(), 0u) << "a paused transfer delivered data";
  EXPECT_GE(rec->paused_offers.load(), 1);
  EXPECT_LE(rec->paused_offers.load(), 2) << "libcurl kept offering while paused";
  rec->pause = false;
  pool.Resume(id);
  EXPECT_TRUE(rec->Wait().ok());
  EXPECT_EQ(rec->bytes.load(), kTotal);
}

TEST(HttpPool, DelayedStartWaitsAndCanBeCancelled) {
  RawServer server([](int fd) { Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); });
  HttpPool pool;
  auto early = std::make_shared<Recorder>();
  HttpRequest r = Get(server.url());
  r.not_before = absl::Now() + absl::Seconds(30);
  uint64_t id = pool.Start(r, early);
  absl::SleepFor(absl::Milliseconds(100));
  pool.Cancel(id);
  EXPECT_EQ(early->Wait().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(server.requests(), 0);

  auto later = std::make_shared<Recorder>();
  absl::Time start = absl::Now();
  r.not_before = start + absl::Milliseconds(400);
  pool.Start(r, later);
  ASSERT_TRUE(later->Wait().ok());
  EXPECT_GE(server.last_request() - start, absl::Milliseconds(390));
}

TEST(HttpPool, RetryAfterAsSecondsDateOrMilliseconds) {
  for (auto [header, min_ms, max_ms] :
       {std::tuple<std::string, int64_t, int64_t>{"Retry-After: 7", 7000, 7000},
        {"retry-after-ms: 1500\r\nRetry-After: 9", 1500, 1500},
        {"Retry-After: " + absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT",
                                            absl::Now() + absl::Seconds(30), absl::UTCTimeZone()),
         25000, 31000}}) {
    RawServer server([header = header](int fd) {
      Send(fd, "HTTP/1.1 429 Too Many Requests\r\n" + header + "\r\nContent-Length: 0\r\n\r\n");
    });
    HttpPool pool;
    auto rec = std::make_shared<Recorder>();
    pool.Start(Get(server.url()), rec);
    ASSERT_TRUE(rec->Wait().ok());
    EXPECT_EQ(rec->head.status, 429);
    EXPECT_GE(rec->head.retry_after_ms, min_ms) << header;
    EXPECT_LE(rec->head.retry_after_ms, max_ms) << header;
  }
}

TEST(HttpPool, AThrowingHandlerFailsOnlyItsTransfer) {
  RawServer server([](int fd) { Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); });
  HttpPool pool;
  auto bad = std::make_shared<Recorder>();
  bad->throw_on_data = true;
  pool.Start(Get(server.url()), bad);
  absl::Status s = bad->Wait();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("handler bug"));
  std::promise<absl::StatusOr<HttpResponse>> got;
  Collect(&pool, Get(server.url()), [&](absl::StatusOr<HttpResponse> r) { got.set_value(r); });
  auto r = got.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpPool, AHandlerThrowingFromOnDoneNeverStopsThePool) {
  RawServer server([](int fd) { Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); });
  HttpPool pool;
  // Each way a transfer ends: cancelled while delayed, finished, and
  // cancelled at shutdown while delayed.
  auto delayed = std::make_shared<Recorder>();
  delayed->throw_on_done = true;
  HttpRequest later = Get(server.url());
  later.not_before = absl::Now() + absl::Seconds(30);
  pool.Cancel(pool.Start(later, delayed));
  EXPECT_EQ(delayed->Wait().code(), absl::StatusCode::kCancelled);
  auto finished = std::make_shared<Recorder>();
  finished->throw_on_done = true;
  pool.Start(Get(server.url()), finished);
  EXPECT_TRUE(finished->Wait().ok());
  // The loop still serves the next transfer.
  auto next = std::make_shared<Recorder>();
  pool.Start(Get(server.url()), next);
  EXPECT_TRUE(next->Wait().ok());
  EXPECT_EQ(next->bytes.load(), 2u);
}

TEST(HttpPool, AHandlerThrowingFromOnDoneAtShutdownLetsThePoolStop) {
  HttpPool* pool = new HttpPool();
  auto at_shutdown = std::make_shared<Recorder>();
  at_shutdown->throw_on_done = true;
  HttpRequest later = Get("http://127.0.0.1:9/");
  later.not_before = absl::Now() + absl::Seconds(30);
  pool->Start(later, at_shutdown);
  delete pool;  // cancels the delayed transfer; must not escape or hang
  EXPECT_EQ(at_shutdown->Wait().code(), absl::StatusCode::kCancelled);
}

TEST(HttpPool, TransfersBeyondTheHostLimitWaitInThePoolAndCanBeCancelled) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  RawServer server([released](int fd) {
    released.wait();
    Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  });
  PoolOptions options;
  options.max_host_connections = 2;
  HttpPool pool(options);
  std::vector<std::shared_ptr<Recorder>> recs;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    recs.push_back(std::make_shared<Recorder>());
    ids.push_back(pool.Start(Get(server.url()), recs.back()));
  }
  for (int i = 0; i < 200 && server.requests() < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(server.requests(), 2) << "only two transfers may be under way at once";

  pool.Cancel(ids[4]);  // still waiting in the pool: ends at once, never sent
  EXPECT_EQ(recs[4]->Wait().code(), absl::StatusCode::kCancelled);

  release.set_value();
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(recs[i]->Wait().ok()) << "transfer " << i;
    EXPECT_EQ(recs[i]->bytes.load(), 2u) << "transfer " << i;
  }
  EXPECT_EQ(server.requests(), 4);
}

TEST(HttpPool, RefusedConnectionIsUnavailable) {
  int port;
  {
    RawServer gone([](int) {});
    port = std::stoi(gone.url().substr(17));
  }
  HttpPool pool;
  auto rec = std::make_shared<Recorder>();
  pool.Start(Get(absl::StrCat("http://127.0.0.1:", port, "/x")), rec);
  EXPECT_EQ(rec->Wait().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace aix::http
