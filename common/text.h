// Text that crosses a boundary: UTF-8 validity and terminal safety.
//
// Protobuf refuses to serialise a `string` field that is not UTF-8, so text
// is checked where it enters (the client's stdin and files, prompt files,
// provider bytes); and text from a provider is stripped of control
// characters before it reaches a terminal, where an escape sequence could
// rewrite the screen or the title.
#ifndef AIX_COMMON_TEXT_H_
#define AIX_COMMON_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace aix {

// FirstInvalidUtf8 returns the offset of the first byte that does not start
// or continue a valid UTF-8 sequence (overlong forms, surrogates and code
// points above U+10FFFF are invalid), or npos when all of `s` is valid.
size_t FirstInvalidUtf8(absl::string_view s);

// ToValidUtf8 replaces each invalid byte with U+FFFD.
std::string ToValidUtf8(absl::string_view s);

// NotUtf8Message explains where `s` (named `what`) stops being UTF-8 and how
// to convert it; `s` must contain an invalid byte.
std::string NotUtf8Message(absl::string_view what, absl::string_view s);

// StripControl removes C0 controls other than tab and newline, DEL, and C1
// controls (U+0080..U+009F), from valid UTF-8 text. ESC goes with them, so
// no escape sequence survives.
std::string StripControl(absl::string_view s);

// PrintableExcerpt is at most `max_bytes` of `s` (cut on a character
// boundary, "..." appended when cut), made valid UTF-8, without control
// characters, on one line: for quoting foreign text in an error message.
std::string PrintableExcerpt(absl::string_view s, size_t max_bytes);

}  // namespace aix

#endif  // AIX_COMMON_TEXT_H_
