// Fuzz target for both dialects' stream-event and whole-body handlers.
// Properties: nothing throws or crashes on any input; the text a reply
// accumulates is exactly the deltas handed out, and is valid UTF-8 (gRPC
// could not send it otherwise); token counts are never negative.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/text.h"
#include "daemon/http/sse.h"
#include "daemon/providers/dialect.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckReply(const aix::providers::Reply& r) {
  Check(r.prompt_tokens.value_or(0) >= 0 && r.completion_tokens.value_or(0) >= 0);
  Check(aix::FirstInvalidUtf8(r.text) == absl::string_view::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using aix::providers::DialectFor;
  using aix::providers::Reply;
  using aix::providers::Wire;
  if (size == 0) return 0;
  // First byte: bit 0 picks the dialect, bit 1 stream events or one body.
  const Wire wire = (data[0] & 1) ? Wire::kAnthropic : Wire::kOpenAi;
  const bool body_mode = (data[0] & 2) != 0;
  absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& dialect = DialectFor(wire);
  Reply reply;
  if (body_mode) {
    (void)dialect.OnBody(input, &reply);
    CheckReply(reply);
    Check(reply.tool_calls.size() <= aix::providers::kMaxToolCalls);
    return 0;
  }
  aix::http::SseParser parser(1 << 16);
  std::vector<aix::http::SseEvent> events;
  (void)parser.Feed(input, &events);
  std::string deltas;
  for (const auto& ev : events) {
    aix::providers::Delta delta;
    if (!dialect.OnEvent(ev, &reply, &delta).ok()) break;
    deltas += delta.text;
    for (const auto& call : delta.tool_calls) {
      Check(call.index >= 0 && call.index < static_cast<int>(aix::providers::kMaxToolCalls));
    }
  }
  Check(reply.text.empty());  // streamed text travels in the deltas only
  CheckReply(reply);
  return 0;
}
