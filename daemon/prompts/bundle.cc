#include "daemon/prompts/bundle.h"

#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/files.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "daemon/prompts/import_journal.h"

namespace aix::prompts {
namespace {

using Json = nlohmann::json;
using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

constexpr char kFormat[] = "aix-collection-bundle";

absl::Status CheckEntryPath(const std::string& path, const std::string& source) {
  if (path.empty() || path[0] == '/' || path.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": refused: entry '", path, "' has an absolute or empty path"));
  }
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": refused: entry '", path, "' climbs out of the bundle (\"..\")"));
    }
  }
  return absl::OkStatus();
}

// ReadEntries reads every regular file of a .tar.gz, refusing anything
// else (links, devices, traversal, absurd sizes).
absl::StatusOr<std::map<std::string, std::string>> ReadEntries(absl::string_view data,
                                                              const std::string& source) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not a .tar.gz bundle: ",
                                                   archive_error_string(a.get())));
  }
  std::map<std::string, std::string> files;
  size_t total = 0, count = 0;
  for (;;) {
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": a damaged bundle: ",
                                                     archive_error_string(a.get())));
    }
    if (++count > kMaxBundleEntries) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": refused: more than ", kMaxBundleEntries, " entries"));
    }
    const char* raw = archive_entry_pathname(e);
    std::string path = raw == nullptr ? "" : raw;
    if (absl::StartsWith(path, "./")) path = path.substr(2);
    AIX_RETURN_IF_ERROR(CheckEntryPath(path, source));
    mode_t type = archive_entry_filetype(e);
    if (archive_entry_hardlink(e) != nullptr || type == AE_IFLNK) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": refused: entry '", path, "' is a link"));
    }
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": refused: entry '", path, "' is not a regular file (a device or fifo)"));
    }
    if (archive_entry_size(e) > static_cast<la_int64_t>(kMaxBundleEntryBytes)) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": refused: entry '", path,
                                                     "' is over ", kMaxBundleEntryBytes >> 20,
                                                     " MiB"));
    }
    std::string content;
    char buf[65536];
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n < 0) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": entry '", path,
                                                       "' is damaged: ",
                                                       archive_error_string(a.get())));
      }
      if (n == 0) break;
      content.append(buf, static_cast<size_t>(n));
      total += static_cast<size_t>(n);
      // The header's size is not trusted: the data itself is bounded.
      if (content.size() > kMaxBundleEntryBytes || total > kMaxBundleBytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ": refused: entry '", path, "' or the whole bundle is too large"));
      }
    }
    if (!files.emplace(path, std::move(content)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": refused: entry '", path, "' appears twice"));
    }
  }
  return files;
}

absl::StatusOr<ImportSet> FromOurBundle(const std::map<std::string, std::string>& files,
                                        const std::string& source) {
  ImportSet set;
  auto yaml = files.find("collection.yaml");
  if (yaml == files.end()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no collection.yaml in the bundle"));
  }
  auto c = CollectionFromYaml(yaml->second, source + ":collection.yaml");
  if (!c.ok()) return absl::InvalidArgumentError(c.status().message());
  set.collection = *std::move(c);
  for (const std::string& name : set.collection.prompts) {
    auto f = files.find("prompts/" + name + ".yaml");
    if (f == files.end()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": prompt ", name,
                                                     " is listed but prompts/", name,
                                                     ".yaml is missing"));
    }
    auto p = FromYaml(f->second, absl::StrCat(source, ":prompts/", name, ".yaml"));
    if (!p.ok()) return absl::InvalidArgumentError(p.status().message());
    if (p->name != name) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": prompts/", name,
                                                     ".yaml says name: ", p->name));
    }
    set.prompts.push_back(*std::move(p));
  }
  return set;
}

}  // namespace

absl::StatusOr<std::string> WriteBundle(const Collection& c, const std::vector<Prompt>& prompts) {
  std::string out;
  ArchivePtr a(archive_write_new(), archive_write_free);
  archive_write_add_filter_gzip(a.get());
  archive_write_set_format_pax_restricted(a.get());
  auto write = [](struct archive*, void* data, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open2(a.get(), &out, nullptr, write, nullptr, nullptr) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("bundle: ", archive_error_string(a.get())));
  }
  auto add = [&a](const std::string& path, const std::string& content) -> absl::Status {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                            archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0600);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    archive_entry_set_mtime(e.get(), absl::ToTimeT(absl::Now()), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK ||
        archive_write_data(a.get(), content.data(), content.size()) !=
            static_cast<la_ssize_t>(content.size())) {
      return absl::InternalError(absl::StrCat("bundle: ", archive_error_string(a.get())));
    }
    return absl::OkStatus();
  };
  Json manifest = {{"format", kFormat},
                   {"version", 1},
                   {"collection", c.name},
                   {"prompts", c.prompts},
                   {"exported_at", absl::FormatTime(absl::Now())}};
  AIX_RETURN_IF_ERROR(add("manifest.json", JsonText(manifest, 2) + "\n"));
  AIX_RETURN_IF_ERROR(add("collection.yaml", CollectionToYaml(c)));
  for (const Prompt& p : prompts) {
    Prompt shared = p;
    shared.trusted_commands.reset();  // trust is the receiver's to give
    AIX_RETURN_IF_ERROR(add("prompts/" + p.name + ".yaml", ToYaml(shared)));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("bundle: ", archive_error_string(a.get())));
  }
  return out;
}

