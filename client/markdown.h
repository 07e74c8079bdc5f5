// Markdown answers rendered for a terminal (aix run/reply/chat --render):
// headings in bold, lists with bullets and numbers, code blocks indented and
// coloured, quotes behind a bar. Parsing is cmark-gfm's (Debian's
// libcmark-gfm); what is hand-written here is the streaming: an answer
// arrives in pieces, and a block is rendered once it is complete (a blank
// line, or the end of a fenced code block), so text still appears as the
// model writes it, a paragraph at a time. Pipes never get this: they get
// the raw text.
#ifndef AIX_CLIENT_MARKDOWN_H_
#define AIX_CLIENT_MARKDOWN_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace aix {

// RenderMarkdown renders complete Markdown as text with ANSI styles; control
// characters in the text (a provider's escape sequences) are shown as U+FFFD.
std::string RenderMarkdown(absl::string_view markdown);

// MarkdownStream renders an answer as it streams. Not thread-safe.
class MarkdownStream {
 public:
  // A block longer than this is rendered as it stands rather than held
  // back (an unterminated code fence in a long answer).
  static constexpr size_t kMaxHeldBytes = 64 << 10;

  // Feed takes the next piece of the answer and returns what can be shown.
  std::string Feed(absl::string_view text);
  // Flush returns the rest, at the end of the answer.
  std::string Flush();

 private:
  void Line(std::string line, std::string* out);
  void Emit(std::string* out);

  std::string partial_;  // text after the last newline
  std::string block_;    // complete lines of the block in progress
  std::string fence_;    // the open fence ("```", "~~~~"), or ""
  bool emitted_ = false;  // a block was shown (the next is set apart)
};

}  // namespace aix

#endif  // AIX_CLIENT_MARKDOWN_H_
