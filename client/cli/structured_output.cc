#include "client/cli/structured_output.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/files.h"
#include "common/json_depth.h"
#include "common/limits.h"
#include "common/text.h"

namespace aix {
namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Sniff names an image type by its signature; empty for anything else.
std::string Sniff(absl::string_view data) {
  if (absl::StartsWith(data, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (absl::StartsWith(data, "\xff\xd8\xff")) return "image/jpeg";
  if (absl::StartsWith(data, "GIF87a") || absl::StartsWith(data, "GIF89a")) return "image/gif";
  if (data.size() >= 12 && absl::StartsWith(data, "RIFF") && data.substr(8, 4) == "WEBP") {
    return "image/webp";
  }
  return "";
}

// Parse reads JSON a user supplied (a file, a provider's answer) within the
// nesting bound; a discarded value when it is not JSON.
nlohmann::json Parse(absl::string_view text) {
  if (!NestingWithin(text)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

const char* JsonType(const nlohmann::json& j) {
  if (j.is_object()) return "object";
  if (j.is_array()) return "array";
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "boolean";
  if (j.is_number_integer()) return "integer";
  if (j.is_number()) return "number";
  return "null";
}

}  // namespace

absl::StatusOr<v1::Attachment> ReadAttachment(const std::string& path) {
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the file for -a: ", data.status().message()));
  }
  if (data->size() > kMaxRequestBytes) {
    return absl::InvalidArgumentError(absl::StrCat("-a ", path, " is over ", kMaxRequestBytes >> 20,
                                                   " MiB, more than one run can send"));
  }
  v1::Attachment a;
  a.set_name(BaseName(path));
  std::string type = Sniff(*data);
  if (type.empty()) {
    if (FirstInvalidUtf8(*data) != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "-a ", path, " is neither an image (PNG, JPEG, GIF, WebP) nor UTF-8 text; attach one "
          "of those (convert the file first)"));
    }
    type = "text/plain";
  }
  a.set_media_type(type);
  a.set_data(*std::move(data));
  return a;
}

absl::StatusOr<nlohmann::json> ResponseFormatFor(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the --schema file: ", text.status().message()));
  }
  nlohmann::json schema = Parse(*text);
  if (schema.is_discarded() || !schema.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--schema ", path, " is not a JSON Schema (a JSON object, e.g. {\"type\": \"object\", "
        "\"properties\": {...}})"));
  }
  // OpenAI names a schema with letters, digits, _ and - (at most 64).
  std::string name;
  for (char c : BaseName(path).substr(0, BaseName(path).rfind('.'))) {
    if (name.size() < 64) name += absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  }
  if (name.empty()) name = "answer";
  return nlohmann::json{{"type", "json_schema"},
                        {"json_schema", {{"name", name}, {"schema", std::move(schema)}, {"strict", true}}}};
}

absl::Status CheckStructuredAnswer(absl::string_view answer, const nlohmann::json& schema) {
  nlohmann::json j = Parse(answer);
  if (j.is_discarded()) {
    return absl::DataLossError(absl::StrCat(
        "the answer is not the JSON --schema asked for (it does not parse): '",
        PrintableExcerpt(answer, 80), "'"));
  }
  auto type = schema.find("type");
  if (type != schema.end() && type->is_string() && *type != JsonType(j) &&
      !(*type == "number" && j.is_number())) {
    return absl::DataLossError(absl::StrCat("the answer is JSON, but a ", JsonType(j),
                                            " where --schema asks for a ", type->get<std::string>()));
  }
  auto required = schema.find("required");
  if (j.is_object() && required != schema.end() && required->is_array()) {
    std::vector<std::string> missing;
    for (const nlohmann::json& k : *required) {
      if (k.is_string() && !j.contains(k.get<std::string>())) missing.push_back(k.get<std::string>());
    }
    if (!missing.empty()) {
      return absl::DataLossError(absl::StrCat("the answer is JSON, but lacks what --schema requires: ",
                                              absl::StrJoin(missing, ", ")));
    }
  }
  return absl::OkStatus();
}

}  // namespace aix
