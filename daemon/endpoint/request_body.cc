#include "daemon/endpoint/request_body.h"

#include <malloc.h>

#include "absl/strings/str_cat.h"

namespace aix::endpoint {
namespace {

// A body at least this large was parsed: its memory goes back to the
// system once the request is taken apart.
constexpr size_t kTrimAfterBody = 1 << 20;

}  // namespace

int RequestBody::Refusal(std::string* message) const {
  if (too_large_) {
    *message = absl::StrCat("the request body is over ", kMaxBody >> 20, " MiB");
    return 413;
  }
  if (over_budget_) {
    *message = absl::StrCat("aixd is taking in more than ", BodyBudget::kMaxBuffered >> 20,
                            " MiB of requests at once; send this one again shortly");
    return 503;
  }
  return 0;
}

bool BodyBudget::Take(size_t n) {
  size_t now = held_.load();
  do {
    if (now + n > kMaxBuffered) return false;
  } while (!held_.compare_exchange_weak(now, now + n));
  return true;
}

void RequestBody::Append(const char* data, size_t n) {
  if (too_large_ || over_budget_) return;
  if (text_.size() + n > kMaxBody) {
    too_large_ = true;
    Release();
    return;
  }
  if (!budget_->Take(n)) {
    over_budget_ = true;
    Release();
    return;
  }
  counted_ += n;
  text_.append(data, n);
}

void RequestBody::Release() {
  const size_t size = text_.capacity();
  std::string().swap(text_);
  if (counted_ > 0) budget_->Give(counted_);
  counted_ = 0;
  if (size >= kTrimAfterBody) malloc_trim(0);
}

}  // namespace aix::endpoint
