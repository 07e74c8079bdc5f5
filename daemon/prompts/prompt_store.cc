#include "daemon/prompts/prompt_store.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/config/settings.h"
#include "common/template.h"
#include "daemon/prompts/yaml_fields.h"

namespace aix::prompts {
namespace {

}  // namespace

absl::Status ValidateName(absl::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name != "." && name != "..";
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-') {
      ok = false;
    }
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid prompt name '", name,
      "': use letters, digits, '.', '_' and '-', at most 64 characters "
      "(e.g. code-review or summarize_v2)"));
}

std::string ToYaml(const Prompt& p) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << p.name;
  out << YAML::Key << "description" << YAML::Value << p.description;
  out << YAML::Key << "tags" << YAML::Value << YAML::Flow << p.tags;
  out << YAML::Key << "template" << YAML::Value;
  EmitText(out, p.template_text);
  if (p.provider) out << YAML::Key << "provider" << YAML::Value << *p.provider;
  if (p.model) out << YAML::Key << "model" << YAML::Value << *p.model;
  if (!p.fallback.empty()) {
    out << YAML::Key << "fallback" << YAML::Value << YAML::Flow << p.fallback;
  }
  if (p.system) {
    out << YAML::Key << "system" << YAML::Value;
    EmitText(out, *p.system);
  }
  if (p.max_tokens) out << YAML::Key << "max_tokens" << YAML::Value << *p.max_tokens;
  if (p.temperature) out << YAML::Key << "temperature" << YAML::Value << *p.temperature;
  if (p.origin) out << YAML::Key << "origin" << YAML::Value << *p.origin;
  if (p.trusted_commands) {
    out << YAML::Key << "trusted_commands" << YAML::Value << *p.trusted_commands;
  }
  out << YAML::Key << "created" << YAML::Value << TimeText(p.created);
  out << YAML::Key << "updated" << YAML::Value << TimeText(p.updated);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string CommandsDigest(const std::string& template_text) {
  auto t = Template::Parse(template_text);
  if (!t.ok() || t->command_count() == 0) return "";
  uint64_t h = 1469598103934665603ULL;
  for (const std::string& c : t->CommandSources()) {
    for (unsigned char ch : c) h = (h ^ ch) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;  // separator: no two lists collide by joining
  }
  return absl::StrFormat("fnv1a64:%016x", h);
}

std::string TrustDigest(const Prompt& p) {
  std::string commands = CommandsDigest(p.template_text);
  if (!p.provider && p.fallback.empty()) return commands;
  uint64_t h = 1469598103934665603ULL;
  auto add = [&h](absl::string_view part) {
    for (unsigned char ch : part) h = (h ^ ch) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  };
  add(commands);
  add(p.provider.value_or(""));
  for (const std::string& f : p.fallback) add(f);
  return absl::StrFormat("fnv1a64-dest:%016x", h);
}

bool CommandsTrusted(const Prompt& p) {
  if (!p.origin || CommandsDigest(p.template_text).empty()) return true;
  return p.trusted_commands == TrustDigest(p);
}

bool DestinationTrusted(const Prompt& p) {
  if (!p.origin || (!p.provider && p.fallback.empty())) return true;
  return p.trusted_commands == TrustDigest(p);
}

