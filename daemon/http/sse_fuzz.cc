// Fuzz target for SseParser. Properties: no crash or unbounded growth on
// any input, and the events do not depend on how the input is chunked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "daemon/http/sse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks a chunk size, the rest is the stream.
  size_t step = 1 + data[0] % 17;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  aix::http::SseParser whole(1 << 16);
  std::vector<aix::http::SseEvent> a;
  bool whole_ok = whole.Feed(text, &a).ok();

  aix::http::SseParser chunked(1 << 16);
  std::vector<aix::http::SseEvent> b;
  bool chunked_ok = true;
  for (size_t i = 0; i < text.size() && chunked_ok; i += step) {
    chunked_ok = chunked.Feed(absl::string_view(text).substr(i, step), &b).ok();
  }
  // Size limits may trip at different points; compare only clean runs.
  if (whole_ok && chunked_ok && !(a == b)) std::abort();
  return 0;
}
