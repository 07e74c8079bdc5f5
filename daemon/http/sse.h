// An incremental Server-Sent Events parser (the WHATWG "event stream"
// format), fed with whatever byte chunks the network delivers.
//
// Lines end with LF, CR or CRLF (a CRLF split across two chunks counts
// once). A line starting with ':' is a comment (OpenRouter sends
// ": OPENROUTER PROCESSING" while it waits); "field: value" sets a field,
// with one leading space of the value dropped; a blank line dispatches the
// event if it has data. Both OpenAI-style streams (data-only events) and
// Anthropic's named events ("event: content_block_delta") parse here; what
// the data means is the provider code's business.
#ifndef AIX_DAEMON_HTTP_SSE_H_
#define AIX_DAEMON_HTTP_SSE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace aix::http {

struct SseEvent {
  std::string type = "message";  // the "event" field, if any
  std::string data;              // "data" lines joined with '\n'
  std::string id;                // the last "id" seen
  bool operator==(const SseEvent& o) const {
    return type == o.type && data == o.data && id == o.id;
  }
};

class SseParser {
 public:
  // `max_event_bytes` bounds one event's data, so a peer that never ends an
  // event cannot exhaust memory.
  explicit SseParser(size_t max_event_bytes = 8 << 20) : max_event_bytes_(max_event_bytes) {}

  // Feed parses `chunk` and appends each event it completes to `out`.
  // ResourceExhausted once an event exceeds the limit; the parser is then
  // unusable.
  absl::Status Feed(absl::string_view chunk, std::vector<SseEvent>* out);

  // comments counts comment lines seen (keep-alives).
  size_t comments() const { return comments_; }

  // pending is true when bytes of an unfinished event are buffered; at the
  // end of a stream that means the peer stopped mid-event.
  bool pending() const {
    return !line_.empty() || !head_.empty() || has_data_ || !type_.empty();
  }

 private:
  absl::Status FeedBody(absl::string_view chunk, std::vector<SseEvent>* out);
  absl::Status Line(absl::string_view line, std::vector<SseEvent>* out);

  const size_t max_event_bytes_;
  std::string line_;       // the current, unterminated line
  bool after_cr_ = false;  // last byte was CR: a following LF is its pair
  bool bom_checked_ = false;
  std::string head_;       // first bytes, until the BOM question is settled
  bool failed_ = false;
  std::string type_;
  std::string data_;
  bool has_data_ = false;
  std::string last_id_;
  size_t comments_ = 0;
};

}  // namespace aix::http

#endif  // AIX_DAEMON_HTTP_SSE_H_
