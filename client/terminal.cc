#include "client/terminal.h"

#include <errno.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/ascii.h"
#include "common/files.h"
#include "common/status_macros.h"

namespace aix {
namespace {

absl::StatusOr<std::string> ReadLine(int fd) {
  std::string line;
  char c;
  for (;;) {
    ssize_t n = read(fd, &c, 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read standard input");
    }
    if (n == 0 || c == '\n') break;
    line.push_back(c);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

bool IsTerminal(int fd) { return isatty(fd) == 1; }

absl::StatusOr<std::string> ReadSecret(const std::string& prompt) {
  if (!IsTerminal(STDIN_FILENO)) return ReadLine(STDIN_FILENO);
  std::cerr << prompt << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  auto line = ReadLine(STDIN_FILENO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  return line;
}

absl::StatusOr<std::string> Ask(const std::string& question,
                                const std::string& default_answer) {
  std::cerr << question;
  if (!default_answer.empty()) std::cerr << " [" << default_answer << "]";
  std::cerr << ": " << std::flush;
  AIX_ASSIGN_OR_RETURN(std::string line, ReadLine(STDIN_FILENO));
  std::string answer(absl::StripAsciiWhitespace(line));
  return answer.empty() ? default_answer : answer;
}

bool Confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  auto answer = ReadLine(STDIN_FILENO);
  if (!answer.ok()) return false;
  std::string a = absl::AsciiStrToLower(absl::StripAsciiWhitespace(*answer));
  return a == "y" || a == "yes";
}

}  // namespace aix
