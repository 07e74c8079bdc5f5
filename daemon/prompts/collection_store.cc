#include "daemon/prompts/collection_store.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/prompts/yaml_fields.h"

namespace aix::prompts {
namespace {

absl::Status ValidateCollectionName(absl::string_view name) {
  absl::Status s = ValidateName(name);
  if (s.ok() && name != "loaded") return s;
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid collection name '", name,
      "': use letters, digits, '.', '_' and '-', at most 64 characters (e.g. work or "
      "code-review)"));
}

}  // namespace

std::string CollectionToYaml(const Collection& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << c.name;
  out << YAML::Key << "description" << YAML::Value << c.description;
  out << YAML::Key << "author" << YAML::Value << c.author;
  out << YAML::Key << "tags" << YAML::Value << YAML::Flow << c.tags;
  if (c.system) {
    out << YAML::Key << "system" << YAML::Value;
    EmitText(out, *c.system);
  }
  out << YAML::Key << "prompts" << YAML::Value << YAML::BeginSeq;
  for (const std::string& p : c.prompts) out << p;
  out << YAML::EndSeq;
  out << YAML::Key << "created" << YAML::Value << TimeText(c.created);
  out << YAML::Key << "updated" << YAML::Value << TimeText(c.updated);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

absl::StatusOr<Collection> CollectionFromYaml(const std::string& text, const std::string& source) {
  AIX_RETURN_IF_ERROR(CheckUtf8(text, source));
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return absl::FailedPreconditionError(absl::StrCat(
        source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": not valid YAML: ", e.msg));
  }
  if (!doc.IsMap()) return AtNode(source, doc, "a collection file must be a YAML mapping");
  Collection c;
  try {
    AIX_ASSIGN_OR_RETURN(auto name, Scalar(doc, "name", source));
    if (!name) return AtNode(source, doc, "missing 'name'");
    c.name = *name;
    AIX_ASSIGN_OR_RETURN(auto description, Scalar(doc, "description", source));
    c.description = description.value_or("");
    AIX_ASSIGN_OR_RETURN(auto author, Scalar(doc, "author", source));
    c.author = author.value_or("");
    AIX_ASSIGN_OR_RETURN(c.system, Scalar(doc, "system", source));
    AIX_ASSIGN_OR_RETURN(c.tags, TextList(doc, "tags", "each tag", source));
    AIX_ASSIGN_OR_RETURN(c.prompts, TextList(doc, "prompts", "each prompt name", source));
    for (const std::string& p : c.prompts) {
      absl::Status ok = ValidateName(p);
      if (!ok.ok()) return AtNode(source, doc["prompts"], std::string(ok.message()));
    }
    AIX_RETURN_IF_ERROR(ReadTime(doc, "created", source, &c.created));
    AIX_RETURN_IF_ERROR(ReadTime(doc, "updated", source, &c.updated));
  } catch (const YAML::Exception& e) {
    return absl::FailedPreconditionError(absl::StrCat(source, ":", e.mark.line + 1, ": ", e.msg));
  }
  absl::Status name_ok = ValidateCollectionName(c.name);
  if (!name_ok.ok()) return AtNode(source, doc["name"], std::string(name_ok.message()));
  return c;
}

std::string CollectionStore::PathOf(absl::string_view name) const {
  return absl::StrCat(dir_, "/", name, ".yaml");
}

absl::StatusOr<Collection> CollectionStore::Get(absl::string_view name) const {
  AIX_RETURN_IF_ERROR(ValidateCollectionName(name));
  auto text = ReadRegularFile(PathOf(name), kMaxPromptFileBytes);
  if (text.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("no collection named '", name,
                                            "'; see what exists with: aix collection list"));
  }
  if (!text.ok()) return text.status();
  auto c = CollectionFromYaml(*text, PathOf(name));
  if (!c.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        c.status().message(), "\nFix it in a text editor (", PathOf(name),
        "), or delete it: aix collection delete ", name, " --force"));
  }
  if (c->name != name) {
    return absl::FailedPreconditionError(absl::StrCat(
        PathOf(name), ": the file says name: ", c->name, "; rename the file or fix the name"));
  }
  return c;
}

