#include "daemon/config/settings.h"

#include <curl/curl.h>

#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "common/listen_address.h"
#include "common/provider_registry.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace aix::config {
namespace {

bool IsBuiltinProvider(absl::string_view name) { return registry::Find(name) != nullptr; }

using registry::IsValidCustomName;

std::string ProviderHelp() {
  return absl::StrCat("valid providers: ", registry::Choices(),
                      " (NAME: letters, digits, '.', '_', '-', at most 64 characters)");
}

std::string TypeHelp(const SettingSpec& spec) {
  switch (spec.type) {
    case SettingType::kString:
      return "a non-empty string";
    case SettingType::kProvider:
      return absl::StrCat("one of ", registry::Choices());
    case SettingType::kPositiveInt:
      return "an integer greater than 0";
    case SettingType::kTemperature:
      return "a number from 0 to 2";
    case SettingType::kBool:
      return "true or false";
    case SettingType::kPath:
      return "a directory path";
    case SettingType::kUrl:
      return "an http:// or https:// URL";
    case SettingType::kFile:
      return "an absolute file path";
    case SettingType::kCount:
      return "an integer of 0 or more";
    case SettingType::kSeconds:
      return "a whole number of seconds from 1 to 86400";
    case SettingType::kDays:
      return "a whole number of days from 0 (no limit) to 36500";
    case SettingType::kListen:
      return "a loopback address and port: 127.0.0.1:PORT or [::1]:PORT";
    case SettingType::kProviderList:
      return "a comma-separated list of PROVIDER or PROVIDER/MODEL (e.g. openai,anthropic/claude-3-haiku-20240307)";
    case SettingType::kWordList:
      return "a comma-separated list of command names (e.g. rm,curl,ssh)";
  }
  return "";
}

std::string Example(const SettingSpec& spec) {
  std::string v = spec.default_value.is_null()
                      ? std::string("VALUE")
                      : DisplayValue(spec.default_value);
  if (spec.type == SettingType::kString && spec.default_value.is_null()) {
    v = absl::StrCat("\"", registry::Default().default_model, "\"");
  }
  return absl::StrCat("aix config --set ", spec.key, " ", v);
}

// CheckValue validates an already-typed JSON value against `spec`.
absl::Status CheckValue(const SettingSpec& spec, const Json& v) {
  auto bad = [&spec]() {
    return absl::InvalidArgumentError(
        absl::StrCat(spec.key, " must be ", TypeHelp(spec)));
  };
  switch (spec.type) {
    case SettingType::kString:
      if (!v.is_string() || v.get<std::string>().empty()) return bad();
      return absl::OkStatus();
    case SettingType::kPath:
      if (!v.is_string()) return bad();
      return absl::OkStatus();
    case SettingType::kUrl: {
      if (!v.is_string()) return bad();
      std::string u = v.get<std::string>();
      bool scheme = absl::StartsWith(u, "http://") || absl::StartsWith(u, "https://");
      if (!scheme || u.find_first_of(" \t\n") != std::string::npos ||
          u.size() <= (absl::StartsWith(u, "https") ? 8u : 7u)) {
        return bad();
      }
      if (!UrlScheme(u).ok()) return bad();  // libcurl's parser, a port left empty
      return absl::OkStatus();
    }
    case SettingType::kFile:
      if (!v.is_string() || !absl::StartsWith(v.get<std::string>(), "/")) return bad();
      return absl::OkStatus();
    case SettingType::kListen: {
      if (!v.is_string()) return bad();
      auto a = ParseListenAddress(v.get<std::string>());
      return a.ok() ? absl::OkStatus() : a.status();
    }
    case SettingType::kProvider: {
      if (!v.is_string()) return bad();
      std::string s = v.get<std::string>();
      if (registry::IsProviderName(s)) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat(spec.key, " is '", s, "'; ", ProviderHelp()));
    }
    case SettingType::kPositiveInt:
      if (!v.is_number_integer() || v.get<int64_t>() <= 0) return bad();
      return absl::OkStatus();
    case SettingType::kTemperature: {
      if (!v.is_number()) return bad();
      double d = v.get<double>();
      if (!(d >= 0.0 && d <= 2.0)) return bad();
      return absl::OkStatus();
    }
    case SettingType::kBool:
      if (!v.is_boolean()) return bad();
      return absl::OkStatus();
    case SettingType::kCount:
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 100) return bad();
      return absl::OkStatus();
    case SettingType::kSeconds:
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 86400) return bad();
      return absl::OkStatus();
    case SettingType::kDays:
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 36500) return bad();
      return absl::OkStatus();
    case SettingType::kWordList: {
      if (!v.is_array()) return bad();
      for (const Json& w : v) {
        if (!w.is_string() || w.get<std::string>().empty() ||
            w.get<std::string>().find_first_of(" \t\n\r,") != std::string::npos) {
          return bad();
        }
      }
      return absl::OkStatus();
    }
    case SettingType::kProviderList: {
      if (!v.is_string()) return bad();
      for (const std::string& item : SplitProviderList(v.get<std::string>())) {
        absl::Status s = CheckProviderSpec(item);
        if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(spec.key, ": ", s.message()));
      }
      return absl::OkStatus();
    }
  }
  return bad();
}

}  // namespace

