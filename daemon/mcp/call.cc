#include "daemon/mcp/call.h"

#include "absl/strings/str_cat.h"

namespace aix::mcp {

absl::StatusOr<std::string> StringParam(const Json& params, const char* name, bool required,
                                        std::string fallback) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) {
    if (required) return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is required"));
    return fallback;
  }
  if (!it->is_string()) return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" must be a string"));
  return it->get<std::string>();
}

absl::StatusOr<std::map<std::string, std::string>> StringMapParam(const Json& params,
                                                                  const char* name) {
  std::map<std::string, std::string> out;
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return out;
  if (!it->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" must be an object of strings"));
  }
  for (auto& [key, value] : it->items()) {
    if (value.is_string()) {
      out[key] = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      out[key] = value.dump();  // a client that sent 3 for "3" means "3"
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("argument \"", key, "\" must be a string (MCP's argument values are strings)"));
    }
  }
  return out;
}

bool HasStructuredContent(absl::string_view version) { return version >= "2025-06-18"; }

}  // namespace aix::mcp
