// The attempts of a run as JSON: how `aix run --json`, `aix history
// --json` and the run history's attempts column spell them, in one codec.
#ifndef AIX_COMMON_ATTEMPTS_JSON_H_
#define AIX_COMMON_ATTEMPTS_JSON_H_

#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"
#include "aix/v1/runs.pb.h"

namespace aix {

using Attempts = google::protobuf::RepeatedPtrField<v1::Attempt>;

// AttemptsToJson: an array of {provider, model, http_status, error,
// waited_ms}.
nlohmann::json AttemptsToJson(const Attempts& attempts);

// AttemptsText is AttemptsToJson as compact text; text that is not valid
// UTF-8 is replaced, never thrown on.
std::string AttemptsText(const Attempts& attempts);

// AttemptsFromText reads what AttemptsText wrote (the history database,
// which a user may edit): anything that is not an array of objects, and
// fields of the wrong type, are left out, never thrown on.
Attempts AttemptsFromText(absl::string_view text);

}  // namespace aix

#endif  // AIX_COMMON_ATTEMPTS_JSON_H_
