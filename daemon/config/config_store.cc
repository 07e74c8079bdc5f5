#include "daemon/config/config_store.h"

#include <errno.h>
#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/json_text.h"
#include "common/mask.h"
#include "common/provider_registry.h"
#include "common/text.h"
#include "common/status_macros.h"
#include "daemon/config/python_config.h"

namespace aix::config {
namespace {

// LineAndColumn converts a 1-based byte offset into 1-based line/column.
std::pair<int, int> LineAndColumn(const std::string& text, size_t byte) {
  int line = 1, col = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// OffsetOfMember finds where `"name"` first appears as a JSON member name,
// so a type error can point at a line. 0 when not found.
size_t OffsetOfMember(const std::string& text, const std::string& name) {
  std::string quoted = absl::StrCat("\"", name, "\"");
  size_t at = text.find(quoted);
  return at == std::string::npos ? 0 : at + 1;
}

// NlohmannProblem keeps the human part of a parse_error's what(), dropping
// the "[json.exception...] parse error at line L, column C: " prefix, since
// we report the position ourselves.
// Its "last read: '...'" part quotes the file, which may be an API key, so
// that part is dropped too: the position is enough to find the problem.
std::string NlohmannProblem(const std::string& what) {
  size_t colon = what.find(": ");
  std::string problem = colon == std::string::npos ? what : what.substr(colon + 2);
  size_t quote = problem.find("; last read");
  if (quote != std::string::npos) problem.erase(quote);
  // Problem texts name characters as U+XXXX and never quote the input
  // otherwise; keep it short and printable all the same.
  return PrintableExcerpt(problem, 160);
}

}  // namespace

ConfigStore::ConfigStore(std::string storage_dir)
    : storage_dir_(std::move(storage_dir)),
      path_(storage_dir_ + "/config.json") {}

absl::StatusOr<ConfigStore::FileIdentity> ConfigStore::StatLocked() const {
  struct stat st;
  if (stat(path_.c_str(), &st) != 0) return ErrnoStatus(errno, "stat " + path_);
  FileIdentity id;
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  id.size = st.st_size;
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                st.st_mtim.tv_nsec;
  return id;
}

absl::Status ConfigStore::Malformed(const std::string& text, size_t byte,
                                    const std::string& problem) const {
  std::string where = path_;
  if (byte > 0) {
    auto [line, col] = LineAndColumn(text, byte);
    where = absl::StrCat(path_, ":", line, ":", col);
  }
  return absl::FailedPreconditionError(absl::StrCat(
      where, ": ", problem,
      "\naixd will not change this file until it is fixed. Edit it by hand, "
      "or move it aside to start again from defaults:\n  mv ",
      path_, " ", path_, ".broken"));
}

absl::Status ConfigStore::ParseLocked(const std::string& text) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return Malformed(text, e.byte,
                     absl::StrCat("not valid JSON: ", NlohmannProblem(e.what())));
  }
  std::string problem_key;
  absl::Status s = ValidateDocument(doc, &problem_key);
  if (!s.ok() && LooksLikePythonConfig(doc)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path_, " was written by the Python aix (", s.message(),
        "). Import it, with its keys, providers and collections, with: aix migrate\n"
        "(aix migrate --dry-run shows what would change; the file is kept as ", path_,
        ".python)"));
  }
  if (!s.ok()) {
    return Malformed(text, OffsetOfMember(text, problem_key),
                     std::string(s.message()));
  }
  doc_ = std::move(doc);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ConfigStore::MigrateFromPython(bool dry_run) {
  std::lock_guard<std::mutex> lock(mu_);
  auto text = ReadRegularFile(path_, kMaxConfigBytes);
  if (text.status().code() == absl::StatusCode::kNotFound) return std::vector<std::string>{};
  AIX_RETURN_IF_ERROR(text.status());
  Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !LooksLikePythonConfig(doc)) return std::vector<std::string>{};
  std::vector<std::string> report;
  Json ours = MigratePythonConfig(doc, &report);
  std::string problem_key;
  absl::Status valid = ValidateDocument(ours, &problem_key);
  if (!valid.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the Python aix's config.json could not be turned into ours (", valid.message(),
        "); nothing was changed. Fix that setting in ", path_, " and run aix migrate again"));
  }
  if (dry_run) return report;
  // The original stays, byte for byte, beside ours.
  AIX_RETURN_IF_ERROR(WriteFileAtomically(path_ + ".python", *text));
  AIX_RETURN_IF_ERROR(SaveLocked(std::move(ours)));
  report.push_back(absl::StrCat("config.json: converted; the original is kept as ", path_,
                                ".python"));
  return report;
}

