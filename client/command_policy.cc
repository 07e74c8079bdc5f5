#include "client/command_policy.h"

#include <algorithm>
#include <memory>

#include <re2/re2.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace aix {

const std::vector<std::string>& DefaultDeniedCommands() {
  static const auto* list = new std::vector<std::string>{
      "rm",     "rmdir",   "del",   "delete", "format", "fdisk",   "mkfs", "dd",
      "shutdown", "reboot", "halt", "poweroff", "init", "kill", "killall", "pkill",
      "chmod",  "chown",   "chgrp", "passwd", "sudo",   "su",      "doas", "runas",
      "wget",   "curl",    "ssh",   "scp",    "ftp",    "sftp",    "nc",   "netcat",
      "telnet", "truncate", "shred", "unlink", "wipefs"};
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
      R"(\bgit\s+clean\s+(-\w*f|--force))",
  };
  return *list;
}

namespace {

// Word is one shell word with its quotes removed; `expands` when an
// unquoted $ or backquote in it makes its value unknown until it runs.
struct Word {
  std::string text;
  bool expands = false;
};

// Simple is one simple command: its words, whether a pipe feeds it, and
// the files its > redirections truncate.
struct Simple {
  std::vector<Word> words;
  bool piped = false;
  std::vector<std::string> truncates;
};

bool Separator(char c) {
  return c == ';' || c == '&' || c == '|' || c == '\n' || c == '`' || c == '(' || c == ')' ||
         c == '<' || c == '>';
}

// Split splits `command` into simple commands the way a shell would at
// ; & | && || newlines, ( ), $( and backquotes (what is inside those is a
// simple command of its own), reading redirections.
std::vector<Simple> Split(absl::string_view command) {
  std::vector<Simple> out(1);
  size_t i = 0;
  auto read_word = [&](Word* w) {
    while (i < command.size()) {
      const char d = command[i];
      if (d == '\'' || d == '"') {
        size_t close = command.find(d, i + 1);
        if (close == absl::string_view::npos) close = command.size();
        absl::string_view inner = command.substr(i + 1, close - i - 1);
        if (d == '"' && (absl::StrContains(inner, "$") || absl::StrContains(inner, "`"))) w->expands = true;
        absl::StrAppend(&w->text, inner);
        i = close + 1;
        continue;
      }
      if (d == '\\' && i + 1 < command.size()) {
        w->text.push_back(command[i + 1]);
        i += 2;
        continue;
      }
      if (absl::ascii_isspace(static_cast<unsigned char>(d)) || Separator(d)) break;
      if (d == '$') {
        if (i + 1 < command.size() && command[i + 1] == '(') break;  // "$(": a command of its own
        w->expands = true;
      }
      w->text.push_back(d);
      ++i;
    }
  };
  while (i < command.size()) {
    const char c = command[i];
    if (c == '|' || c == ';' || c == '&' || c == '\n' || c == '`' || c == '(' || c == ')') {
      const bool pipe = c == '|' && !(i + 1 < command.size() && command[i + 1] == '|') &&
                        !(i > 0 && command[i - 1] == '|');
      if (!out.back().words.empty() || !out.back().truncates.empty()) out.emplace_back();
      out.back().piped = out.back().piped || pipe;
      ++i;
      continue;
    }
    if (c == '$' && i + 1 < command.size() && command[i + 1] == '(') {
      i += 2;
      if (!out.back().words.empty()) out.emplace_back();
      continue;
    }
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '<' || c == '>') {
      // A redirection: its operator, then its target (not a command word).
      const bool out_redirect = c == '>';
      ++i;
      bool append = false, dup = false;
      if (i < command.size() && command[i] == '>') append = true, ++i;
      if (i < command.size() && (command[i] == '&' || command[i] == '|')) dup = command[i] == '&', ++i;
      while (i < command.size() && absl::ascii_isspace(static_cast<unsigned char>(command[i]))) ++i;
      Word target;
      read_word(&target);
      static const char* const kHarmless[] = {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"};
      const bool harmless = std::find(std::begin(kHarmless), std::end(kHarmless), target.text) !=
                            std::end(kHarmless);
      if (out_redirect && !append && !dup && !harmless) {
        out.back().truncates.push_back(target.text.empty() ? "(nothing)" : target.text);
      }
      continue;
    }
    Word w;
    read_word(&w);
    // "2>file": the digits are the redirected descriptor, not a word.
    if (i < command.size() && (command[i] == '>' || command[i] == '<') && !w.text.empty() &&
        std::all_of(w.text.begin(), w.text.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      continue;
    }
    if (!w.text.empty() || w.expands) out.back().words.push_back(std::move(w));
  }
  return out;
}

std::string Base(const std::string& word) {
  const size_t slash = word.rfind('/');
  return slash == std::string::npos ? word : word.substr(slash + 1);
}

// NameAt is the index of the command's name: the first word that is not
// a VAR=value assignment; words.size() when there is none.
size_t NameAt(const std::vector<Word>& words) {
  size_t k = 0;
  while (k < words.size()) {
    const std::string& t = words[k].text;
    const size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0 || t.find('/') < eq) break;
    ++k;
  }
  return k;
}

// Commands that run another command named among their arguments: every
// word after them is checked as a command name.
bool Wrapper(const std::string& name) {
  static const char* const kWrappers[] = {
      "command", "builtin", "env",   "exec",   "nice",  "nohup", "time",    "timeout",
      "stdbuf",  "setsid",  "ionice", "xargs", "find",  "watch", "flock",   "chrt",
      "taskset", "strace",  "unbuffer", "parallel", "busybox", "chroot", "sg", "runuser"};
  return std::find(std::begin(kWrappers), std::end(kWrappers), name) != std::end(kWrappers);
}

bool Shell(const std::string& name) {
  static const char* const kShells[] = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh"};
  return std::find(std::begin(kShells), std::end(kShells), name) != std::end(kShells);
}

absl::Status Refuse(absl::string_view command, absl::string_view why) {
  return absl::PermissionDeniedError(absl::StrCat("the command `", command, "` ", why));
}

absl::Status CheckSimple(absl::string_view command, const Simple& s,
                         const std::vector<std::string>& list, bool defaults, int depth) {
  auto denied = [&](const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  auto refuse_name = [&](const std::string& name) {
    return Refuse(command, absl::StrCat("runs '", name, "', which is in the ",
                                        defaults ? "built-in list of disabled commands"
                                                 : "disabled_commands setting"));
  };
  if (!s.truncates.empty()) {
    return Refuse(command, absl::StrCat("writes over ", s.truncates.front(),
                                        " (a > redirection empties a file first); template commands "
                                        "may append (>>) or write to /dev/null only"));
  }
  const size_t at = NameAt(s.words);
  if (at == s.words.size()) return absl::OkStatus();
  const Word& name_word = s.words[at];
  if (name_word.expands) {
    return Refuse(command, absl::StrCat("runs a command whose name comes from an expansion ('",
                                        name_word.text, "'), so aix cannot tell what it runs"));
  }
  const std::string name = Base(name_word.text);
  if (denied(name)) return refuse_name(name);
  if (name == "find") {
    for (const Word& w : s.words) {
      if (w.text == "-delete") return Refuse(command, "deletes files (find -delete)");
    }
  }
  if (Wrapper(name)) {
    for (size_t k = at + 1; k < s.words.size(); ++k) {
      if (s.words[k].expands && k == at + 1) {
        return Refuse(command, absl::StrCat("has ", name, " run a command named by an expansion ('",
                                            s.words[k].text, "')"));
      }
      const std::string arg = Base(s.words[k].text);
      if (denied(arg)) return refuse_name(arg);
      if (Shell(arg)) return Refuse(command, absl::StrCat("has ", name, " start a shell (", arg, ")"));
    }
  }
  if (Shell(name)) {
    bool script = false;
    for (size_t k = at + 1; k < s.words.size(); ++k) {
      const std::string& t = s.words[k].text;
      const bool dash_c = t.size() >= 2 && t[0] == '-' && t[1] != '-' && t.find('c') != std::string::npos;
      if (dash_c && k + 1 < s.words.size()) {
        // The shell's script is itself checked, as one more command.
        if (depth >= 4) return Refuse(command, "nests shells too deeply to check");
        absl::Status inner = absl::OkStatus();
        for (const Simple& sub : Split(s.words[k + 1].text)) {
          inner = CheckSimple(command, sub, list, defaults, depth + 1);
          if (!inner.ok()) return inner;
        }
        script = true;
        break;
      }
      if (!t.empty() && t[0] != '-') {
        script = true;  // a script file: aix cannot see into it
        break;
      }
    }
    if (!script && s.piped) {
      return Refuse(command, absl::StrCat("pipes text into a shell (", name,
                                          ") to run as commands, which aix cannot check"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> CommandNames(absl::string_view command) {
  std::vector<std::string> names;
  for (const Simple& s : Split(command)) {
    const size_t at = NameAt(s.words);
    if (at < s.words.size()) names.push_back(Base(s.words[at].text));
  }
  return names;
}

absl::Status CheckCommand(absl::string_view command, const std::vector<std::string>& denied) {
  const std::vector<std::string>& list = denied.empty() ? DefaultDeniedCommands() : denied;
  for (const Simple& s : Split(command)) {
    AIX_RETURN_IF_ERROR(CheckSimple(command, s, list, denied.empty(), 0));
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
