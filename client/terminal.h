// Talking to a person at a terminal: hidden input, confirmations.
#ifndef AIX_CLIENT_TERMINAL_H_
#define AIX_CLIENT_TERMINAL_H_

#include <string>

#include "absl/status/statusor.h"

namespace aix {

// IsTerminal reports whether `fd` is a terminal.
bool IsTerminal(int fd);

// ReadSecret reads one line from stdin. On a terminal it first prints
// `prompt` to stderr and turns echo off while reading; piped input is read
// up to the first newline or EOF. The trailing newline is dropped.
absl::StatusOr<std::string> ReadSecret(const std::string& prompt);

// Ask prints `question` (and `default_answer` in brackets, if any) on
// stderr and reads one line; an empty answer is `default_answer`.
absl::StatusOr<std::string> Ask(const std::string& question,
                                const std::string& default_answer = "");

// Confirm asks `question` on stderr and reads y/yes (anything else is no).
bool Confirm(const std::string& question);

}  // namespace aix

#endif  // AIX_CLIENT_TERMINAL_H_
