#include "common/template.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace aix::prompts {
namespace {

bool IsNameStart(char c) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

absl::Status SyntaxError(absl::string_view text, size_t at, absl::string_view what) {
  int line = 1, col = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "template line ", line, ", column ", col, ": ", what,
      ". Placeholders look like {name}; write {{ and }} for literal braces"));
}

// PlaceholderEnd returns the index of the '}' closing a {name} that starts
// at `at`, or npos if none starts there.
size_t PlaceholderEnd(absl::string_view text, size_t at) {
  size_t end = at + 1;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  if (end == at + 1 || !IsNameStart(text[at + 1]) || end >= text.size() || text[end] != '}') {
    return absl::string_view::npos;
  }
  return end;
}

// CommandOpener returns "{exec:" or "{cmd:" if one starts at `at`.
absl::string_view CommandOpener(absl::string_view text, size_t at) {
  for (absl::string_view o : {absl::string_view("{exec:"), absl::string_view("{cmd:")}) {
    if (text.substr(at, o.size()) == o) return o;
  }
  return {};
}

// ClosingParen finds the ')' that ends a $( command whose body starts at
// `from`, as the shell would: parentheses nest, and quotes and backslashes
// hide them ($(python3 -c 'f(x)') is one command, not "python3 -c 'f(x").
// npos when there is none.
size_t ClosingParen(absl::string_view text, size_t from) {
  int depth = 1;
  for (size_t j = from; j < text.size(); ++j) {
    const char c = text[j];
    if (c == '\\') {
      ++j;
    } else if (c == '\'') {
      j = text.find('\'', j + 1);
      if (j == absl::string_view::npos) return j;
    } else if (c == '"') {
      for (++j; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\') ++j;
      }
      if (j >= text.size()) return absl::string_view::npos;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return j;
    }
  }
  return absl::string_view::npos;
}

}  // namespace

absl::StatusOr<Template> Template::Parse(absl::string_view text) {
  Template t;
  auto add_variable = [&t](const std::string& name) {
    if (std::find(t.variables_.begin(), t.variables_.end(), name) == t.variables_.end()) {
      t.variables_.push_back(name);
    }
  };
  // Plain parses [begin, end) of `text`: literals, {{ }} and {name}.
  auto plain = [&](size_t begin, size_t end, std::vector<Piece>* out) -> absl::Status {
    std::string literal;
    auto flush = [&] {
      if (!literal.empty()) out->push_back({Piece::kLiteral, std::move(literal)});
      literal.clear();
    };
    for (size_t i = begin; i < end; ++i) {
      char c = text[i];
      if ((c == '{' || c == '}') && i + 1 < end && text[i + 1] == c) {
        literal.push_back(c);
        ++i;
        continue;
      }
      if (c == '}') return SyntaxError(text, i, "'}' without a matching '{'");
      if (c != '{') {
        literal.push_back(c);
        continue;
      }
      size_t close = PlaceholderEnd(text.substr(0, end), i);
      if (close == absl::string_view::npos) {
        return SyntaxError(text, i, "'{' does not start a placeholder");
      }
      std::string name(text.substr(i + 1, close - i - 1));
      flush();
      add_variable(name);
      out->push_back({Piece::kVariable, std::move(name)});
      i = close;
    }
    flush();
    return absl::OkStatus();
  };

  size_t literal_from = 0;  // start of the plain run not yet parsed
  auto flush_plain = [&](size_t upto) -> absl::Status {
    absl::Status s = plain(literal_from, upto, &t.pieces_);
    return s;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '$' && text.substr(i, 3) == "$$(") {
      if (absl::Status s = flush_plain(i); !s.ok()) return s;
      t.pieces_.push_back({Piece::kLiteral, "$("});
      i += 2;
      literal_from = i + 1;
      continue;
    }
    absl::string_view opener = CommandOpener(text, i);
    bool dollar = c == '$' && i + 1 < text.size() && text[i + 1] == '(';
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      ++i;  // a literal brace: leave it to plain()
      continue;
    }
    if (!dollar && opener.empty()) continue;
    Command cmd;
    size_t body_begin, body_end;
    if (dollar) {
      cmd.open = "$(";
      cmd.close = ")";
      body_begin = i + 2;
      body_end = ClosingParen(text, body_begin);
      if (body_end == absl::string_view::npos) {
        return SyntaxError(text, i, "'$(' without a closing ')' (write $$( for a literal $()");
      }
    } else {
      cmd.open = std::string(opener);
      cmd.close = "}";
      body_begin = i + opener.size();
      body_end = absl::string_view::npos;
      for (size_t j = body_begin; j < text.size(); ++j) {
        if ((text[j] == '{' || text[j] == '}') && j + 1 < text.size() && text[j + 1] == text[j]) {
          ++j;
          continue;
        }
        if (text[j] == '{') {
          size_t close = PlaceholderEnd(text, j);
          if (close == absl::string_view::npos) {
            return SyntaxError(text, j, "'{' does not start a placeholder");
          }
          j = close;
          continue;
        }
        if (text[j] == '}') {
          body_end = j;
          break;
        }
      }
      if (body_end == absl::string_view::npos) {
        return SyntaxError(text, i, absl::StrCat("'", opener, "' without a closing '}'"));
      }
    }
    if (absl::StripAsciiWhitespace(text.substr(body_begin, body_end - body_begin)).empty()) {
      return SyntaxError(text, i, "an empty command");
    }
    if (absl::Status s = flush_plain(i); !s.ok()) return s;
    if (absl::Status s = plain(body_begin, body_end, &cmd.body); !s.ok()) return s;
    cmd.source = std::string(text.substr(body_begin, body_end - body_begin));
    t.pieces_.push_back({Piece::kCommand, cmd.open, static_cast<int>(t.commands_.size())});
    t.commands_.push_back(std::move(cmd));
    i = body_end;
    literal_from = i + 1;
  }
  if (absl::Status s = flush_plain(text.size()); !s.ok()) return s;
  return t;
}

