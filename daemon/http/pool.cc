#include "daemon/http/pool.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace aix::http {
namespace {

std::once_flag curl_init;

// Header bytes kept per response; the rest is dropped (libcurl bounds each
// line, not their number).
constexpr size_t kMaxHeaderBytes = 64 << 10;

// How often the loop looks for expired transfers.
constexpr absl::Duration kDeadlineTick = absl::Milliseconds(100);

// HostKey is "scheme://authority" of a URL: transfers with the same key may
// share connections.
std::string HostKey(absl::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return std::string(url);
  size_t end = url.find_first_of("/?#", scheme_end + 3);
  return absl::AsciiStrToLower(url.substr(0, end));
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToInt64Seconds(d), " s"); }

// AckNow makes the kernel acknowledge what connection `fd` has received at
// once, and keep doing so for the next segments.
//
// Why: a server that leaves Nagle on (no TCP_NODELAY; Python's http.server,
// cpp-httplib by default) holds each small write until the previous one is
// acknowledged, and on an established, reused connection Linux delays that
// ACK by up to 40 ms. Every SSE event after the first would wait for it.
// Quick-ack mode is not sticky (the kernel leaves it as soon as the
// connection looks interactive again), so it is re-armed on every read;
// setting it also sends an ACK that is being held back.
void AckNow(int fd) {
  if (fd < 0) return;
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof(on));
}

// TellDone is every OnDone call: a handler that throws from it has nothing
// more to be told, and the loop (every other transfer's) goes on.
void TellDone(ResponseHandler& handler, absl::Status status) noexcept {
  try {
    handler.OnDone(std::move(status));
  } catch (...) {
  }
}

}  // namespace

struct HttpPool::Transfer {
  HttpPool* pool = nullptr;
  uint64_t id = 0;
  std::string host;  // HostKey of the URL
  int fd = -1;  // the connection's socket, once known (PREREQFUNCTION)
  HttpRequest request;
  std::shared_ptr<ResponseHandler> handler;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  ResponseHead head;
  size_t header_bytes = 0;
  bool headers_sent = false;
  bool paused = false;
  bool body_started = false;
  int64_t body_bytes = 0;
  absl::Time started;        // added to the multi handle
  absl::Time last_activity;  // last body byte, or resume
  absl::Status failure;      // set by a callback that failed the transfer

  ~Transfer() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }

  void SendHeaders() {
    if (headers_sent) return;
    headers_sent = true;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    head.status = static_cast<int>(status);
    int64_t ms;
    auto it = head.headers.find("retry-after-ms");
    if (it != head.headers.end() && absl::SimpleAtoi(it->second, &ms) && ms >= 0) {
      head.retry_after_ms = ms;
    } else {
      // libcurl parses both forms of Retry-After (delta seconds, HTTP date).
      curl_off_t secs = 0;
      if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &secs) == CURLE_OK && secs > 0) {
        head.retry_after_ms = static_cast<int64_t>(secs) * 1000;
      } else if (head.headers.count("retry-after") != 0) {
        head.retry_after_ms = 0;
      }
    }
    handler->OnHeaders(head);
  }
};

HttpPool::HttpPool(PoolOptions options) : options_(std::move(options)) {}

void HttpPool::EnsureStarted() {
  // libcurl (and the TLS library under it) is set up on the first provider
  // request, not at daemon start: a daemon that only serves configuration
  // and prompts stays small.
  std::call_once(started_, [this] {
    std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    CURLM* multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    if (options_.max_host_connections > 0) {
      curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_host_connections);
    }
    // Keep enough idle connections for many providers and hosts.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 200L);
    multi_ = multi;
    loop_ = std::thread([this] { Loop(); });
  });
}

HttpPool::~HttpPool() {
  if (multi_ == nullptr) return;
  stopping_ = true;
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  loop_.join();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

uint64_t HttpPool::Start(HttpRequest request, std::shared_ptr<ResponseHandler> handler) {
  EnsureStarted();
  auto t = std::make_unique<Transfer>();
  t->pool = this;
  t->request = std::move(request);
  t->host = HostKey(t->request.url);
  t->handler = std::move(handler);
  uint64_t id;
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = t->id = next_id_++;
    if (!closed_) {
      pending_.push_back(std::move(t));
      queued = true;
    }
  }
  if (queued) {
    // Outside the lock: the loop takes it to collect what was queued.
    curl_multi_wakeup(static_cast<CURLM*>(multi_));
  } else {
    TellDone(*t->handler, absl::CancelledError("aixd is shutting down"));
  }
  return id;
}