absl::StatusOr<ImportSet> ReadImport(absl::string_view data, const std::string& source) {
  const bool gzip = data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
                    static_cast<unsigned char>(data[1]) == 0x8b;
  if (!gzip) return ParsePythonCollection(data, source);
  AIX_ASSIGN_OR_RETURN(auto files, ReadEntries(data, source));
  auto manifest_file = files.find("manifest.json");
  if (manifest_file == files.end()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no manifest.json: not a bundle"));
  }
  Json manifest = Json::parse(manifest_file->second, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": manifest.json is not JSON"));
  }
  auto format = manifest.find("format");
  if (format != manifest.end() && !format->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": manifest.json's format is ", format->type_name(), ", not text (\"", kFormat,
        "\" for an aix bundle); export the collection again with: aix collection export"));
  }
  if (format != manifest.end() && format->get<std::string>() == kFormat) {
    return FromOurBundle(files, source);
  }
  // The Python aix's bundle: NAME.xml beside the manifest.
  auto name = manifest.find("collection_name");
  if (name == manifest.end() || !name->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": manifest.json names no collection (collection_name): not a bundle"));
  }
  auto xml = files.find(name->get<std::string>() + ".xml");
  if (xml == files.end()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": the bundle lacks ",
                                                   name->get<std::string>(), ".xml"));
  }
  return ParsePythonCollection(xml->second, absl::StrCat(source, ":", xml->first));
}

absl::Status ApplyImport(ImportSet& set, const std::string& origin, bool overwrite,
                         PromptStore* prompts, CollectionStore* collections) {
  // Check everything first: a refusal changes nothing.
  if (!overwrite && collections->Get(set.collection.name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "a collection named ", set.collection.name,
        " already exists; nothing was imported. Replace it with --overwrite"));
  }
  std::vector<std::string> conflicts;
  for (Prompt& p : set.prompts) {
    AIX_RETURN_IF_ERROR(ValidateName(p.name));
    // Nobody here wrote it: its commands wait for trust. (Migration passes
    // no origin: those prompts are the user's own.)
    if (origin.empty()) {
      p.origin.reset();
    } else {
      p.origin = origin;
    }
    p.trusted_commands.reset();
    auto existing = prompts->Get(p.name);
    if (existing.ok() && existing->template_text != p.template_text && !overwrite) {
      conflicts.push_back(p.name);
    }
  }
  if (!conflicts.empty()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "prompt", conflicts.size() > 1 ? "s " : " ", absl::StrJoin(conflicts, ", "),
        " already exist", conflicts.size() > 1 ? "" : "s",
        " with a different template; nothing was imported. Replace ",
        conflicts.size() > 1 ? "them" : "it", " with --overwrite"));
  }
  // What will be written, and what each file holds now: the journal can
  // then put everything back if aixd dies half-way (import_journal.h).
  std::vector<const Prompt*> writes;
  std::vector<bool> replaces;
  std::vector<std::pair<std::string, std::optional<std::string>>> before;
  for (const Prompt& p : set.prompts) {
    auto existing = prompts->Get(p.name);
    if (existing.ok() && existing->template_text == p.template_text && !overwrite) {
      set.report.push_back(absl::StrCat(p.name, ": already here, unchanged"));
      continue;
    }
    auto now = ReadRegularFile(prompts->PathOf(p.name), kMaxPromptFileBytes);
    if (!now.ok() && !absl::IsNotFound(now.status())) return now.status();
    writes.push_back(&p);
    replaces.push_back(now.ok());
    before.emplace_back(prompts->PathOf(p.name),
                        now.ok() ? std::optional<std::string>(*now) : std::nullopt);
  }
  {
    auto now = ReadRegularFile(collections->PathOf(set.collection.name), kMaxPromptFileBytes);
    if (!now.ok() && !absl::IsNotFound(now.status())) return now.status();
    before.emplace_back(collections->PathOf(set.collection.name),
                        now.ok() ? std::optional<std::string>(*now) : std::nullopt);
  }
  static std::mutex import_mu;  // one import at a time: one journal
  std::lock_guard<std::mutex> lock(import_mu);
  const std::string root = prompts->dir().substr(0, prompts->dir().rfind('/'));
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(root));
  ImportJournal journal(root + "/import.journal", root);
  AIX_RETURN_IF_ERROR(journal.Begin(before));
  // Thousands of files: each written atomically, none synced on its own;
  // Commit syncs them all at once.
  absl::Status written = absl::OkStatus();
  for (size_t i = 0; i < writes.size() && written.ok(); ++i) {
    auto stored = replaces[i] ? prompts->Update(*writes[i], /*durable=*/false)
                              : prompts->Create(*writes[i], /*durable=*/false);
    written = stored.status();
  }
  if (written.ok()) written = collections->Put(set.collection).status();
  if (!written.ok()) {
    // Put back what was written so far; the import changes nothing.
    (void)journal.Recover();
    return written;
  }
  return journal.Commit();
}

absl::StatusOr<int> RecoverImport(const PromptStore& prompts) {
  const std::string root = prompts.dir().substr(0, prompts.dir().rfind('/'));
  return ImportJournal(root + "/import.journal", root).Recover();
}

}  // namespace aix::prompts
