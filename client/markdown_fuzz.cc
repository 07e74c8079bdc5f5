// Fuzz target for MarkdownStream. Properties: nothing crashes; an answer
// fed in pieces (split where the input says) shows exactly what it shows
// fed whole; rendered text holds no control character but ESC (ours) and
// newline and tab.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "client/markdown.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the piece length.
  const size_t piece = 1 + data[0] % 17;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  aix::MarkdownStream whole;
  std::string once = whole.Feed(text);
  once += whole.Flush();
  aix::MarkdownStream pieces;
  std::string split;
  for (size_t i = 0; i < text.size(); i += piece) split += pieces.Feed(text.substr(i, piece));
  split += pieces.Flush();
  if (split != once) std::abort();
  // Escape sequences in the output are ours: ESC '[' digits 'm'.
  for (size_t i = 0; i < once.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(once[i]);
    if (c == 0x1b) {
      size_t j = i + 1;
      if (j >= once.size() || once[j] != '[') std::abort();
      ++j;
      while (j < once.size() && once[j] >= '0' && once[j] <= '9') ++j;
      if (j >= once.size() || once[j] != 'm') std::abort();
      i = j;
    } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      std::abort();
    }
  }
  return 0;
}
