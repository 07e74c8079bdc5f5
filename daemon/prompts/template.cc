#include "daemon/prompts/template.h"

#include <algorithm>

#include "absl/strings/ascii.h"
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

absl::Status BraceError(absl::string_view text, size_t at, absl::string_view what) {
  int line = 1, col = 1;
  for (size_t i = 0; i < at; ++i) {
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

}  // namespace

absl::StatusOr<Template> Template::Parse(absl::string_view text) {
  Template t;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.pieces_.push_back({false, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal.push_back('}');
        ++i;
        continue;
      }
      return BraceError(text, i, "'}' without a matching '{'");
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal.push_back('{');
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && IsNameChar(text[end])) ++end;
    if (end == i + 1 || !IsNameStart(text[i + 1]) || end >= text.size() ||
        text[end] != '}') {
      return BraceError(text, i, "'{' does not start a placeholder");
    }
    std::string name(text.substr(i + 1, end - i - 1));
    flush();
    if (std::find(t.variables_.begin(), t.variables_.end(), name) == t.variables_.end()) {
      t.variables_.push_back(name);
    }
    t.pieces_.push_back({true, std::move(name)});
    i = end;
  }
  flush();
  return t;
}

absl::StatusOr<std::string> Template::Render(
    const std::map<std::string, std::string>& params,
    std::vector<std::string>* unused) const {
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
  if (unused != nullptr) {
    for (const auto& [name, value] : params) {
      if (std::find(variables_.begin(), variables_.end(), name) == variables_.end()) {
        unused->push_back(name);
      }
    }
  }
  std::string out;
  for (const Piece& p : pieces_) {
    out += p.is_variable ? params.at(p.text) : p.text;
  }
  return out;
}

}  // namespace aix::prompts
