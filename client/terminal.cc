#include "client/terminal.h"

#include <errno.h>
#include <signal.h>
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

// While a key is read the terminal does not echo; a signal that ends aix
// then must not leave the user's shell without echo.
termios g_saved_termios;

void RestoreAndReraise(int sig) {
  tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

bool IsTerminal(int fd) { return isatty(fd) == 1; }

absl::StatusOr<std::string> ReadSecret(const std::string& prompt) {
  if (!IsTerminal(STDIN_FILENO)) return ReadLine(STDIN_FILENO);
  termios old{};
  if (tcgetattr(STDIN_FILENO, &old) != 0) return ReadLine(STDIN_FILENO);
  g_saved_termios = old;
  constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  struct sigaction restore{}, previous[4];
  restore.sa_handler = RestoreAndReraise;
  sigemptyset(&restore.sa_mask);
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &restore, &previous[i]);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  // Echo goes off before the prompt shows, so nothing typed after the prompt
  // is echoed or lost; what was typed before it (already echoed) is dropped.
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::cerr << prompt << std::flush;
  auto line = ReadLine(STDIN_FILENO);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &previous[i], nullptr);
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
