// LineEditor reads what the user types in `aix chat`: a line editor
// (Debian's libedit, BSD-licensed: emacs keys by default, vi with "bind -v"
// in ~/.editrc) with input history kept across sessions.
//
// A message is one line; Enter sends it. Several lines:
//   - end a line with a backslash to go on to the next, or
//   - type """ alone on a line, then the lines (a paste included), then
//     """ alone again.
// Ctrl-C clears what is being typed (the session goes on); Ctrl-D on an
// empty line ends the input.
#ifndef AIX_CLIENT_LINE_EDITOR_H_
#define AIX_CLIENT_LINE_EDITOR_H_

#include <optional>
#include <string>

struct editline;
struct history;

namespace aix {

class LineEditor {
 public:
  // `history_file` keeps the input history (created 0600; "" keeps none).
  explicit LineEditor(std::string history_file);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Read returns the next message, "" when the user cleared it with
  // Ctrl-C, or nullopt at the end of input (Ctrl-D).
  std::optional<std::string> Read();

  // Called by libedit (its C callbacks); not for other use.
  const char* PromptText() const;
  void Interrupted() { interrupted_ = true; }

 private:
  // ReadLine returns one line without its newline, or nullopt at the end.
  std::optional<std::string> ReadLine();
  void Remember(const std::string& message);

  const std::string history_file_;
  ::editline* el_ = nullptr;
  ::history* hist_ = nullptr;
  bool continuing_ = false;
  bool interrupted_ = false;
};

}  // namespace aix

#endif  // AIX_CLIENT_LINE_EDITOR_H_
