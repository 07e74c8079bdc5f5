// Reading and writing the library's YAML files (prompts, collections):
// typed field access whose errors name the file and line, and text written
// so a person can read and edit it.
#ifndef AIX_DAEMON_PROMPTS_YAML_FIELDS_H_
#define AIX_DAEMON_PROMPTS_YAML_FIELDS_H_

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace aix::prompts {

// TimeText formats a time as stored ("2026-11-30T07:46:38.123Z").
std::string TimeText(absl::Time t);

// AtNode is FailedPrecondition "SOURCE:LINE: WHAT" for `node`.
absl::Status AtNode(const std::string& source, const YAML::Node& node, const std::string& what);

// Scalar reads an optional text field; a non-scalar is an error.
absl::StatusOr<std::optional<std::string>> Scalar(const YAML::Node& doc, const char* key,
                                                  const std::string& source);

// TextList reads an optional list of text; a non-list or non-text item is
// an error naming `what` ("each tag").
absl::StatusOr<std::vector<std::string>> TextList(const YAML::Node& doc, const char* key,
                                                  const char* what, const std::string& source);

// ReadTime reads an optional time field into `out` (unchanged if absent).
absl::Status ReadTime(const YAML::Node& doc, const char* key, const std::string& source,
                      absl::Time* out);

// EmitText writes multi-line text as a literal block when that reproduces
// it exactly, else double-quoted.
void EmitText(YAML::Emitter& out, const std::string& text);

// YamlNames lists the names of the `NAME.yaml` files in `dir`, sorted; a
// missing or unreadable directory has none.
std::vector<std::string> YamlNames(const std::string& dir);

// CheckUtf8 refuses text that is not UTF-8, naming `source` and the line.
absl::Status CheckUtf8(const std::string& text, const std::string& source);

}  // namespace aix::prompts

#endif  // AIX_DAEMON_PROMPTS_YAML_FIELDS_H_
