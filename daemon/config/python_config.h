// The Python aix's config.json, which lives where ours does
// (~/.prompts/config.json): recognising it, and turning it into ours.
//
// Its shape: settings stored as strings ("max_tokens": "2048"); every key,
// built-in providers' included, under custom_providers.NAME.api_key;
// custom_providers.NAME.{base_url, default_model (maybe null), headers,
// auth_type: bearer | api-key | x-api-key | none}.
#ifndef AIX_DAEMON_CONFIG_PYTHON_CONFIG_H_
#define AIX_DAEMON_CONFIG_PYTHON_CONFIG_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aix::config {

// LooksLikePythonConfig: `doc` has something only the Python aix writes
// (a key or a null model under custom_providers, a built-in provider
// there, a number or boolean setting stored as valid text, its
// auto_upgrade setting, or an empty disabled_commands list).
bool LooksLikePythonConfig(const nlohmann::json& doc);

// MigratePythonConfig returns our document for `doc`, each change described
// in `report`. Unknown settings are kept (ours ignores them); values that
// cannot be read are dropped and reported.
nlohmann::json MigratePythonConfig(const nlohmann::json& doc, std::vector<std::string>* report);

}  // namespace aix::config

#endif  // AIX_DAEMON_CONFIG_PYTHON_CONFIG_H_