absl::Status ConfigStore::RefreshLocked() {
  auto id = StatLocked();
  if (!id.ok() && id.status().code() == absl::StatusCode::kNotFound) {
    AIX_RETURN_IF_ERROR(EnsurePrivateDir(storage_dir_));
    return SaveLocked(DefaultDocument(storage_dir_));
  }
  if (!id.ok()) return id.status();
  if (loaded_ && *id == identity_) return absl::OkStatus();
  loaded_ = false;
  AIX_ASSIGN_OR_RETURN(std::string text, ReadRegularFile(path_, kMaxConfigBytes));
  AIX_RETURN_IF_ERROR(ParseLocked(text));
  // A file created by hand may be readable by others; it holds keys.
  chmod(path_.c_str(), 0600);
  identity_ = *id;
  loaded_ = true;
  return absl::OkStatus();
}

absl::Status ConfigStore::SaveLocked(Json doc) {
  AIX_RETURN_IF_ERROR(WriteFileAtomically(path_, JsonText(doc, 2) + "\n", 0600));
  doc_ = std::move(doc);
  AIX_ASSIGN_OR_RETURN(identity_, StatLocked());
  loaded_ = true;
  return absl::OkStatus();
}

SettingView ConfigStore::ViewLocked(const SettingSpec& spec) const {
  SettingView v;
  v.key = spec.key;
  v.description = spec.description;
  auto it = doc_.find(spec.key);
  if (spec.type == SettingType::kPath) {
    v.value = it != doc_.end() ? *it : Json(storage_dir_);
    v.is_set = true;
    v.is_default = v.value == Json(storage_dir_);
    return v;
  }
  if (it != doc_.end()) {
    // A URL may carry credentials (http://user:pass@host): shown masked.
    v.value = spec.type == SettingType::kUrl && it->is_string()
                  ? Json(MaskUrl(it->get<std::string>()))
                  : *it;
    v.is_set = true;
    v.is_default = *it == spec.default_value;
  } else if (!spec.default_value.is_null()) {
    v.value = spec.default_value;
    v.is_set = true;
    v.is_default = true;
  }
  return v;
}

SettingView ConfigStore::KeyViewLocked(const std::string& provider) const {
  SettingView v;
  v.key = absl::StrCat(kApiKeysPrefix, provider);
  v.secret = true;
  v.description = absl::StrCat("API key for ", provider, " (masked)");
  auto keys = doc_.find("api_keys");
  if (keys != doc_.end() && keys->contains(provider)) {
    v.value = MaskSecret((*keys)[provider].get<std::string>());
    v.is_set = true;
  }
  return v;
}

absl::StatusOr<std::string> ConfigStore::ResolveApiKeyLocked(
    absl::string_view key) const {
  absl::string_view provider = key.substr(kApiKeysPrefix.size());
  // A key already stored under a name we would not accept today (a hand
  // edit) can still be read and removed.
  auto keys = doc_.find("api_keys");
  if (keys != doc_.end() && keys->contains(std::string(provider))) {
    return std::string(provider);
  }
  auto canonical = CanonicalProvider(provider, doc_);
  if (!canonical.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown setting '", key, "': ", canonical.status().message()));
  }
  return *canonical;
}

