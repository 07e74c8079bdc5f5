#include "daemon/prompts/yaml_fields.h"

#include <dirent.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/text.h"

namespace aix::prompts {
namespace {

constexpr char kTimeFormat[] = "%Y-%m-%dT%H:%M:%E3SZ";

}  // namespace

std::vector<std::string> YamlNames(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    absl::string_view file = e->d_name;
    if (!absl::ConsumeSuffix(&file, ".yaml") || file.empty()) continue;
    names.emplace_back(file);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime(kTimeFormat, t, absl::UTCTimeZone());
}

absl::Status AtNode(const std::string& source, const YAML::Node& node,
                    const std::string& what) {
  return absl::FailedPreconditionError(
      absl::StrCat(source, ":", node.Mark().line + 1, ": ", what));
}

absl::StatusOr<std::optional<std::string>> Scalar(const YAML::Node& doc, const char* key,
                                                  const std::string& source) {
  YAML::Node n = doc[key];
  if (!n) return std::optional<std::string>();
  if (!n.IsScalar()) return AtNode(source, n, absl::StrCat("'", key, "' must be text"));
  return std::optional<std::string>(n.as<std::string>());
}

// A literal block keeps the file easy to read and edit; it reproduces the
// text exactly only with one final newline, no leading blank or
// indentation and no control characters. yaml-cpp escapes the quoted form.
void EmitText(YAML::Emitter& out, const std::string& text) {
  bool literal = text.size() > 1 && text.back() == '\n' &&
                 text[text.size() - 2] != '\n' && text[0] != ' ' && text[0] != '\n';
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') literal = false;
  }
  out << (literal ? YAML::Literal : YAML::DoubleQuoted) << text;
}


absl::StatusOr<std::vector<std::string>> TextList(const YAML::Node& doc, const char* key,
                                                  const char* what, const std::string& source) {
  std::vector<std::string> out;
  YAML::Node n = doc[key];
  if (!n) return out;
  if (!n.IsSequence()) return AtNode(source, n, absl::StrCat("'", key, "' must be a list"));
  for (const YAML::Node& item : n) {
    if (!item.IsScalar()) return AtNode(source, item, absl::StrCat(what, " must be text"));
    out.push_back(item.as<std::string>());
  }
  return out;
}

absl::Status ReadTime(const YAML::Node& doc, const char* key, const std::string& source,
                      absl::Time* out) {
  auto text = Scalar(doc, key, source);
  if (!text.ok()) return text.status();
  std::string err;
  if (*text && !absl::ParseTime(kTimeFormat, **text, out, &err) &&
      !absl::ParseTime(absl::RFC3339_full, **text, out, &err)) {
    return AtNode(source, doc[key], absl::StrCat("'", key, "' is not a time: ", err));
  }
  return absl::OkStatus();
}

absl::Status CheckUtf8(const std::string& text, const std::string& source) {
  // Protobuf cannot carry non-UTF-8 strings: refuse them here, as this
  // file's problem, rather than fail a listing of every file.
  if (size_t bad = FirstInvalidUtf8(text); bad != absl::string_view::npos) {
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
    return absl::FailedPreconditionError(absl::StrCat(
        source, ":", line, ": ", NotUtf8Message("the file", absl::string_view(text).substr(bad)),
        " (then save it as UTF-8)"));
  }
  return absl::OkStatus();
}

}  // namespace aix::prompts
