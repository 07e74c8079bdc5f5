// aix collection create|list|info|load|unload|add|remove|delete, and the
// Python aix's spellings of the same (collection-create, ...).
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "aix/v1/collections.grpc.pb.h"
#include "client/call.h"
#include "client/command_runner.h"
#include "client/cli/subcommand.h"
#include "common/proto_json.h"
#include "client/terminal.h"
#include "absl/strings/match.h"
#include "common/files.h"
#include "common/limits.h"
#include "common/paths.h"
#include "common/status_macros.h"

namespace aix {
namespace {

using Stub = v1::CollectionService::Stub;

struct CollectionArgs {
  std::string name, description, author, system, collection, output = ".", path;
  std::vector<std::string> tags, prompts;
  bool json = false;
  bool force = false;
  bool overwrite = false;
};

// SystemText accepts the Python aix's form of a system prompt, a JSON
// object {"role": "system", "content": "..."}, as well as plain text.
std::string SystemText(const std::string& in) {
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("content") && j["content"].is_string()) {
    return j["content"].get<std::string>();
  }
  return in;
}

void PrintInfo(const v1::Collection& c) {
  auto row = [](const char* k, const std::string& v) {
    if (!v.empty()) std::cout << k << v << "\n";
  };
  row("name:        ", c.name() + (c.loaded() ? " (loaded)" : ""));
  row("description: ", c.description());
  row("author:      ", c.author());
  row("tags:        ", absl::StrJoin(c.tags(), ", "));
  if (c.has_system_prompt()) row("system:      ", c.system_prompt());
  row("updated:     ", absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                        absl::FromUnixMillis(c.updated_unix_ms()),
                                        absl::UTCTimeZone()));
  std::cout << "prompts:     " << c.prompts_size() << "\n";
  for (const std::string& p : c.prompts()) {
    bool missing = std::find(c.missing_prompts().begin(), c.missing_prompts().end(), p) !=
                   c.missing_prompts().end();
    std::cout << "  " << p << (missing ? "  (missing: no such prompt)" : "") << "\n";
  }
}

absl::Status Show(const v1::Collection& c, bool json, const std::string& verb) {
  if (json) {
    std::cout << ProtoJson(c);
  } else if (!verb.empty()) {
    std::cout << verb << " collection " << c.name() << " (" << c.prompts_size() << " prompt"
              << (c.prompts_size() == 1 ? "" : "s") << ")\n";
  } else {
    PrintInfo(c);
  }
  return absl::OkStatus();
}

absl::Status Create(const CollectionArgs& a) {
  v1::CreateCollectionRequest req;
  v1::Collection* c = req.mutable_collection();
  c->set_name(a.name);
  c->set_description(a.description);
  c->set_author(a.author);
  for (const std::string& t : a.tags) c->add_tags(t);
  if (!a.system.empty()) c->set_system_prompt(SystemText(a.system));
  for (const std::string& p : a.prompts) c->add_prompts(p);
  v1::Collection out;
  AIX_RETURN_IF_ERROR(Call(&Stub::CreateCollection, req, &out));
  return Show(out, a.json, "Created");
}

absl::Status List(const CollectionArgs& a) {
  v1::ListCollectionsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&Stub::ListCollections, v1::ListCollectionsRequest(), &resp));
  for (const std::string& p : resp.problems()) {
    std::cerr << "warning: skipped a collection file: " << p << "\n";
  }
  if (a.json) {
    std::cout << ProtoJson(resp);
    return absl::OkStatus();
  }
  if (resp.collections_size() == 0) {
    std::cerr << "No collections yet. Create one with: aix collection create NAME\n";
    return absl::OkStatus();
  }
  for (const v1::Collection& c : resp.collections()) {
    std::cout << (c.loaded() ? "* " : "  ") << c.name() << "  " << c.prompts_size() << " prompt"
              << (c.prompts_size() == 1 ? "" : "s")
              << (c.description().empty() ? "" : "  " + c.description()) << "\n";
  }
  return absl::OkStatus();
}

absl::Status Info(const CollectionArgs& a) {
  v1::GetCollectionRequest req;
  req.set_name(a.name);
  v1::Collection c;
  AIX_RETURN_IF_ERROR(Call(&Stub::GetCollection, req, &c));
  return Show(c, a.json, "");
}

