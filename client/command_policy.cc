#include "client/command_policy.h"

#include <algorithm>
#include <memory>

#include <re2/re2.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace aix {

const std::vector<std::string>& DefaultDeniedCommands() {
  static const auto* list = new std::vector<std::string>{
      "rm",     "rmdir",   "del",   "delete", "format", "fdisk",   "mkfs", "dd",
      "shutdown", "reboot", "halt", "poweroff", "init", "kill", "killall", "pkill",
      "chmod",  "chown",   "chgrp", "passwd", "sudo",   "su",      "doas", "runas",
      "wget",   "curl",    "ssh",   "scp",    "ftp",    "sftp",    "nc",   "netcat",
      "telnet"};
  return *list;
}

const std::vector<std::string>& DangerousPatterns() {
  static const auto* list = new std::vector<std::string>{
      R"(rm\s+-rf\s+/)",
      R"(:\(\)\s*\{\s*:\|:&\s*\}\s*;\s*:)",
      R"(>\s*/dev/sd[a-z])",
      R"(dd\s+.*of\s*=\s*/dev/)",
      R"(chmod\s+777\s+/)",
      R"(chown\s+.*\s+/)",
      R"(\|\s*sh\s*$)",
      R"(^\s*eval\s+)",
      R"(^\s*exec\s+)",
      R"(^\s*source\s+)",
      R"(^\s*\.\s+)",
      R"(mv\s+.*\s+/)",
      R"(cp\s+.*\s+/\s*$)",
      R"(rsync\s+.*\s+/\s*$)",
  };
  return *list;
}

std::vector<std::string> CommandNames(absl::string_view command) {
  std::vector<std::string> names;
  bool expect_name = true;  // at the start of a simple command
  size_t i = 0;
  auto skip_space = [&] {
    while (i < command.size() && absl::ascii_isspace(static_cast<unsigned char>(command[i])) &&
           command[i] != '\n') {
      ++i;
    }
  };
  while (i < command.size()) {
    char c = command[i];
    if (c == ';' || c == '&' || c == '|' || c == '\n' || c == '`' || c == '(' || c == ')') {
      expect_name = true;
      ++i;
      continue;
    }
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      skip_space();
      continue;
    }
    // One word, quotes removed.
    std::string word;
    while (i < command.size()) {
      char d = command[i];
      if (d == '\'' || d == '"') {
        size_t close = command.find(d, i + 1);
        if (close == absl::string_view::npos) close = command.size();
        absl::StrAppend(&word, command.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
      if (d == '\\' && i + 1 < command.size()) {
        word.push_back(command[i + 1]);
        i += 2;
        continue;
      }
      if (absl::ascii_isspace(static_cast<unsigned char>(d)) || d == ';' || d == '&' ||
          d == '|' || d == '`' || d == '(' || d == ')') {
        break;
      }
      if (d == '$' && i + 1 < command.size() && command[i + 1] == '(') break;
      word.push_back(d);
      ++i;
    }
    if (i < command.size() && command[i] == '$') ++i;  // "$(": the '(' follows
    if (!expect_name || word.empty()) continue;
    size_t eq = word.find('=');
    if (eq != std::string::npos && eq > 0 && word.find('/') > eq) continue;  // VAR=value
    size_t slash = word.rfind('/');
    names.push_back(slash == std::string::npos ? word : word.substr(slash + 1));
    expect_name = false;
  }
  return names;
}

absl::Status CheckCommand(absl::string_view command, const std::vector<std::string>& denied) {
  const std::vector<std::string>& list = denied.empty() ? DefaultDeniedCommands() : denied;
  for (const std::string& name : CommandNames(command)) {
    if (std::find(list.begin(), list.end(), name) != list.end()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the command `", command, "` runs '", name, "', which is in the ",
          denied.empty() ? "built-in list of disabled commands" : "disabled_commands setting"));
    }
  }
  // RE2: linear time whatever the command, where a backtracking engine
  // could recurse itself off the stack on a long one.
  static const auto* compiled = [] {
    auto* out = new std::vector<std::unique_ptr<RE2>>();
    RE2::Options options;
    options.set_case_sensitive(false);
    options.set_log_errors(false);
    for (const std::string& p : DangerousPatterns()) out->push_back(std::make_unique<RE2>(p, options));
    return out;
  }();
  for (size_t i = 0; i < compiled->size(); ++i) {
    const std::string& pattern = DangerousPatterns()[i];
    if (RE2::PartialMatch(re2::StringPiece(command.data(), command.size()), *(*compiled)[i])) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the command `", command, "` matches the dangerous pattern ", pattern));
    }
  }
  return absl::OkStatus();
}

}  // namespace aix
