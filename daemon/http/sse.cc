#include "daemon/http/sse.h"

#include "absl/strings/str_cat.h"

namespace aix::http {

absl::Status SseParser::Feed(absl::string_view chunk, std::vector<SseEvent>* out) {
  if (failed_) return absl::FailedPreconditionError("SSE parser already failed");
  if (!bom_checked_) {
    // A UTF-8 byte order mark may open the stream; it can arrive split.
    static constexpr absl::string_view kBom = "\xEF\xBB\xBF";
    head_.append(chunk.data(), chunk.size());
    if (head_.size() < kBom.size() && kBom.substr(0, head_.size()) == head_) {
      return absl::OkStatus();
    }
    bom_checked_ = true;
    std::string head = std::move(head_);
    absl::string_view rest = head;
    if (rest.substr(0, kBom.size()) == kBom) rest.remove_prefix(kBom.size());
    return FeedBody(rest, out);
  }
  return FeedBody(chunk, out);
}

absl::Status SseParser::FeedBody(absl::string_view chunk, std::vector<SseEvent>* out) {
  size_t start = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    char c = chunk[i];
    if (c != '\n' && c != '\r') {
      after_cr_ = false;
      continue;
    }
    if (c == '\n' && after_cr_) {
      // The LF of a CRLF whose CR already ended the line.
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    line_.append(chunk.data() + start, i - start);
    absl::Status s = Line(line_, out);
    line_.clear();
    if (!s.ok()) {
      failed_ = true;
      return s;
    }
    after_cr_ = c == '\r';
    start = i + 1;
  }
  line_.append(chunk.data() + start, chunk.size() - start);
  if (line_.size() > max_event_bytes_) {
    failed_ = true;
    return absl::ResourceExhaustedError(
        absl::StrCat("SSE line longer than ", max_event_bytes_, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status SseParser::Line(absl::string_view line, std::vector<SseEvent>* out) {
  if (line.empty()) {
    if (has_data_) {
      SseEvent e;
      if (!type_.empty()) e.type = type_;
      e.data = std::move(data_);
      e.id = last_id_;
      out->push_back(std::move(e));
    }
    data_.clear();
    has_data_ = false;
    type_.clear();
    return absl::OkStatus();
  }
  if (line[0] == ':') {
    ++comments_;
    return absl::OkStatus();
  }
  size_t colon = line.find(':');
  absl::string_view field = line.substr(0, colon);
  absl::string_view value;
  if (colon != absl::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value.data(), value.size());
    has_data_ = true;
    if (data_.size() > max_event_bytes_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("SSE event larger than ", max_event_bytes_, " bytes"));
    }
  } else if (field == "event") {
    type_ = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == absl::string_view::npos) last_id_ = std::string(value);
  }
  // "retry" and unknown fields are ignored, as the format requires.
  return absl::OkStatus();
}

}  // namespace aix::http