std::vector<std::string> Template::CommandSources() const {
  std::vector<std::string> out;
  for (const Command& c : commands_) out.push_back(c.source);
  return out;
}

std::string Template::Fill(const std::vector<Piece>& pieces, const Params& params) {
  std::string out;
  for (const Piece& p : pieces) out += p.kind == Piece::kVariable ? params.at(p.text) : p.text;
  return out;
}

absl::StatusOr<std::vector<std::string>> Template::RenderCommands(const Params& params) const {
  std::vector<std::string> missing;
  for (const std::string& v : variables_) {
    if (params.find(v) == params.end()) missing.push_back(v);
  }
  if (!missing.empty()) return Render(params).status();
  std::vector<std::string> out;
  for (const Command& c : commands_) out.push_back(Fill(c.body, params));
  return out;
}

absl::StatusOr<std::string> Template::Render(const Params& params,
                                             std::vector<std::string>* unused,
                                             const std::vector<std::string>* command_outputs) const {
  std::vector<std::string> missing;
  for (const std::string& v : variables_) {
    if (params.find(v) == params.end()) missing.push_back(v);
  }
  if (!missing.empty()) {
    std::vector<std::string> flags;
    for (const std::string& m : missing) flags.push_back(absl::StrCat("--param ", m, "=..."));
    return absl::InvalidArgumentError(absl::StrCat(
        "missing parameter", missing.size() > 1 ? "s " : " ", absl::StrJoin(missing, ", "),
        "; pass ", absl::StrJoin(flags, " ")));
  }
  if (command_outputs != nullptr && command_outputs->size() != commands_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the template has ", commands_.size(), " command(s) but ", command_outputs->size(),
        " output(s) were given"));
  }
  if (unused != nullptr) {
    for (const auto& [name, value] : params) {
      if (std::find(variables_.begin(), variables_.end(), name) == variables_.end()) {
        unused->push_back(name);
      }
    }
  }
  std::string out;
  for (const Piece& p : pieces_) {
    switch (p.kind) {
      case Piece::kLiteral:
        out += p.text;
        break;
      case Piece::kVariable:
        out += params.at(p.text);
        break;
      case Piece::kCommand: {
        const Command& c = commands_[static_cast<size_t>(p.command)];
        if (command_outputs != nullptr) {
          out += (*command_outputs)[static_cast<size_t>(p.command)];
        } else {
          out += c.open + Fill(c.body, params) + c.close;
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace aix::prompts