Json DefaultDocument(const std::string& storage_path) {
  Json doc = Json::object();
  for (const SettingSpec& s : FixedSettings()) {
    if (!s.default_value.is_null()) doc[s.key] = s.default_value;
  }
  doc["storage_path"] = storage_path;
  doc["api_keys"] = Json::object();
  doc["custom_providers"] = Json::object();
  return doc;
}

std::string ValidSettingsHelp() {
  return absl::StrCat("valid settings: ", SettingKeysHelp());
}

absl::StatusOr<std::string> CanonicalProvider(absl::string_view name,
                                              const Json& doc) {
  if (IsBuiltinProvider(name)) return std::string(name);
  if (std::optional<absl::string_view> custom = registry::CustomName(name)) {
    if (IsValidCustomName(*custom)) return std::string(name);
    return absl::InvalidArgumentError(
        absl::StrCat("'", *custom, "' is not a valid custom provider name; ", ProviderHelp()));
  }
  auto it = doc.find("custom_providers");
  if (it != doc.end() && it->is_object() && it->contains(std::string(name))) {
    return registry::Custom(name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown provider '", name, "'; ", ProviderHelp()));
}

absl::StatusOr<Json> ParseValue(const SettingSpec& spec, absl::string_view text,
                                const Json& doc) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value '", text, "' for ", spec.key, ": ", why,
        ".\nExample: ", Example(spec)));
  };
  Json value;
  switch (spec.type) {
    case SettingType::kPath:
      return absl::InvalidArgumentError(absl::StrCat(
          spec.key, " is read-only; to keep aix's files elsewhere, set "
                    "AIX_STORAGE_PATH for aixd (and restart it: aix daemon stop)"));
    case SettingType::kString:
    case SettingType::kUrl:
    case SettingType::kFile:
      value = std::string(text);
      break;
    case SettingType::kListen: {
      auto a = ParseListenAddress(text);
      if (!a.ok()) return a.status();
      value = std::string(text);
      break;
    }
    case SettingType::kProvider: {
      auto canonical = CanonicalProvider(text, doc);
      if (!canonical.ok()) return invalid(ProviderHelp());
      value = *canonical;
      break;
    }
    case SettingType::kPositiveInt:
    case SettingType::kCount:
    case SettingType::kSeconds:
    case SettingType::kDays: {
      int64_t n;
      if (!absl::SimpleAtoi(text, &n)) return invalid(absl::StrCat("must be ", TypeHelp(spec)));
      value = n;
      break;
    }
    case SettingType::kWordList: {
      value = Json::array();
      for (absl::string_view w : absl::StrSplit(text, absl::ByAnyChar(", \t"), absl::SkipEmpty())) {
        value.push_back(std::string(w));
      }
      break;
    }
    case SettingType::kProviderList: {
      std::vector<std::string> items = SplitProviderList(text);
      for (const std::string& item : items) {
        absl::Status s = CheckProviderSpec(item);
        if (!s.ok()) return invalid(s.message());
      }
      value = absl::StrJoin(items, ",");
      break;
    }
    case SettingType::kTemperature: {
      double d;
      if (!absl::SimpleAtod(text, &d) || !std::isfinite(d) || d < 0 || d > 2) {
        return invalid("must be a number from 0 to 2");
      }
      value = d;
      break;
    }
    case SettingType::kBool: {
      std::string lower = absl::AsciiStrToLower(text);
      if (lower == "true") {
        value = true;
      } else if (lower == "false") {
        value = false;
      } else {
        return invalid("must be true or false");
      }
      break;
    }
  }
  absl::Status s = CheckValue(spec, value);
  if (!s.ok()) return invalid(absl::StrCat("must be ", TypeHelp(spec)));
  return value;
}