absl::Status Load(const CollectionArgs& a) {
  v1::LoadCollectionRequest req;
  req.set_name(a.name);
  v1::Collection c;
  AIX_RETURN_IF_ERROR(Call(&Stub::LoadCollection, req, &c));
  if (a.json) return Show(c, true, "");
  std::cout << "Loaded collection " << c.name() << ": aix list shows its " << c.prompts_size()
            << " prompt" << (c.prompts_size() == 1 ? "" : "s")
            << (c.has_system_prompt() ? ", and its system prompt goes with their runs" : "")
            << ". aix collection unload to leave it.\n";
  return absl::OkStatus();
}

absl::Status Unload() {
  v1::UnloadCollectionResponse resp;
  AIX_RETURN_IF_ERROR(Call(&Stub::UnloadCollection, v1::UnloadCollectionRequest(), &resp));
  std::cout << (resp.unloaded().empty() ? "No collection was loaded"
                                        : "Unloaded collection " + resp.unloaded())
            << "\n";
  return absl::OkStatus();
}

absl::Status Change(const CollectionArgs& a, bool add) {
  v1::ChangePromptsRequest req;
  req.set_collection(a.collection);
  for (const std::string& p : a.prompts) req.add_prompts(p);
  v1::Collection c;
  AIX_RETURN_IF_ERROR(Call(add ? &Stub::AddPrompts : &Stub::RemovePrompts, req, &c));
  if (a.json) return Show(c, true, "");
  std::cout << (add ? "Added " : "Removed ") << absl::StrJoin(a.prompts, ", ")
            << (add ? " to " : " from ") << c.name() << " (" << c.prompts_size() << " prompt"
            << (c.prompts_size() == 1 ? "" : "s") << ")\n";
  return absl::OkStatus();
}

absl::Status Delete(const CollectionArgs& a) {
  if (!a.force) {
    if (!IsTerminal(STDIN_FILENO)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "deleting needs confirmation; run: aix collection delete ", a.name, " --force"));
    }
    if (!Confirm(absl::StrCat("Delete collection ", a.name, "? (its prompts stay)"))) {
      std::cerr << "Nothing deleted.\n";
      return absl::OkStatus();
    }
  }
  v1::DeleteCollectionRequest req;
  req.set_name(a.name);
  v1::DeleteCollectionResponse resp;
  AIX_RETURN_IF_ERROR(Call(&Stub::DeleteCollection, req, &resp));
  std::cout << "Deleted collection " << a.name << " (its prompts stay)\n";
  return absl::OkStatus();
}

absl::Status Export(const CollectionArgs& a) {
  v1::ExportCollectionRequest req;
  req.set_name(a.name);
  v1::ExportCollectionResponse resp;
  AIX_RETURN_IF_ERROR(Call(&Stub::ExportCollection, req, &resp));
  std::string dir = a.output.empty() ? "." : a.output;
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "create the output directory " + dir);
  }
  std::string path = absl::StrCat(dir, "/", resp.file_name());
  mode_t mask = umask(0);
  umask(mask);
  AIX_RETURN_IF_ERROR(WriteFileAtomically(path, resp.bundle(), 0666 & ~mask));
  std::cout << "Exported " << a.name << " to " << path << " (" << resp.bundle().size()
            << " bytes)\n";
  return absl::OkStatus();
}

// ImportData sends one file's bytes to aixd and prints what came in.
absl::Status ImportData(std::string data, const std::string& source, bool overwrite, bool json) {
  v1::ImportCollectionRequest req;
  req.set_data(std::move(data));
  req.set_source(source);
  req.set_overwrite(overwrite);
  v1::ImportCollectionResponse resp;
  // Thousands of prompts take seconds to write: more than a quick call.
  AIX_RETURN_IF_ERROR(Call(&Stub::ImportCollection, req, &resp, AutoStart::kYes, absl::Minutes(10)));
  if (json) {
    std::cout << ProtoJson(resp);
    return absl::OkStatus();
  }
  const v1::Collection& c = resp.collection();
  std::cout << "Imported collection " << c.name() << " (" << c.prompts_size() << " prompt"
            << (c.prompts_size() == 1 ? "" : "s") << ") from " << source << "\n";
  for (const std::string& line : resp.report()) std::cout << "  " << line << "\n";
  std::cout << "Its prompts' commands run only once you trust them: aix cmd list NAME, then "
               "aix trust NAME\n";
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadImportFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "read " + path);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxRequestBytes - 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " is ", st.st_size >> 20, " MiB; a collection file may be at most ",
        kMaxRequestBytes >> 20, " MiB"));
  }
  return ReadFile(path);
}