void HttpPool::Cancel(uint64_t id) {
  EnsureStarted();
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancels_.push_back(id);
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void HttpPool::Resume(uint64_t id) {
  EnsureStarted();
  {
    std::lock_guard<std::mutex> lock(mu_);
    resumes_.push_back(id);
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

size_t HttpPool::OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  AckNow(t->fd);
  try {
    t->SendHeaders();
    if (t->body_bytes + static_cast<int64_t>(len) > t->request.limits.max_body_bytes) {
      t->failure = absl::ResourceExhaustedError(absl::StrCat(
          "the reply is larger than ", t->request.limits.max_body_bytes >> 20,
          " MiB (after decompression); aixd stopped reading it"));
      return 0;  // CURLE_WRITE_ERROR ends the transfer
    }
    if (!t->handler->OnData(absl::string_view(data, len))) {
      t->paused = true;
      return CURL_WRITEFUNC_PAUSE;  // libcurl keeps the piece and offers it again
    }
  } catch (const std::exception& e) {
    t->failure = absl::InternalError(absl::StrCat("aixd failed on the reply: ", e.what()));
    return 0;
  } catch (...) {
    t->failure = absl::InternalError("aixd failed on the reply");
    return 0;
  }
  t->body_started = true;
  t->body_bytes += static_cast<int64_t>(len);
  t->last_activity = absl::Now();
  return len;
}

size_t HttpPool::OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) {
    AckNow(t->fd);
    // A new response (after 100-continue, redirects).
    t->head.headers.clear();
    t->header_bytes = 0;
  }
  t->header_bytes += line.size();
  if (t->header_bytes > kMaxHeaderBytes) return size * n;
  size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    t->head.headers[name] = std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

// libcurl does not say which socket a transfer on a reused connection uses
// (CURLINFO_ACTIVESOCKET is only set once it is done), but it tells the
// local port just before each request; the pool knows its sockets, so the
// port finds the socket.
struct SocketCallbacks {
  static int Opened(void* pool, curl_socket_t fd, curlsocktype) {
    static_cast<HttpPool*>(pool)->socket_ports_[fd] = 0;
    return CURL_SOCKOPT_OK;
  }

  static int Close(void* pool, curl_socket_t fd) {
    static_cast<HttpPool*>(pool)->socket_ports_.erase(fd);
    return close(fd);
  }

  static int RequestReady(void* transfer, char*, char*, int, int local_port);
};

int SocketCallbacks::RequestReady(void* transfer, char*, char*, int, int local_port) {
  auto* t = static_cast<HttpPool::Transfer*>(transfer);
  t->fd = -1;
  for (auto& [fd, port] : t->pool->socket_ports_) {
    if (port == 0) {
      sockaddr_storage a{};
      socklen_t len = sizeof(a);
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) continue;
      if (a.ss_family == AF_INET) {
        port = ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
      } else if (a.ss_family == AF_INET6) {
        port = ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
      }
    }
    if (port == local_port && port != 0) {
      t->fd = fd;
      break;
    }
  }
  return CURL_PREREQFUNC_OK;
}

void HttpPool::Admit(std::unique_ptr<Transfer> t) {
  Host& host = hosts_[t->host];
  const long limit = options_.max_host_connections;
  if (limit > 0 && host.in_multi >= limit) {
    host.waiting.push_back(std::move(t));
    return;
  }
  ++host.in_multi;
  AddToMulti(std::move(t));
}

void HttpPool::AddToMulti(std::unique_ptr<Transfer> t) {
  CURL* e = curl_easy_init();
  t->easy = e;
  const HttpRequest& r = t->request;
  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  for (const std::string& h : r.headers) t->headers = curl_slist_append(t->headers, h.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  if (r.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
  }
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &HttpPool::OnWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &HttpPool::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, &SocketCallbacks::Opened);
  curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, this);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &SocketCallbacks::Close);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &SocketCallbacks::RequestReady);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, t.get());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  // Waiting for a connection to multiplex on is only worth it where one
  // can (HTTP/2 is negotiated over TLS); over plain HTTP/1.1 it would hold
  // a second request until the first one's headers arrive.
  if (absl::StartsWithIgnoreCase(r.url, "https://")) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(r.limits.connect_timeout)));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  if (!r.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, r.ca_bundle.c_str());
  t->started = t->last_activity = absl::Now();
  curl_multi_add_handle(static_cast<CURLM*>(multi_), e);
  active_[t->id] = std::move(t);
}

void HttpPool::TakeRequests() {
  std::deque<std::unique_ptr<Transfer>> pending;
  std::vector<uint64_t> cancels, resumes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending.swap(pending_);
    cancels.swap(cancels_);
    resumes.swap(resumes_);
  }
  const absl::Time now = absl::Now();
  for (auto& t : pending) {
    if (t->request.not_before > now) {
      delayed_[t->id] = std::move(t);
    } else {
      Admit(std::move(t));
    }
  }
  for (auto it = delayed_.begin(); it != delayed_.end();) {
    if (it->second->request.not_before <= now) {
      Admit(std::move(it->second));
      it = delayed_.erase(it);
    } else {
      ++it;
    }
  }
  for (uint64_t id : cancels) {
    if (auto it = active_.find(id); it != active_.end()) {
      Finish(it->second.get(), absl::CancelledError("cancelled"));
    } else if (auto d = delayed_.find(id); d != delayed_.end()) {
      std::unique_ptr<Transfer> t = std::move(d->second);
      delayed_.erase(d);
      TellDone(*t->handler, absl::CancelledError("cancelled"));
    } else {
      for (auto& [key, host] : hosts_) {
        auto w = std::find_if(host.waiting.begin(), host.waiting.end(),
                              [id](const std::unique_ptr<Transfer>& t) { return t->id == id; });
        if (w == host.waiting.end()) continue;
        std::unique_ptr<Transfer> t = std::move(*w);
        host.waiting.erase(w);
        TellDone(*t->handler, absl::CancelledError("cancelled"));
        break;
      }
    }
  }
  for (uint64_t id : resumes) {
    auto it = active_.find(id);
    if (it == active_.end() || !it->second->paused) continue;
    Transfer* t = it->second.get();
    t->paused = false;
    t->last_activity = absl::Now();
    // May deliver the held piece (and pause again) before it returns.
    curl_easy_pause(t->easy, CURLPAUSE_CONT);
  }
}

