// Typed, non-throwing reads of JSON that came from outside (provider
// replies, hand-edited files). Every accessor accepts any JSON value at all,
// of any type, and answers "absent" for anything that is not what it asks
// for: nlohmann's own value()/operator[]/get<>() throw or assert on a
// wrong type, and a throw inside a libcurl callback ends the daemon.
#ifndef AIX_DAEMON_PROVIDERS_JSON_FIELDS_H_
#define AIX_DAEMON_PROVIDERS_JSON_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"

namespace aix::providers {

using Json = nlohmann::json;

// Field returns j[key] when `j` is an object that has `key`, else nullptr.
const Json* Field(const Json* j, absl::string_view key);
inline const Json* Field(const Json& j, absl::string_view key) { return Field(&j, key); }

// Member is Field for requests, where a null member means "not given":
// nullptr when `j` is not an object, has no `key`, or has it as null.
const Json* Member(const Json& j, absl::string_view key);

// ObjectField / ArrayField: the member if it is of that type, else nullptr.
const Json* ObjectField(const Json* j, absl::string_view key);
const Json* ArrayField(const Json* j, absl::string_view key);

// FirstElement returns a[0] when `a` is a non-empty array, else nullptr.
const Json* FirstElement(const Json* a);

// StringField returns the member if it is a string.
std::optional<std::string> StringField(const Json* j, absl::string_view key);

// CountField returns the member if it is a non-negative integer (a token
// count); a float with an integral value is accepted, anything else is not.
std::optional<int64_t> CountField(const Json* j, absl::string_view key);

// ParseUntrusted parses `text`; nullopt if it is not JSON. Never throws.
std::optional<Json> ParseUntrusted(absl::string_view text);

}  // namespace aix::providers

#endif  // AIX_DAEMON_PROVIDERS_JSON_FIELDS_H_