absl::Status Import(const CollectionArgs& a) {
  AIX_ASSIGN_OR_RETURN(std::string data, ReadImportFile(a.path));
  std::string base = a.path.substr(a.path.rfind('/') + 1);
  return ImportData(std::move(data), absl::StrCat("file ", base), a.overwrite, a.json);
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// ImportRepo clones a git repository shallowly into a private temporary
// directory and imports its collections (collections/*.xml, the Python
// aix's layout, and collections/*.tar.gz bundles).
absl::Status ImportRepo(const CollectionArgs& a) {
  AIX_ASSIGN_OR_RETURN(std::string state, StateDir(ProcessEnv()));
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(state));
  std::string tmpl = state + "/import-repo-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return ErrnoStatus(errno, "make a temporary directory");
  const std::string dir = tmpl;
  auto cleanup = [&dir] { (void)RunCommand("rm -rf -- " + ShellQuote(dir), absl::Seconds(60)); };
  std::string repo = dir + "/repo";
  // The URL and the path are quoted for the shell; a repository that asks
  // for a password fails instead of waiting for one.
  auto cloned = RunCommand(absl::StrCat("GIT_TERMINAL_PROMPT=0 git clone --quiet --depth 1 -- ",
                                        ShellQuote(a.path), " ", ShellQuote(repo)),
                           absl::Minutes(5));
  if (!cloned.ok()) {
    cleanup();
    return absl::UnavailableError(absl::StrCat("could not clone ", a.path, ": ",
                                               cloned.status().message()));
  }
  std::vector<std::string> files;
  // collections/ itself must be the repository's own directory: a link
  // there could point anywhere on this machine.
  struct stat dir_st;
  if (lstat((repo + "/collections").c_str(), &dir_st) == 0 && !S_ISDIR(dir_st.st_mode)) {
    cleanup();
    return absl::InvalidArgumentError(absl::StrCat(
        "collections/ in ", a.path, " is ", S_ISLNK(dir_st.st_mode) ? "a symbolic link" : "not a directory",
        "; aix imports only files inside the repository (make collections/ a real directory)"));
  }
  const int dir_fd = open((repo + "/collections").c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (DIR* d = dir_fd >= 0 ? fdopendir(dir_fd) : nullptr) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      bool xml = absl::EndsWith(name, ".xml"), bundle = absl::EndsWith(name, ".tar.gz");
      if (!xml && !bundle) continue;
      std::string stem = name.substr(0, name.size() - (xml ? 4 : 7));
      if (!a.collection.empty() && stem != a.collection && stem != a.collection + "-bundle") {
        continue;
      }
      struct stat st;
      // A link in a repository could point anywhere on this machine.
      if (lstat((repo + "/collections/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        std::cerr << "warning: skipped collections/" << name << ": not a regular file\n";
        continue;
      }
      files.push_back(name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    cleanup();
    return absl::NotFoundError(absl::StrCat(
        a.path, " has no ", a.collection.empty() ? "collections" : "collection " + a.collection,
        " in collections/ (NAME.xml or NAME-bundle.tar.gz)"));
  }
  absl::Status result = absl::OkStatus();
  for (const std::string& name : files) {
    auto data = ReadImportFile(repo + "/collections/" + name);
    absl::Status s = data.ok() ? ImportData(*std::move(data), absl::StrCat("repo ", a.path, " ",
                                                                           name),
                                            a.overwrite, a.json)
                               : data.status();
    if (!s.ok()) {
      std::cerr << "aix: collections/" << name << ": " << s.message() << "\n";
      if (result.ok()) result = s;
    }
  }
  cleanup();
  return result;
}

using Action = std::shared_ptr<std::function<absl::Status()>>;

// AddSubcommands puts create, list, ... under `parent`, each named
// `prefix` + its name ("" under `aix collection`, "collection-" at the top
// level for the Python spellings), and returns them.
std::vector<CLI::App*> AddSubcommands(CLI::App* parent, const std::string& prefix, Action action) {
  std::vector<CLI::App*> out;
  auto a = std::make_shared<CollectionArgs>();
  auto set = [action, a](std::function<absl::Status(const CollectionArgs&)> f) {
    return [action, a, f] { *action = [a, f] { return f(*a); }; };
  };

  CLI::App* create = parent->add_subcommand(prefix + "create", "Create a collection");
  create->add_option("name", a->name, "Name (letters, digits, . _ -)")->required();
  create->add_option("-d,--description", a->description, "What it is for");
  // -t is a prompt here, as in the Python aix's collection-create.
  create->add_option("-p,--prompt,-t,--template", a->prompts, "A prompt to include (repeatable)");
  create->add_option("--tag", a->tags, "A tag (repeatable)");
  create->add_option("--author", a->author, "Who made it");
  create->add_option("-s,--system,--system-prompt", a->system,
                     "System prompt sent with its prompts' runs (text, or the Python aix's "
                     "JSON {\"role\": \"system\", \"content\": ...})");
  create->add_flag("--json", a->json, "Print JSON for machines");
  create->callback(set(Create));
  out.push_back(create);

  CLI::App* list = parent->add_subcommand(prefix + "list", "List collections (* is loaded)");
  list->add_flag("--json", a->json, "Print JSON for machines");
  list->callback(set(List));
  out.push_back(list);

  CLI::App* info = parent->add_subcommand(prefix + "info",
                                          "Show a collection (default: the loaded one)");
  info->add_option("name", a->name, "Collection name");
  info->add_flag("--json", a->json, "Print JSON for machines");
  info->callback(set(Info));
  out.push_back(info);

  CLI::App* load = parent->add_subcommand(
      prefix + "load", "Load a collection: aix list shows its prompts, and its system prompt "
                       "goes with their runs");
  load->add_option("name", a->name, "Collection name")->required();
  load->add_flag("--json", a->json, "Print JSON for machines");
  load->callback(set(Load));
  out.push_back(load);

  CLI::App* unload = parent->add_subcommand(prefix + "unload", "Unload the loaded collection");
  unload->callback(set([](const CollectionArgs&) { return Unload(); }));
  out.push_back(unload);

  for (bool add : {true, false}) {
    CLI::App* change = parent->add_subcommand(
        prefix + (add ? "add" : "remove"),
        add ? "Add prompts to a collection (default: the loaded one)"
            : "Remove prompts from a collection (default: the loaded one; the prompts stay)");
    change->add_option("prompts", a->prompts, "Prompt names")->required();
    change->add_option("-c,--collection", a->collection, "Collection (default: the loaded one)");
    change->add_flag("--json", a->json, "Print JSON for machines");
    change->callback(set([add](const CollectionArgs& args) { return Change(args, add); }));
    out.push_back(change);
  }

  CLI::App* exp = parent->add_subcommand(
      prefix + "export", "Write a collection and its prompts to DIR/NAME-bundle.tar.gz");
  exp->add_option("name", a->name, "Collection name")->required();
  exp->add_option("-o,--output", a->output, "Directory to write to (default: .)");
  exp->callback(set(Export));
  out.push_back(exp);

  CLI::App* imp = parent->add_subcommand(
      prefix + "import", "Import a bundle (ours or the Python aix's) or a Python collection "
                         ".xml file; nothing changes if anything is refused");
  imp->add_option("path", a->path, "The .tar.gz or .xml file")->required();
  imp->add_flag("--overwrite", a->overwrite,
                "Replace a collection or prompts of the same name");
  imp->add_flag("--json", a->json, "Print JSON for machines");
  imp->callback(set(Import));
  out.push_back(imp);

  CLI::App* repo = parent->add_subcommand(
      prefix + "import-repo", "Clone a git repository (shallow) and import the collections in "
                              "its collections/ folder");
  repo->add_option("url", a->path, "Any git URL (https://, ssh, file://)")->required();
  repo->add_option("-c,--collection", a->collection, "Only this collection");
  repo->add_flag("--overwrite", a->overwrite,
                 "Replace collections or prompts of the same name");
  repo->add_flag("--json", a->json, "Print JSON for machines");
  repo->callback(set(ImportRepo));
  out.push_back(repo);

  CLI::App* del = parent->add_subcommand(prefix + "delete",
                                         "Delete a collection (its prompts stay; asks first)");
  del->add_option("name", a->name, "Collection name")->required();
  del->add_flag("-f,--force", a->force, "Do not ask");
  del->callback(set(Delete));
  out.push_back(del);
  return out;
}

}  // namespace

std::vector<Subcommand> AddCollections(CLI::App& root) {
  std::vector<Subcommand> out;
  auto action = std::make_shared<std::function<absl::Status()>>();
  CLI::App* cmd = root.add_subcommand(
      "collection", "Group prompts into collections: load one to work within it");
  cmd->require_subcommand(1);
  AddSubcommands(cmd, "", action);
  out.push_back({cmd, [action] { return (*action)(); }});
  // The Python aix's spellings, kept for its users' scripts; not in --help.
  for (CLI::App* alias : AddSubcommands(&root, "collection-", action)) {
    alias->group("");
    out.push_back({alias, [action] { return (*action)(); }});
  }
  return out;
}

}  // namespace aix