absl::Status ValidateApiKey(absl::string_view provider, absl::string_view key) {
  if (key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the API key for ", provider, " is empty; paste the key, e.g.: "
        "aix api-key ", provider));
  }
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the API key for ", provider,
          " contains whitespace or a control character; check what you "
          "pasted (the key is not shown here)"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDocument(const Json& doc, std::string* problem_key) {
  problem_key->clear();
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        "the top level must be a JSON object ({ ... })");
  }
  for (const SettingSpec& spec : FixedSettings()) {
    auto it = doc.find(spec.key);
    if (it == doc.end()) continue;
    absl::Status s = CheckValue(spec, *it);
    if (!s.ok()) {
      *problem_key = spec.key;
      return absl::InvalidArgumentError(
          absl::StrCat(s.message(), ", found ", it->dump()));
    }
  }
  for (const char* map_key : {"api_keys", "custom_providers"}) {
    auto it = doc.find(map_key);
    if (it != doc.end() && !it->is_object()) {
      *problem_key = map_key;
      return absl::InvalidArgumentError(absl::StrCat(
          map_key, " must be an object ({ ... }), found ", it->type_name()));
    }
  }
  auto custom = doc.find("custom_providers");
  if (custom != doc.end()) {
    for (auto& [name, def] : custom->items()) {
      absl::Status c = CheckCustomProvider(name, def);
      if (!c.ok()) {
        *problem_key = name;
        return absl::InvalidArgumentError(absl::StrCat(
            "custom_providers.", name, ": ", c.message(),
            "\nFix the entry, or remove it and add it again: aix provider remove ", name,
            "; aix provider add ", name, " BASE_URL --model MODEL"));
      }
    }
  }
  auto keys = doc.find("api_keys");
  if (keys != doc.end()) {
    for (auto& [provider, key] : keys->items()) {
      if (!key.is_string()) {
        *problem_key = provider;
        return absl::InvalidArgumentError(absl::StrCat(
            "api_keys.", provider, " must be a string, found ", key.type_name()));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> UrlScheme(const std::string& url) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  std::string scheme;
  if (rc == CURLUE_OK) {
    char* part = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) scheme = part;
    curl_free(part);
    part = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK) rc = CURLUE_NO_HOST;
    curl_free(part);
  }
  curl_url_cleanup(u);
  if (rc != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", url, "' is not a valid URL (", curl_url_strerror(rc),
        "); e.g. http://127.0.0.1:11434/v1"));
  }
  if (scheme != "http" && scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", url, "' uses ", scheme, "://; a provider URL must be http:// or https://"));
  }
  // libcurl takes "host:" as the default port; a ':' with nothing after it
  // is more likely a port that was forgotten.
  absl::string_view authority(url);
  authority.remove_prefix(std::min(authority.size(), authority.find("://") + 3));
  authority = authority.substr(0, authority.find_first_of("/?#"));
  authority.remove_prefix(authority.rfind('@') == absl::string_view::npos ? 0 : authority.rfind('@') + 1);
  if (absl::EndsWith(authority, ":")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", url, "' has a ':' after the host but no port; write the port "
        "(e.g. http://127.0.0.1:11434/v1) or leave out the ':'"));
  }
  return scheme;
}

bool IsHeaderToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        absl::string_view("!#$%&'*+-.^_`|~").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

