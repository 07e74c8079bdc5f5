#include "daemon/config/python_config.h"

#include "absl/strings/str_cat.h"
#include "common/provider_registry.h"
#include "common/settings_schema.h"
#include "daemon/config/settings.h"

namespace aix::config {
namespace {

bool IsBuiltin(const std::string& name) {
  for (const std::string& b : BuiltinProviders()) {
    if (b == name) return true;
  }
  return false;
}

}  // namespace

bool LooksLikePythonConfig(const Json& doc) {
  if (!doc.is_object()) return false;
  if (doc.contains("auto_upgrade")) return true;
  auto custom = doc.find("custom_providers");
  if (custom != doc.end() && custom->is_object()) {
    for (const auto& [name, def] : custom->items()) {
      if (IsBuiltin(name)) return true;
      if (def.is_object() && (def.contains("api_key") || (def.contains("default_model") &&
                                                           def["default_model"].is_null()))) {
        return true;
      }
    }
  }
  for (const SettingSpec& s : FixedSettings()) {
    auto it = doc.find(s.key);
    if (it == doc.end() || !it->is_string()) continue;
    // The Python tool stored what was typed: a number or boolean as valid
    // text. Invalid text ("hot") is a hand edit to report by its line.
    if ((s.type == SettingType::kPositiveInt || s.type == SettingType::kTemperature ||
         s.type == SettingType::kBool || s.type == SettingType::kSeconds ||
         s.type == SettingType::kCount) &&
        ParseValue(s, it->get<std::string>(), doc).ok()) {
      return true;
    }
  }
  auto disabled = doc.find("disabled_commands");
  return disabled != doc.end() && disabled->is_array() && disabled->empty();
}

Json MigratePythonConfig(const Json& doc, std::vector<std::string>* report) {
  Json out = Json::object();
  Json keys = doc.contains("api_keys") && doc["api_keys"].is_object() ? doc["api_keys"]
                                                                       : Json::object();
  Json custom = Json::object();
  for (const auto& [key, value] : doc.items()) {
    if (key == "custom_providers" || key == "api_keys") continue;
    const SettingSpec* spec = FindSetting(key);
    if (spec == nullptr) {
      out[key] = value;  // kept: ours ignores what it does not know
      continue;
    }
    if (spec->type == SettingType::kPath) {
      out[key] = value;
      continue;
    }
    if (key == "disabled_commands" && value.is_array() && value.empty()) {
      report->push_back("disabled_commands: the empty list meant the built-in list; left unset");
      continue;
    }
    if (value.is_string() && spec->type != SettingType::kString &&
        spec->type != SettingType::kProvider && spec->type != SettingType::kUrl &&
        spec->type != SettingType::kFile && spec->type != SettingType::kProviderList) {
      auto parsed = ParseValue(*spec, value.get<std::string>(), doc);
      if (parsed.ok()) {
        report->push_back(absl::StrCat(key, ": \"", value.get<std::string>(), "\" (text) is now ",
                                       parsed->dump()));
        out[key] = *parsed;
      } else {
        // The value is not repeated: what does not parse as a setting may be
        // anything, a key pasted into the wrong field included.
        report->push_back(absl::StrCat(key, ": the text value (", value.get<std::string>().size(),
                                       " characters) is not a valid ", key,
                                       " and was dropped; set it with: aix config --set ", key,
                                       " VALUE"));
      }
      continue;
    }
    if (value.is_null()) continue;
    out[key] = value;
  }
  auto providers = doc.find("custom_providers");
  if (providers != doc.end() && providers->is_object()) {
    for (const auto& [name, def] : providers->items()) {
      if (!def.is_object()) {
        report->push_back(absl::StrCat("custom provider ", name, ": not an object; dropped"));
        continue;
      }
      std::string key = def.contains("api_key") && def["api_key"].is_string()
                            ? def["api_key"].get<std::string>()
                            : "";
      if (IsBuiltin(name)) {
        if (!key.empty()) {
          keys[name] = key;
          report->push_back(absl::StrCat("the API key of ", name, " moved to api_keys.", name));
        }
        std::string url = def.contains("base_url") && def["base_url"].is_string()
                              ? def["base_url"].get<std::string>()
                              : "";
        if (!url.empty()) {
          report->push_back(absl::StrCat(name, ": its base_url (", url, ") is kept only if you "
                                         "set it: aix config ", name, "_base_url URL"));
        }
        continue;
      }
      Json ours = Json::object();
      ours["base_url"] = def.contains("base_url") && def["base_url"].is_string() ? def["base_url"] : Json("");
      if (def.contains("default_model") && def["default_model"].is_string() &&
          !def["default_model"].get<std::string>().empty()) {
        ours["model"] = def["default_model"];
      }
      Json headers = def.contains("headers") && def["headers"].is_object() ? def["headers"]
                                                                           : Json::object();
      std::string auth = def.contains("auth_type") && def["auth_type"].is_string()
                             ? def["auth_type"].get<std::string>()
                             : "bearer";
      if (auth == "x-api-key") {
        // Ours has no such auth type: the key goes into the header itself.
        ours["auth_type"] = "none";
        if (!key.empty()) headers["x-api-key"] = key;
        report->push_back(absl::StrCat(
            "custom provider ", name, ": auth type x-api-key became an x-api-key header "
            "(auth_type none); its key is stored with the header"));
        key.clear();
      } else if (auth == "bearer" || auth == "api-key" || auth == "none") {
        ours["auth_type"] = auth;
      } else {
        ours["auth_type"] = "bearer";
        report->push_back(absl::StrCat("custom provider ", name, ": unknown auth type '", auth,
                                       "' became bearer"));
      }
      if (!headers.empty()) ours["headers"] = headers;
      absl::Status valid = CheckCustomProvider(name, ours);
      if (!valid.ok()) {
        report->push_back(absl::StrCat("custom provider ", name, " was not moved: ",
                                       valid.message()));
        continue;
      }
      custom[name] = ours;
      if (!key.empty()) {
        keys[registry::Custom(name)] = key;
        report->push_back(absl::StrCat("custom provider ", name,
                                       ": its API key moved to api_keys.custom:", name));
      }
    }
  }
  out["custom_providers"] = custom;
  out["api_keys"] = keys;
  return out;
}

}  // namespace aix::config
