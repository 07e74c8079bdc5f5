#include "daemon/http/pool.h"

#include <curl/curl.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace aix::http {

struct HttpPool::Transfer {
  uint64_t id = 0;
  HttpRequest request;
  std::shared_ptr<ResponseHandler> handler;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::map<std::string, std::string> response_headers;
  bool headers_sent = false;

  ~Transfer() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }

  void SendHeaders() {
    if (headers_sent) return;
    headers_sent = true;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    handler->OnHeaders(static_cast<int>(status), response_headers);
  }
};

namespace {

std::once_flag curl_init;

}  // namespace

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
  t->request = std::move(request);
  t->handler = std::move(handler);
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = t->id = next_id_++;
    pending_.push_back(std::move(t));
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
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

size_t HttpPool::OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->SendHeaders();
  t->handler->OnData(absl::string_view(data, size * n));
  return size * n;
}

size_t HttpPool::OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) {
    t->response_headers.clear();  // a new response (after 100-continue, redirects)
  }
  size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    t->response_headers[name] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

void HttpPool::AddPending() {
  std::deque<std::unique_ptr<Transfer>> pending;
  std::vector<uint64_t> cancels;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending.swap(pending_);
    cancels.swap(cancels_);
  }
  CURLM* multi = static_cast<CURLM*>(multi_);
  for (auto& t : pending) {
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
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);  // prefer multiplexing to new connections
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(r.connect_timeout)));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(r.timeout)));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (!r.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, r.ca_bundle.c_str());
    curl_multi_add_handle(multi, e);
    active_[t->id] = std::move(t);
  }
  for (uint64_t id : cancels) {
    auto it = active_.find(id);
    if (it != active_.end()) Finish(it->second.get(), absl::CancelledError("cancelled"));
  }
}

void HttpPool::Finish(Transfer* t, absl::Status status) {
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
  long connects = 0;
  curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
  connections_opened_ += connects;
  if (status.ok()) t->SendHeaders();
  t->handler->OnDone(status);
  active_.erase(t->id);  // destroys t
}

void HttpPool::Loop() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  while (!stopping_) {
    AddPending();
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode code = msg->data.result;
      absl::Status s = absl::OkStatus();
      if (code == CURLE_OPERATION_TIMEDOUT) {
        s = absl::DeadlineExceededError(curl_easy_strerror(code));
      } else if (code != CURLE_OK) {
        s = absl::UnavailableError(curl_easy_strerror(code));
      }
      Finish(t, s);
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  while (!active_.empty()) {
    Finish(active_.begin()->second.get(), absl::CancelledError("aixd is shutting down"));
  }
}

}  // namespace aix::http