void HttpPool::CheckDeadlines(absl::Time now) {
  if (now < next_deadline_check_) return;
  next_deadline_check_ = now + kDeadlineTick;
  std::vector<std::pair<Transfer*, absl::Status>> expired;
  for (auto& [id, t] : active_) {
    const Limits& l = t->request.limits;
    if (!t->body_started) {
      // Connecting has its own (libcurl) timeout and message.
      if (now - t->started > l.first_byte_timeout && l.first_byte_timeout > absl::ZeroDuration()) {
        expired.emplace_back(t.get(), absl::DeadlineExceededError(absl::StrCat(
            "sent the request, but no answer began within first_byte_timeout (",
            Seconds(l.first_byte_timeout), "). The provider may be overloaded; raise it with: "
            "aix config --set first_byte_timeout SECONDS")));
      }
    } else if (!t->paused && l.idle_timeout > absl::ZeroDuration() &&
               now - t->last_activity > l.idle_timeout) {
      expired.emplace_back(t.get(), absl::DeadlineExceededError(absl::StrCat(
          "the answer stalled: nothing arrived for idle_timeout (", Seconds(l.idle_timeout),
          "). Raise it with: aix config --set idle_timeout SECONDS")));
    }
  }
  for (auto& [t, status] : expired) Finish(t, status);
}

void HttpPool::Finish(Transfer* t, absl::Status status) {
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
  long connects = 0;
  curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
  connections_opened_ += connects;
  try {
    if (status.ok()) t->SendHeaders();
  } catch (...) {
    // A handler that throws from OnHeaders is told the transfer failed.
    status = absl::InternalError("aixd failed on the reply's headers");
  }
  TellDone(*t->handler, std::move(status));
  std::string key = t->host;
  active_.erase(t->id);  // destroys t
  auto host = hosts_.find(key);
  if (host == hosts_.end()) return;
  --host->second.in_multi;
  if (!host->second.waiting.empty()) {
    std::unique_ptr<Transfer> next = std::move(host->second.waiting.front());
    host->second.waiting.pop_front();
    ++host->second.in_multi;
    AddToMulti(std::move(next));
  } else if (host->second.in_multi == 0) {
    hosts_.erase(host);
  }
}

void HttpPool::Loop() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  while (!stopping_) {
    TakeRequests();
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode code = msg->data.result;
      absl::Status s = absl::OkStatus();
      if (!t->failure.ok()) {
        s = t->failure;
      } else if (code == CURLE_OPERATION_TIMEDOUT) {
        curl_off_t connected_us = 0;
        curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &connected_us);
        s = absl::DeadlineExceededError(
            connected_us == 0
                ? absl::StrCat("could not connect within connect_timeout (",
                               Seconds(t->request.limits.connect_timeout),
                               "); raise it with: aix config --set connect_timeout SECONDS")
                : std::string(curl_easy_strerror(code)));
      } else if (code != CURLE_OK) {
        s = absl::UnavailableError(curl_easy_strerror(code));
      }
      Finish(t, s);
    }
    const absl::Time now = absl::Now();
    CheckDeadlines(now);
    // Wake for the next delayed start, the deadline tick, or activity.
    // An idle pool sleeps until woken (Start, Cancel, Resume, shutdown).
    absl::Duration wait = active_.empty() ? absl::Seconds(60) : kDeadlineTick;
    for (auto& [id, t] : delayed_) wait = std::min(wait, t->request.not_before - now);
    int wait_ms = static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(wait)));
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
  // Waiting transfers first, so that ending the active ones starts none.
  for (auto& [key, host] : hosts_) {
    for (auto& t : host.waiting) TellDone(*t->handler, absl::CancelledError("aixd is shutting down"));
  }
  hosts_.clear();
  while (!active_.empty()) {
    Finish(active_.begin()->second.get(), absl::CancelledError("aixd is shutting down"));
  }
  for (auto& [id, t] : delayed_) TellDone(*t->handler, absl::CancelledError("aixd is shutting down"));
  delayed_.clear();
  // Transfers started after the loop last looked, and any started from now
  // on (Start sees closed_), are told too: none is left unanswered.
  std::deque<std::unique_ptr<Transfer>> unseen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    unseen.swap(pending_);
  }
  for (auto& t : unseen) TellDone(*t->handler, absl::CancelledError("aixd is shutting down"));
}

}  // namespace aix::http
