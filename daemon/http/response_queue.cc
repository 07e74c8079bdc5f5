#include "daemon/http/response_queue.h"

namespace aix::http {

void ResponseQueue::OnHeaders(int status, const std::map<std::string, std::string>& headers) {
  Push({Item::kHeaders, status, headers, {}, absl::OkStatus()});
}

void ResponseQueue::OnData(absl::string_view chunk) {
  Push({Item::kData, 0, {}, std::string(chunk), absl::OkStatus()});
}

void ResponseQueue::OnDone(absl::Status status) {
  Push({Item::kDone, 0, {}, {}, std::move(status)});
}

void ResponseQueue::Push(Item item) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(std::move(item));
  }
  cv_.notify_one();
}

bool ResponseQueue::Pop(Item* out, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [this] { return !items_.empty(); })) {
    return false;
  }
  *out = std::move(items_.front());
  items_.pop_front();
  return true;
}

absl::StatusOr<HttpResponse> FetchAll(HttpPool* pool, HttpRequest request,
                                      const std::function<bool()>& cancelled) {
  auto queue = std::make_shared<ResponseQueue>();
  const uint64_t id = pool->Start(std::move(request), queue);
  HttpResponse response;
  for (;;) {
    if (cancelled()) {
      pool->Cancel(id);
      return absl::CancelledError("cancelled by the client");
    }
    ResponseQueue::Item item;
    if (!queue->Pop(&item, absl::Milliseconds(20))) continue;
    switch (item.kind) {
      case ResponseQueue::Item::kHeaders:
        response.status = item.status;
        response.headers = std::move(item.headers);
        break;
      case ResponseQueue::Item::kData:
        response.body += item.data;
        break;
      case ResponseQueue::Item::kDone:
        if (!item.done.ok()) return item.done;
        return response;
    }
  }
}

}  // namespace aix::http
