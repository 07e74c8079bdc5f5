// What `aix run` sends besides the prompt's text, read from files the user
// names: attachments (-a FILE: an image or a text file) and a JSON Schema
// for structured output (--schema FILE), whose answer it then checks.
#ifndef AIX_CLIENT_CLI_STRUCTURED_OUTPUT_H_
#define AIX_CLIENT_CLI_STRUCTURED_OUTPUT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "aix/v1/runs.pb.h"

namespace aix {

// ReadAttachment reads FILE: a PNG, JPEG, GIF or WebP image (known by its
// first bytes, not its name) or UTF-8 text. InvalidArgument for anything
// else, naming the file.
absl::StatusOr<v1::Attachment> ReadAttachment(const std::string& path);

// ResponseFormatFor reads a JSON Schema file into OpenAI's response_format
// (json_schema, strict, named after the file).
absl::StatusOr<nlohmann::json> ResponseFormatFor(const std::string& path);

// CheckStructuredAnswer checks an answer against the schema it was asked
// for: it must parse as JSON of the schema's top-level type, with the
// properties the schema requires. The message says what is wrong.
absl::Status CheckStructuredAnswer(absl::string_view answer, const nlohmann::json& schema);

}  // namespace aix

#endif  // AIX_CLIENT_CLI_STRUCTURED_OUTPUT_H_
