// Redaction of known secrets from text that came from outside.
//
// aixd knows every key it sends. A provider may echo one back (an error
// body that repeats the Authorization header, a gateway that logs the
// request into its answer); whatever it does, no text of its leaves aixd
// with a key in it. A Redactor holds the secrets of one run or call;
// every provider text that goes to a terminal, the history, an HTTP client
// or the log passes through it.
#ifndef AIX_COMMON_REDACT_H_
#define AIX_COMMON_REDACT_H_

#include <string>
#include <unordered_set>
#include <vector>

#include "absl/strings/string_view.h"

namespace aix {

class Redactor {
 public:
  // kMinSecret: shorter values ("ollama", "none") are not secrets worth the
  // damage that masking them in ordinary text would do.
  static constexpr size_t kMinSecret = 8;
  // kFragment: in Scrub, any piece of a secret this long (or the whole of a
  // shorter one) is masked too, so a key cut short by a truncated message,
  // or with a character escaped in JSON, still does not get through.
  static constexpr size_t kFragment = 12;
  // What stands where a secret was.
  static constexpr absl::string_view kMark = "[key redacted]";

  // Add remembers `secret` (ignored when shorter than kMinSecret).
  void Add(absl::string_view secret);
  bool empty() const { return secrets_.empty(); }

  // Scrub returns `text` with every secret and every fragment of one
  // (kFragment bytes or more) replaced by kMark. Linear in the text.
  std::string Scrub(absl::string_view text) const;

  // Longest secret, for the stream below.
  size_t longest() const { return longest_; }
  const std::vector<std::string>& secrets() const { return secrets_; }

 private:
  std::vector<std::string> secrets_;
  std::unordered_set<std::string> grams_;  // every kFragment-byte piece
  size_t longest_ = 0;
  size_t shortest_ = 0;
};

// StreamRedactor scrubs text that arrives in pieces (a streamed answer),
// where a key may be split across two pieces. It holds back the end of a
// piece only while that end could be the start of a secret, so text is
// delayed only when it ends in what a key begins with.
class StreamRedactor {
 public:
  explicit StreamRedactor(const Redactor* redactor) : redactor_(redactor) {}

  // Feed returns the text of `piece` (and of what was held back) that is
  // safe to send now.
  std::string Feed(absl::string_view piece);
  // Flush returns what is held back, at the end of the stream: a held
  // beginning of a secret kFragment bytes or longer is masked.
  std::string Flush();

 private:
  const Redactor* redactor_;
  std::string held_;
};

}  // namespace aix

#endif  // AIX_COMMON_REDACT_H_
