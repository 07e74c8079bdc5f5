#include "daemon/http/collect.h"

#include <memory>

namespace aix::http {
namespace {

class Collector : public ResponseHandler {
 public:
  explicit Collector(CollectDone done) : done_(std::move(done)) {}
  void OnHeaders(const ResponseHead& head) override { response_.head = head; }
  bool OnData(absl::string_view chunk) override {
    response_.body.append(chunk.data(), chunk.size());
    return true;
  }
  void OnDone(absl::Status status) override {
    if (status.ok()) {
      done_(std::move(response_));
    } else {
      done_(status);
    }
  }

 private:
  CollectDone done_;
  HttpResponse response_;
};

}  // namespace

uint64_t Collect(HttpPool* pool, HttpRequest request, CollectDone done) {
  return pool->Start(std::move(request), std::make_shared<Collector>(std::move(done)));
}

}  // namespace aix::http