absl::StatusOr<std::vector<SettingView>> ConfigStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  std::vector<SettingView> out;
  for (const SettingSpec& spec : FixedSettings()) out.push_back(ViewLocked(spec));
  auto keys = doc_.find("api_keys");
  if (keys != doc_.end()) {
    // nlohmann::json objects iterate in sorted key order.
    for (auto& item : keys->items()) out.push_back(KeyViewLocked(item.key()));
  }
  return out;
}

absl::StatusOr<SettingView> ConfigStore::Get(absl::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  SettingView v;
  if (absl::StartsWith(key, kApiKeysPrefix)) {
    AIX_ASSIGN_OR_RETURN(std::string provider, ResolveApiKeyLocked(key));
    v = KeyViewLocked(provider);
    if (!v.is_set) {
      return absl::NotFoundError(absl::StrCat(
          "no API key is stored for ", provider, "; set one with: aix api-key ",
          provider));
    }
    return v;
  }
  const SettingSpec* spec = FindSetting(key);
  if (spec == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown setting '", key, "'; ", ValidSettingsHelp()));
  }
  v = ViewLocked(*spec);
  if (!v.is_set) {
    return absl::NotFoundError(absl::StrCat(
        key, " is not set; set it with: aix config --set ", key, " VALUE"));
  }
  return v;
}

absl::StatusOr<SettingView> ConfigStore::Set(absl::string_view key,
                                             absl::string_view text) {
  if (absl::StartsWith(key, kApiKeysPrefix)) {
    AIX_ASSIGN_OR_RETURN(KeyView k, SetKey(key.substr(kApiKeysPrefix.size()), text));
    std::lock_guard<std::mutex> lock(mu_);
    return KeyViewLocked(k.provider);
  }
  std::lock_guard<std::mutex> lock(mu_);
  const SettingSpec* spec = FindSetting(key);
  if (spec == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown setting '", key, "'; ", ValidSettingsHelp()));
  }
  AIX_RETURN_IF_ERROR(RefreshLocked());
  AIX_ASSIGN_OR_RETURN(Json value, ParseValue(*spec, text, doc_));
  Json doc = doc_;
  doc[spec->key] = std::move(value);
  AIX_RETURN_IF_ERROR(SaveLocked(std::move(doc)));
  return ViewLocked(*spec);
}

absl::StatusOr<SettingView> ConfigStore::Unset(absl::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  if (absl::StartsWith(key, kApiKeysPrefix)) {
    AIX_ASSIGN_OR_RETURN(std::string provider, ResolveApiKeyLocked(key));
    Json doc = doc_;
    if (doc.contains("api_keys")) doc["api_keys"].erase(provider);
    AIX_RETURN_IF_ERROR(SaveLocked(std::move(doc)));
    return KeyViewLocked(provider);
  }
  const SettingSpec* spec = FindSetting(key);
  if (spec == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown setting '", key, "'; ", ValidSettingsHelp()));
  }
  if (spec->type == SettingType::kPath) {
    return absl::InvalidArgumentError(absl::StrCat(
        key, " is read-only; set AIX_STORAGE_PATH for aixd to move storage"));
  }
  Json doc = doc_;
  if (spec->default_value.is_null()) {
    doc.erase(spec->key);
  } else {
    doc[spec->key] = spec->default_value;
  }
  AIX_RETURN_IF_ERROR(SaveLocked(std::move(doc)));
  return ViewLocked(*spec);
}

absl::Status ConfigStore::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  // A broken file is the user's to fix or move; Reset does not clobber it.
  AIX_RETURN_IF_ERROR(RefreshLocked());
  return SaveLocked(DefaultDocument(storage_dir_));
}