absl::StatusOr<Collection> CollectionStore::Create(Collection c) {
  AIX_RETURN_IF_ERROR(ValidateCollectionName(c.name));
  std::lock_guard<std::mutex> lock(write_mu_);
  if (access(PathOf(c.name).c_str(), F_OK) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        "a collection named '", c.name, "' already exists; see it with: aix collection info ",
        c.name));
  }
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(dir_));
  c.created = c.updated = absl::Now();
  AIX_RETURN_IF_ERROR(WriteFileAtomically(PathOf(c.name), CollectionToYaml(c)));
  return c;
}

absl::StatusOr<Collection> CollectionStore::Put(Collection c) {
  AIX_RETURN_IF_ERROR(ValidateCollectionName(c.name));
  std::lock_guard<std::mutex> lock(write_mu_);
  auto old = Get(c.name);
  c.created = old.ok() ? old->created : absl::Now();
  c.updated = absl::Now();
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(dir_));
  AIX_RETURN_IF_ERROR(WriteFileAtomically(PathOf(c.name), CollectionToYaml(c)));
  return c;
}

absl::Status CollectionStore::Delete(absl::string_view name) {
  AIX_RETURN_IF_ERROR(ValidateCollectionName(name));
  const bool was_loaded = Loaded() == std::string(name);
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (unlink(PathOf(name).c_str()) != 0) {
      if (errno == ENOENT) {
        return absl::NotFoundError(
            absl::StrCat("no collection named '", name, "'; see: aix collection list"));
      }
      return ErrnoStatus(errno, "delete " + PathOf(name));
    }
  }
  if (was_loaded) return Unload();
  return absl::OkStatus();
}

std::vector<Collection> CollectionStore::List(std::vector<absl::Status>* problems) const {
  std::vector<Collection> out;
  for (const std::string& name : YamlNames(dir_)) {
    auto c = Get(name);
    if (!c.ok()) {
      if (problems != nullptr) problems->push_back(c.status());
      continue;
    }
    out.push_back(*std::move(c));
  }
  return out;
}

std::optional<std::string> CollectionStore::SystemFor(absl::string_view prompt,
                                                      std::string* from) const {
  auto holds = [&prompt](const Collection& c) {
    return c.system && std::find(c.prompts.begin(), c.prompts.end(), prompt) != c.prompts.end();
  };
  if (std::optional<std::string> loaded = Loaded()) {
    auto c = Get(*loaded);
    if (c.ok() && holds(*c)) {
      *from = c->name;
      return c->system;
    }
  }
  std::vector<Collection> with;
  for (Collection& c : List(nullptr)) {
    if (holds(c)) with.push_back(std::move(c));
  }
  if (with.size() != 1) return std::nullopt;  // none, or ambiguous: load one to choose
  *from = with[0].name;
  return with[0].system;
}

std::vector<std::string> CollectionStore::PythonFiles() const {
  std::vector<std::string> out;
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    absl::string_view file = e->d_name;
    if (absl::EndsWith(file, ".xml") && file.size() > 4) out.push_back(dir_ + "/" + e->d_name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool CollectionStore::PythonUnmigrated() const {
  return !PythonFiles().empty() && access((dir_ + "/.python-migrated").c_str(), F_OK) != 0;
}

void CollectionStore::MarkPythonMigrated() {
  if (EnsurePrivateDir(dir_).ok()) {
    (void)WriteFileAtomically(dir_ + "/.python-migrated", "aix migrate ran; the .xml files "
                                                          "are the Python aix's, left as they were\n");
  }
}

std::optional<std::string> CollectionStore::Loaded() const {
  auto text = ReadRegularFile(dir_ + "/loaded", 4096);
  if (!text.ok()) return std::nullopt;
  std::string name(absl::StripAsciiWhitespace(*text));
  if (!ValidateCollectionName(name).ok() || access(PathOf(name).c_str(), F_OK) != 0) {
    return std::nullopt;  // deleted by hand: nothing is loaded
  }
  return name;
}

absl::Status CollectionStore::Load(absl::string_view name) {
  AIX_RETURN_IF_ERROR(Get(name).status());
  std::lock_guard<std::mutex> lock(write_mu_);
  return WriteFileAtomically(dir_ + "/loaded", absl::StrCat(name, "\n"));
}

absl::Status CollectionStore::Unload() {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (unlink((dir_ + "/loaded").c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "unload the collection");
  }
  return absl::OkStatus();
}

}  // namespace aix::prompts
