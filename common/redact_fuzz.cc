// Fuzz target for the redactor: the first bytes choose a secret, the rest is
// provider text cut into pieces at fuzzer-chosen places. Properties: no
// piece of the secret kFragment bytes long survives Scrub; streamed in any
// pieces, the output holds the secret nowhere. (Secrets with the mark's
// characters, '[', ']' and ' ', or a piece of the mark ("redacted") are
// left out: no API key is like that, and the mark could then spell one.)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/redact.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t key_len = aix::Redactor::kMinSecret + data[0] % 40;
  if (size < 1 + key_len) return 0;
  const std::string key(reinterpret_cast<const char*>(data + 1), key_len);
  const std::string text(reinterpret_cast<const char*>(data + 1 + key_len), size - 1 - key_len);
  if (key.find_first_of("[] ") != std::string::npos) return 0;
  const size_t f = std::min(key.size(), aix::Redactor::kFragment);
  for (size_t i = 0; i + f <= key.size(); ++i) {
    if (aix::Redactor::kMark.find(key.substr(i, f)) != absl::string_view::npos) return 0;  // "redacted"
  }
  aix::Redactor r;
  r.Add(key);
  for (const std::string& in : {text, key + text + key}) {
    const std::string out = r.Scrub(in);
    for (size_t i = 0; i + f <= key.size(); ++i) Check(out.find(key.substr(i, f)) == std::string::npos);
  }
  // Streamed: the text with the key inside, cut where the text's bytes say.
  const std::string whole = text.substr(0, text.size() / 2) + key + text.substr(text.size() / 2);
  aix::StreamRedactor s(&r);
  std::string out;
  size_t at = 0;
  for (size_t i = 0; at < whole.size(); ++i) {
    const size_t step = 1 + (i < text.size() ? static_cast<unsigned char>(text[i]) % 17 : 7);
    out += s.Feed(whole.substr(at, step));
    at += step;
  }
  out += s.Flush();
  Check(out.find(key) == std::string::npos);
  return 0;
}