absl::StatusOr<KeyView> ConfigStore::SetKey(absl::string_view provider,
                                            absl::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  AIX_ASSIGN_OR_RETURN(std::string canonical, CanonicalProvider(provider, doc_));
  if (std::optional<absl::string_view> custom_name = registry::CustomName(canonical)) {
    // A key for a provider that does not exist would never be used: most
    // likely a typo, or the steps in the wrong order.
    std::string name(*custom_name);
    auto custom = doc_.find("custom_providers");
    if (custom == doc_.end() || !custom->is_object() || !custom->contains(name)) {
      return absl::NotFoundError(absl::StrCat(
          "there is no custom provider '", name, "' (aix provider list shows them); add it "
          "first with: aix provider add ", name, " BASE_URL, then: aix api-key ", canonical));
    }
  }
  AIX_RETURN_IF_ERROR(ValidateApiKey(canonical, key));
  Json doc = doc_;
  if (!doc.contains("api_keys")) doc["api_keys"] = Json::object();
  doc["api_keys"][canonical] = std::string(key);
  AIX_RETURN_IF_ERROR(SaveLocked(std::move(doc)));
  return KeyView{canonical, MaskSecret(key)};
}

absl::Status ConfigStore::DeleteKey(absl::string_view provider) {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  AIX_ASSIGN_OR_RETURN(std::string canonical,
                       ResolveApiKeyLocked(absl::StrCat(kApiKeysPrefix, provider)));
  auto keys = doc_.find("api_keys");
  if (keys == doc_.end() || !keys->contains(canonical)) {
    return absl::NotFoundError(
        absl::StrCat("no API key is stored for ", canonical, "; nothing to delete"));
  }
  Json doc = doc_;
  doc["api_keys"].erase(canonical);
  return SaveLocked(std::move(doc));
}

absl::StatusOr<std::vector<KeyView>> ConfigStore::ListKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  std::vector<KeyView> out;
  auto keys = doc_.find("api_keys");
  if (keys != doc_.end()) {
    for (auto& item : keys->items()) {
      out.push_back({item.key(), MaskSecret(item.value().get<std::string>())});
    }
  }
  return out;
}

absl::Status ConfigStore::AddCustomProvider(const std::string& name, const Json& definition) {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  if (doc_.contains("custom_providers") && doc_["custom_providers"].contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "a custom provider named '", name, "' exists; remove it first: aix provider remove ",
        name));
  }
  Json doc = doc_;
  if (!doc.contains("custom_providers")) doc["custom_providers"] = Json::object();
  doc["custom_providers"][name] = definition;
  return SaveLocked(std::move(doc));
}

absl::Status ConfigStore::RemoveCustomProvider(const std::string& name, bool* removed_key) {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  if (!doc_.contains("custom_providers") || !doc_["custom_providers"].contains(name)) {
    return absl::NotFoundError(absl::StrCat(
        "no custom provider named '", name, "'; see them with: aix provider list"));
  }
  std::string canonical = registry::Custom(name);
  if (doc_.value("default_provider", "") == canonical) {
    return absl::FailedPreconditionError(absl::StrCat(
        canonical, " is the default provider; choose another first: aix config --set "
                   "default_provider ", registry::Default().name));
  }
  Json doc = doc_;
  doc["custom_providers"].erase(name);
  *removed_key = doc.contains("api_keys") && doc["api_keys"].erase(canonical) > 0;
  return SaveLocked(std::move(doc));
}

absl::StatusOr<Json> ConfigStore::Document() {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  return doc_;
}

absl::StatusOr<std::string> ConfigStore::ApiKey(absl::string_view provider) {
  std::lock_guard<std::mutex> lock(mu_);
  AIX_RETURN_IF_ERROR(RefreshLocked());
  AIX_ASSIGN_OR_RETURN(std::string canonical, CanonicalProvider(provider, doc_));
  auto keys = doc_.find("api_keys");
  if (keys == doc_.end() || !keys->contains(canonical)) {
    return absl::NotFoundError(absl::StrCat("no API key stored for ", canonical));
  }
  return (*keys)[canonical].get<std::string>();
}

}  // namespace aix::config
