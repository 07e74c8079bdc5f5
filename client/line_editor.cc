#include "client/line_editor.h"

#include <fcntl.h>
#include <histedit.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace aix {
namespace {

constexpr int kHistoryEntries = 1000;
constexpr char kBlock[] = "\"\"\"";

LineEditor* EditorOf(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data);
}

char* Prompt(EditLine* el) { return const_cast<char*>(EditorOf(el)->PromptText()); }

// Ctrl-C while typing: the line is dropped, not the session (the
// terminal's own interrupt is off while libedit reads, so that a signal
// does not leave it half-way through a redraw).
unsigned char Interrupt(EditLine* el, int) {
  EditorOf(el)->Interrupted();
  return CC_NEWLINE;
}

}  // namespace

LineEditor::LineEditor(std::string history_file) : history_file_(std::move(history_file)) {
  el_ = el_init("aix", stdin, stdout, stderr);
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_PROMPT, &Prompt);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_SIGNAL, 1);
  el_set(el_, EL_SETTY, "-d", "-isig", nullptr);
  el_set(el_, EL_ADDFN, "aix-interrupt", "Drop the line being typed", &Interrupt);
  el_set(el_, EL_BIND, "^C", "aix-interrupt", nullptr);
  hist_ = history_init();
  HistEvent ev;
  history(hist_, &ev, H_SETSIZE, kHistoryEntries);
  history(hist_, &ev, H_SETUNIQUE, 1);
  if (!history_file_.empty()) history(hist_, &ev, H_LOAD, history_file_.c_str());
  el_set(el_, EL_HIST, history, hist_);
  el_source(el_, nullptr);  // ~/.editrc: the user's key bindings
}

LineEditor::~LineEditor() {
  el_end(el_);
  history_end(hist_);
}

const char* LineEditor::PromptText() const { return continuing_ ? "... " : "> "; }

std::optional<std::string> LineEditor::ReadLine() {
  interrupted_ = false;
  int count = 0;
  const char* line = el_gets(el_, &count);
  if (interrupted_) {
    std::fputs("^C\n", stdout);
    std::fflush(stdout);
    return std::string();
  }
  if (line == nullptr || count <= 0) return std::nullopt;
  std::string out(line, static_cast<size_t>(count));
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::optional<std::string> LineEditor::Read() {
  continuing_ = false;
  std::optional<std::string> first = ReadLine();
  if (!first) return std::nullopt;
  if (interrupted_) return std::string();
  std::string message;
  continuing_ = true;  // the prompt of any line after the first
  if (absl::StripAsciiWhitespace(*first) == kBlock) {
    // Everything up to the closing """ is one message; Ctrl-D ends it too.
    std::vector<std::string> lines;
    for (std::optional<std::string> line; (line = ReadLine()) &&
                                          absl::StripAsciiWhitespace(*line) != kBlock;) {
      if (interrupted_) return std::string();
      lines.push_back(*std::move(line));
    }
    message = absl::StrJoin(lines, "\n");
  } else {
    message = *first;
    while (absl::EndsWith(message, "\\")) {
      message.back() = '\n';
      std::optional<std::string> line = ReadLine();
      if (!line) break;
      if (interrupted_) return std::string();
      message += *line;
    }
  }
  Remember(message);
  return message;
}

void LineEditor::Remember(const std::string& message) {
  if (absl::StripAsciiWhitespace(message).empty()) return;
  HistEvent ev;
  history(hist_, &ev, H_ENTER, message.c_str());
  if (history_file_.empty()) return;
  // Created 0600: what people type to a model is as private as its answers.
  int fd = open(history_file_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) close(fd);
  history(hist_, &ev, H_SAVE, history_file_.c_str());
}

}  // namespace aix