absl::StatusOr<Prompt> FromYaml(const std::string& text, const std::string& source) {
  AIX_RETURN_IF_ERROR(CheckUtf8(text, source));
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return absl::FailedPreconditionError(absl::StrCat(
        source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": not valid YAML: ", e.msg));
  }
  if (!doc.IsMap()) return AtNode(source, doc, "a prompt file must be a YAML mapping");
  Prompt p;
  try {
    AIX_ASSIGN_OR_RETURN(auto name, Scalar(doc, "name", source));
    AIX_ASSIGN_OR_RETURN(auto tmpl, Scalar(doc, "template", source));
    if (!name) return AtNode(source, doc, "missing 'name'");
    if (!tmpl) return AtNode(source, doc, "missing 'template'");
    p.name = *name;
    p.template_text = *tmpl;
    AIX_ASSIGN_OR_RETURN(auto description, Scalar(doc, "description", source));
    p.description = description.value_or("");
    AIX_ASSIGN_OR_RETURN(p.tags, TextList(doc, "tags", "each tag", source));
    AIX_ASSIGN_OR_RETURN(p.provider, Scalar(doc, "provider", source));
    AIX_ASSIGN_OR_RETURN(p.model, Scalar(doc, "model", source));
    AIX_ASSIGN_OR_RETURN(p.system, Scalar(doc, "system", source));
    if (YAML::Node fb = doc["fallback"]) {
      if (fb.IsScalar()) {
        p.fallback = config::SplitProviderList(fb.as<std::string>());
      } else if (fb.IsSequence()) {
        for (const YAML::Node& item : fb) {
          if (!item.IsScalar()) return AtNode(source, item, "each fallback must be text");
          p.fallback.push_back(item.as<std::string>());
        }
      } else {
        return AtNode(source, fb, "'fallback' must be a list of PROVIDER or PROVIDER/MODEL");
      }
      for (const std::string& item : p.fallback) {
        absl::Status ok = config::CheckProviderSpec(item);
        if (!ok.ok()) return AtNode(source, fb, std::string(ok.message()));
      }
    }
    if (YAML::Node n = doc["max_tokens"]) {
      int64_t v;
      if (!YAML::convert<int64_t>::decode(n, v) || v <= 0) {
        return AtNode(source, n, "'max_tokens' must be an integer greater than 0");
      }
      p.max_tokens = v;
    }
    if (YAML::Node n = doc["temperature"]) {
      double v;
      if (!YAML::convert<double>::decode(n, v) || !(v >= 0 && v <= 2)) {
        return AtNode(source, n, "'temperature' must be a number from 0 to 2");
      }
      p.temperature = v;
    }
    AIX_ASSIGN_OR_RETURN(p.origin, Scalar(doc, "origin", source));
    AIX_ASSIGN_OR_RETURN(p.trusted_commands, Scalar(doc, "trusted_commands", source));
    AIX_RETURN_IF_ERROR(ReadTime(doc, "created", source, &p.created));
    AIX_RETURN_IF_ERROR(ReadTime(doc, "updated", source, &p.updated));
  } catch (const YAML::Exception& e) {
    return absl::FailedPreconditionError(
        absl::StrCat(source, ":", e.mark.line + 1, ": ", e.msg));
  }
  absl::Status name_ok = ValidateName(p.name);
  if (!name_ok.ok()) return AtNode(source, doc["name"], std::string(name_ok.message()));
  auto parsed = Template::Parse(p.template_text);
  if (!parsed.ok()) {
    return AtNode(source, doc["template"], std::string(parsed.status().message()));
  }
  return p;
}

std::string PromptStore::PathOf(absl::string_view name) const {
  return absl::StrCat(dir_, "/", name, ".yaml");
}

absl::StatusOr<Prompt> PromptStore::Get(absl::string_view name) const {
  AIX_RETURN_IF_ERROR(ValidateName(name));
  struct stat st;
  const bool have_stat = stat(PathOf(name).c_str(), &st) == 0;
  const int64_t mtime_ns = have_stat ? st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec : 0;
  const int64_t ctime_ns = have_stat ? st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec : 0;
  if (have_stat) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(std::string(name));
    if (it != cache_.end() && it->second.dev == st.st_dev && it->second.ino == st.st_ino &&
        it->second.size == st.st_size && it->second.mtime_ns == mtime_ns &&
        it->second.ctime_ns == ctime_ns) {
      return it->second.prompt;
    }
  }
  auto text = ReadRegularFile(PathOf(name), kMaxPromptFileBytes);
  if (text.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat(
        "no prompt named '", name, "'; see what exists with: aix list"));
  }
  if (!text.ok()) return text.status();
  auto parsed = FromYaml(*text, PathOf(name));
  if (!parsed.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        parsed.status().message(), "\nFix it in a text editor (", PathOf(name),
        "), or delete it: aix delete ", name, " --force"));
  }
  Prompt p = *std::move(parsed);
  if (p.name != name) {
    return absl::FailedPreconditionError(absl::StrCat(
        PathOf(name), ": the file says name: ", p.name, "; rename the file or fix the name"));
  }
  // Stat came before the read: if the file changed in between, its new
  // identity differs from the one stored and the next Get reads it again.
  // A file changed within the last second is not kept: file times tick
  // coarsely, so a same-size rewrite in that tick would look unchanged
  // (git's "racy clean" problem).
  if (have_stat && absl::Now() - absl::FromUnixNanos(std::max(mtime_ns, ctime_ns)) > absl::Seconds(1)) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    cache_[std::string(name)] = Cached{st.st_dev, st.st_ino, st.st_size, mtime_ns, ctime_ns, p};
  }
  return p;
}