absl::Status CheckCustomProvider(const std::string& name, const Json& def) {
  if (!IsValidCustomName(name) || IsBuiltinProvider(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", name, "' is not a valid custom provider name: use letters, digits, '.', '_' "
        "and '-', at most 64 characters, and not a built-in provider's name"));
  }
  if (!def.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be an object ({\"base_url\": ...}), found ", def.type_name()));
  }
  auto base = def.find("base_url");
  if (base == def.end() || !base->is_string()) {
    return absl::InvalidArgumentError("base_url must be a string (an http:// or https:// URL)");
  }
  auto scheme = UrlScheme(base->get<std::string>());
  if (!scheme.ok()) return scheme.status();
  auto model = def.find("model");
  if (model != def.end() && !model->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("model must be a string, found ",
                                                   model->type_name()));
  }
  auto auth = def.find("auth_type");
  if (auth != def.end()) {
    std::string a = auth->is_string() ? auth->get<std::string>() : "";
    if (a != "bearer" && a != "api-key" && a != "none") {
      return absl::InvalidArgumentError("auth_type must be \"bearer\", \"api-key\" or \"none\"");
    }
  }
  auto headers = def.find("headers");
  if (headers != def.end()) {
    if (!headers->is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "headers must be an object of name: value strings, found ", headers->type_name()));
    }
    for (auto& [k, v] : headers->items()) {
      if (!IsHeaderToken(k)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "header name '", k, "' is not valid: use letters, digits and -, as in X-Team"));
      }
      if (!v.is_string() || v.get<std::string>().find_first_of("\r\n") != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the value of header ", k, " must be a string without line breaks"));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> SplitProviderList(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

absl::Status CheckProviderSpec(absl::string_view item) {
  registry::ProviderRef ref = registry::ParseRef(item);
  if (item.find('/') != absl::string_view::npos &&
      (ref.model.empty() || ref.model.find_first_of(" \t\r\n") != std::string::npos)) {
    return absl::InvalidArgumentError(absl::StrCat("'", item, "' has an empty or invalid model"));
  }
  // A bare NAME may be a custom provider's; it is resolved when used.
  if (!registry::IsProviderName(ref.provider) && !IsValidCustomName(ref.provider)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", ref.provider, "' is not a provider; ", ProviderHelp()));
  }
  return absl::OkStatus();
}

namespace {

template <typename T>
T Typed(const Json& doc, const char* key) {
  auto it = doc.find(key);
  if (it != doc.end()) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (it->is_string()) return it->get<std::string>();
    } else if constexpr (std::is_same_v<T, double>) {
      if (it->is_number()) return it->get<double>();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (it->is_boolean()) return it->get<bool>();
    } else {
      if (it->is_number_integer()) return it->get<T>();
    }
  }
  const SettingSpec* spec = FindSetting(key);
  if (spec != nullptr && !spec->default_value.is_null()) return spec->default_value.get<T>();
  return T{};
}

}  // namespace

RunSettings ReadRunSettings(const Json& doc) {
  RunSettings r;
  r.default_provider = Typed<std::string>(doc, "default_provider");
  r.default_model = Typed<std::string>(doc, "default_model");
  r.max_tokens = Typed<int64_t>(doc, "max_tokens");
  r.temperature = Typed<double>(doc, "temperature");
  r.ca_bundle = Typed<std::string>(doc, "ca_bundle");
  r.connect_timeout_s = Typed<int64_t>(doc, "connect_timeout");
  r.first_byte_timeout_s = Typed<int64_t>(doc, "first_byte_timeout");
  r.idle_timeout_s = Typed<int64_t>(doc, "idle_timeout");
  r.max_retries = Typed<int64_t>(doc, "max_retries");
  r.fallback_providers = SplitProviderList(Typed<std::string>(doc, "fallback_providers"));
  r.history = Typed<bool>(doc, "history");
  r.history_keep_days = Typed<int64_t>(doc, "history_keep_days");
  return r;
}

std::string ModelSetting(const Json& doc, absl::string_view provider) {
  const registry::BuiltinProvider* b = registry::Find(provider);
  if (b == nullptr) return "";
  auto it = doc.find(b->model_setting);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string DisplayValue(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return JsonText(value);
}

}  // namespace aix::config
