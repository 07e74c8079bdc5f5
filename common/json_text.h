// JsonText: a JSON value as text, for every place aix writes JSON.
//
// nlohmann::json::dump throws on a string that is not valid UTF-8, and such
// strings come from outside: a prompt piped from a binary file, a provider's
// reply cut mid-character, a hand-edited config. Writing JSON must not be a
// way to fail a run or kill a command, so invalid bytes become U+FFFD.
#ifndef AIX_COMMON_JSON_TEXT_H_
#define AIX_COMMON_JSON_TEXT_H_

#include <string>

#include <nlohmann/json.hpp>

namespace aix {

// JsonText dumps `value` on one line, or indented by `indent` spaces.
std::string JsonText(const nlohmann::json& value, int indent = -1);

}  // namespace aix

#endif  // AIX_COMMON_JSON_TEXT_H_