absl::StatusOr<Prompt> PromptStore::Create(Prompt p, bool durable) {
  AIX_RETURN_IF_ERROR(ValidateName(p.name));
  AIX_RETURN_IF_ERROR(Template::Parse(p.template_text).status());
  for (const std::string& item : p.fallback) AIX_RETURN_IF_ERROR(config::CheckProviderSpec(item));
  std::lock_guard<std::mutex> lock(write_mu_);
  if (access(PathOf(p.name).c_str(), F_OK) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        "a prompt named '", p.name, "' exists; change it with: aix edit ", p.name,
        ", or remove it first: aix delete ", p.name));
  }
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(dir_));
  p.created = p.updated = absl::Now();
  AIX_RETURN_IF_ERROR(WriteFileAtomically(PathOf(p.name), ToYaml(p), 0600, durable));
  return p;
}

absl::StatusOr<Prompt> PromptStore::Update(Prompt p, bool durable) {
  AIX_RETURN_IF_ERROR(Template::Parse(p.template_text).status());
  std::lock_guard<std::mutex> lock(write_mu_);
  auto old = Get(p.name);
  // A broken file may be replaced by a good version: that is how it is fixed.
  if (old.status().code() == absl::StatusCode::kNotFound) return old.status();
  p.created = old.ok() ? old->created : absl::Now();
  p.updated = absl::Now();
  AIX_RETURN_IF_ERROR(WriteFileAtomically(PathOf(p.name), ToYaml(p), 0600, durable));
  return p;
}

absl::StatusOr<Prompt> PromptStore::ReplaceYaml(absl::string_view name,
                                                const std::string& yaml) {
  AIX_RETURN_IF_ERROR(ValidateName(name));
  auto parsed = FromYaml(yaml, "edited " + PathOf(name));
  if (!parsed.ok()) {
    // The user's edit is at fault, not the stored file: a usage error.
    return absl::InvalidArgumentError(parsed.status().message());
  }
  if (parsed->name != name) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the edit renames the prompt to '", parsed->name, "'; keep name: ", name,
        " (to rename, create a new prompt and delete the old one)"));
  }
  return Update(*std::move(parsed));
}

absl::Status PromptStore::Delete(absl::string_view name) {
  AIX_RETURN_IF_ERROR(ValidateName(name));
  std::lock_guard<std::mutex> lock(write_mu_);
  if (unlink(PathOf(name).c_str()) != 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat("no prompt named '", name, "'; see: aix list"));
    }
    return ErrnoStatus(errno, "delete " + PathOf(name));
  }
  std::lock_guard<std::mutex> cache_lock(cache_mu_);
  cache_.erase(std::string(name));
  return absl::OkStatus();
}

std::vector<Prompt> PromptStore::List(absl::string_view tag,
                                      std::vector<absl::Status>* problems) const {
  std::vector<Prompt> out;
  for (const std::string& name : YamlNames(dir_)) {
    auto p = Get(name);
    if (!p.ok()) {
      if (problems != nullptr) problems->push_back(p.status());
      continue;
    }
    if (!tag.empty() && std::find(p->tags.begin(), p->tags.end(), tag) == p->tags.end()) {
      continue;
    }
    out.push_back(*std::move(p));
  }
  return out;
}

}  // namespace aix::prompts
