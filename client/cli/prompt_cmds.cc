// The prompt library: aix create, list, show, edit, delete.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "aix/v1/config.grpc.pb.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "client/cli/subcommand.h"
#include "client/call.h"
#include "common/proto_json.h"
#include "client/terminal.h"
#include "common/files.h"
#include "common/paths.h"
#include "common/status_macros.h"
#include "common/text.h"

namespace aix {
namespace {

std::string Day(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

// ---- create ----------------------------------------------------------------

struct CreateArgs {
  v1::Prompt prompt;
  std::string name, text, description, provider, model, system;
  std::vector<std::string> tags, fallback;
  int64_t max_tokens = 0;
  double temperature = -1;
  bool json = false;
};

absl::Status Create(CreateArgs& a) {
  v1::Prompt* p = &a.prompt;
  p->set_name(a.name);
  if (a.text == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    a.text = ss.str();
  }
  if (FirstInvalidUtf8(a.text) != absl::string_view::npos) {
    return absl::InvalidArgumentError(NotUtf8Message("the template", a.text));
  }
  if (a.text.empty()) {
    return absl::InvalidArgumentError(
        "the template is empty; give it as an argument, or - to read it from stdin");
  }
  p->set_template_(a.text);
  p->set_description(a.description);
  for (const auto& t : a.tags) p->add_tags(t);
  if (!a.provider.empty()) p->set_provider(a.provider);
  if (!a.model.empty()) p->set_model(a.model);
  if (!a.system.empty()) p->set_system(a.system);
  if (a.max_tokens > 0) p->set_max_tokens(a.max_tokens);
  if (a.temperature >= 0) p->set_temperature(a.temperature);
  for (const auto& f : a.fallback) {
    for (absl::string_view item : absl::StrSplit(f, ',', absl::SkipWhitespace())) {
      p->add_fallback(std::string(absl::StripAsciiWhitespace(item)));
    }
  }
  v1::CreatePromptRequest req;
  *req.mutable_prompt() = *p;
  v1::Prompt created;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::CreatePrompt, req, &created));
  if (a.json) {
    std::cout << ProtoJson(created);
  } else {
    std::cout << "Created prompt " << created.name();
    if (created.variables_size() > 0) {
      std::cout << " (parameters: " << absl::StrJoin(created.variables(), ", ") << ")";
    }
    std::cout << "\n";
  }
  return absl::OkStatus();
}

// ---- list / show -------------------------------------------------------------

// PythonLibraryNotice says, once, that the Python aix's library is here to
// be imported (a marker in the state directory remembers it was said).
void PythonLibraryNotice() {
  auto state = StateDir(ProcessEnv());
  if (!state.ok()) return;
  std::string marker = *state + "/python-library-noticed";
  if (access(marker.c_str(), F_OK) == 0) return;
  std::cerr << "aix: found the Python aix's collections in your storage directory; import "
               "them with: aix migrate (aix migrate --dry-run shows what would change)\n";
  if (EnsurePrivateDir(*state).ok()) (void)WriteFileAtomically(marker, "shown\n");
}

struct ListArgs {
  std::string tag;
  bool json = false;
  bool verbose = false;
  bool all = false;
};

// PrintVerbose prints one block per prompt: what `aix list -v` shows.
void PrintVerbose(const v1::ListPromptsResponse& resp) {
  bool first = true;
  for (const auto& p : resp.prompts()) {
    if (!first) std::cout << "\n";
    first = false;
    std::cout << p.name() << "\n";
    auto row = [](const char* k, const std::string& v) {
      if (!v.empty()) std::cout << "  " << k << v << "\n";
    };
    row("description: ", p.description());
    row("tags:        ", absl::StrJoin(p.tags(), ", "));
    row("parameters:  ", absl::StrJoin(p.variables(), ", "));
    if (p.has_provider()) row("provider:    ", p.provider());
    if (p.has_model()) row("model:       ", p.model());
    row("updated:     ", Day(p.updated_unix_ms()));
  }
}

absl::Status List(const ListArgs& a) {
  const std::string& tag = a.tag;
  v1::ListPromptsRequest req;
  req.set_tag(tag);
  req.set_all(a.all);
  v1::ListPromptsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::ListPrompts, req, &resp));
  for (const std::string& problem : resp.problems()) {
    std::cerr << "warning: skipped a prompt file: " << problem << "\n";
  }
  if (a.json) {
    std::cout << ProtoJson(resp);
    return absl::OkStatus();
  }
  if (resp.python_library_found()) PythonLibraryNotice();
  if (!resp.collection().empty()) {
    std::cerr << "(collection " << resp.collection()
              << " is loaded: only its prompts are listed; aix list --all lists every prompt)\n";
  }
  if (resp.prompts_size() == 0) {
    std::cerr << (tag.empty() ? "No prompts yet. Create one with: aix create NAME \"TEMPLATE\"\n"
                              : "No prompts tagged " + tag + ".\n");
    return absl::OkStatus();
  }
  if (a.verbose) {
    PrintVerbose(resp);
    return absl::OkStatus();
  }
  size_t width = 4;
  for (const auto& p : resp.prompts()) width = std::max(width, p.name().size());
  for (const auto& p : resp.prompts()) {
    std::string line = p.name() + std::string(width - p.name().size() + 2, ' ') + p.description();
    if (p.tags_size() > 0) line += "  [" + absl::StrJoin(p.tags(), ", ") + "]";
    std::cout << absl::StripTrailingAsciiWhitespace(line) << "\n";
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Prompt> Fetch(const std::string& name) {
  v1::GetPromptRequest req;
  req.set_name(name);
  v1::Prompt p;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::GetPrompt, req, &p));
  return p;
}

absl::Status Show(const std::string& name, bool json) {
  AIX_ASSIGN_OR_RETURN(v1::Prompt p, Fetch(name));
  if (json) {
    // The file's text is what `aix edit` opens; here it would only repeat
    // the fields. Unset fields are left out rather than shown empty.
    p.clear_yaml();
    std::cout << ProtoJson(p, JsonFields::kSetOnly);
    return absl::OkStatus();
  }
  auto row = [](const char* k, const std::string& v) {
    if (!v.empty()) std::cout << k << v << "\n";
  };
  row("name:        ", p.name());
  row("description: ", p.description());
  row("tags:        ", absl::StrJoin(p.tags(), ", "));
  row("parameters:  ", absl::StrJoin(p.variables(), ", "));
  if (p.has_provider()) row("provider:    ", p.provider());
  if (p.has_model()) row("model:       ", p.model());
  row("fallback:    ", absl::StrJoin(p.fallback(), ", "));
  if (p.has_max_tokens()) row("max_tokens:  ", std::to_string(p.max_tokens()));
  if (p.has_temperature()) row("temperature: ", absl::StrCat(p.temperature()));
  if (p.has_system()) row("system:      ", p.system());
  row("created:     ", Day(p.created_unix_ms()));
  row("updated:     ", Day(p.updated_unix_ms()));
  row("file:        ", p.path());
  std::cout << "\n" << p.template_();
  if (!p.template_().empty() && p.template_().back() != '\n') std::cout << "\n";
  return absl::OkStatus();
}

// ---- edit --------------------------------------------------------------------

absl::StatusOr<std::string> EditorCommand() {
  if (auto e = ProcessEnv()("VISUAL")) return *e;
  if (auto e = ProcessEnv()("EDITOR")) return *e;
  v1::GetSettingRequest req;
  req.set_key("editor");
  v1::Setting s;
  AIX_RETURN_IF_ERROR(Call(&v1::ConfigService::Stub::GetSetting, req, &s));
  return s.value();
}

// RunEditor runs `editor` on `path` through the shell (so "code --wait"
// works) with this terminal, and waits for it.
absl::Status RunEditor(const std::string& editor, const std::string& path) {
  pid_t pid = fork();
  if (pid < 0) return ErrnoStatus(errno, "fork");
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", (editor + " \"$1\"").c_str(), "sh", path.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::AbortedError(absl::StrCat("the editor (", editor, ") failed"));
  }
  return absl::OkStatus();
}

absl::Status Edit(const std::string& name) {
  AIX_ASSIGN_OR_RETURN(v1::Prompt p, Fetch(name));
  AIX_ASSIGN_OR_RETURN(std::string editor, EditorCommand());
  // The draft lives in the state directory (0700), not in /tmp, and stays
  // there whenever the edit cannot be saved, so no work is lost.
  AIX_ASSIGN_OR_RETURN(std::string state, StateDir(ProcessEnv()));
  AIX_RETURN_IF_ERROR(EnsurePrivateDir(state));
  std::string draft = absl::StrCat(state, "/", name, ".edit.yaml");
  if (access(draft.c_str(), F_OK) == 0) {
    std::cerr << "Resuming your unsaved edit of " << name << " from " << draft << "\n";
  } else {
    AIX_RETURN_IF_ERROR(WriteFileAtomically(draft, p.yaml()));
  }
  for (;;) {
    absl::Status ran = RunEditor(editor, draft);
    if (!ran.ok()) {
      return absl::Status(ran.code(), absl::StrCat(ran.message(), "; your draft is kept in ",
                                                   draft));
    }
    AIX_ASSIGN_OR_RETURN(std::string text, ReadFile(draft));
    if (text == p.yaml()) {
      unlink(draft.c_str());
      std::cout << "No changes to " << name << "\n";
      return absl::OkStatus();
    }
    v1::ReplacePromptYamlRequest req;
    req.set_name(name);
    req.set_yaml(text);
    v1::Prompt saved;
    absl::Status s = Call(&v1::PromptService::Stub::ReplacePromptYaml, req, &saved);
    if (s.ok()) {
      unlink(draft.c_str());
      std::cout << "Saved prompt " << name << "\n";
      return absl::OkStatus();
    }
    if (s.code() != absl::StatusCode::kInvalidArgument || !IsTerminal(STDIN_FILENO)) {
      return absl::Status(s.code(),
                          absl::StrCat(s.message(), "\nYour edit is kept in ", draft,
                                       "; fix it there and run aix edit ", name, " again"));
    }
    std::cerr << "aix: " << s.message() << "\n";
    if (!Confirm("Reopen the editor to fix it?")) {
      return absl::InvalidArgumentError(
          absl::StrCat("not saved; your edit is kept in ", draft));
    }
  }
}

// ---- delete ------------------------------------------------------------------

absl::Status Delete(const std::string& name, bool force) {
  if (!force) {
    if (!IsTerminal(STDIN_FILENO)) {
      return absl::InvalidArgumentError(
          absl::StrCat("deleting needs confirmation; run: aix delete ", name, " --force"));
    }
    if (!Confirm(absl::StrCat("Delete prompt ", name, "?"))) {
      std::cerr << "Nothing deleted.\n";
      return absl::OkStatus();
    }
  }
  v1::DeletePromptRequest req;
  req.set_name(name);
  v1::DeletePromptResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::DeletePrompt, req, &resp));
  std::cout << "Deleted prompt " << name << "\n";
  return absl::OkStatus();
}

// Trust lets an imported prompt's commands run, and its own provider and
// fallbacks be used, as they are now.
absl::Status Trust(const std::string& name) {
  AIX_ASSIGN_OR_RETURN(v1::Prompt p, Fetch(name));
  const bool sends = p.has_provider() || p.fallback_size() > 0;
  if (p.commands_size() == 0 && !sends) {
    std::cout << name << " runs no commands and names no provider: nothing to trust\n";
    return absl::OkStatus();
  }
  v1::TrustPromptRequest req;
  req.set_name(name);
  v1::Prompt trusted;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::TrustPrompt, req, &trusted));
  std::cout << "Trusted " << name << (p.origin().empty() ? "" : " (from " + p.origin() + ")")
            << ":\n";
  for (const std::string& c : trusted.commands()) std::cout << "  runs " << c << "\n";
  if (p.has_provider()) std::cout << "  sends its input to " << p.provider() << "\n";
  for (const std::string& f : p.fallback()) std::cout << "  falls back to " << f << "\n";
  std::cout << "A change to any of these will need trust again.\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddPrompts(CLI::App& root) {
  std::vector<Subcommand> out;

  auto c = std::make_shared<CreateArgs>();
  CLI::App* create = root.add_subcommand(
      "create", "Save a prompt template: {name} marks a parameter, {{ and }} are literal braces");
  create->add_option("name", c->name, "Prompt name (letters, digits, . _ -)")->required();
  create->add_option("template", c->text, "The template text, or - to read it from stdin")
      ->required();
  create->add_option("-d,--description", c->description, "What the prompt is for");
  create->add_option("-t,--tag", c->tags, "A tag (repeatable)");
  create->add_option("--provider", c->provider, "Provider for this prompt's runs");
  create->add_option("--model", c->model, "Model for this prompt's runs");
  create->add_option("--fallback", c->fallback,
                     "Providers that take over when this prompt's provider is rate-limited or "
                     "failing: PROVIDER or PROVIDER/MODEL, comma-separated");
  create->add_option("--system", c->system, "System prompt");
  create->add_option("--max-tokens", c->max_tokens, "Reply length limit")
      ->check(CLI::PositiveNumber);
  create->add_option("--temperature", c->temperature, "Sampling temperature")
      ->check(CLI::Range(0.0, 2.0));
  create->add_flag("--json", c->json, "Print the stored prompt as JSON");
  out.push_back({create, [c] { return Create(*c); }});

  auto l = std::make_shared<ListArgs>();
  CLI::App* list = root.add_subcommand("list", "List saved prompts");
  list->add_option("-t,--tag", l->tag, "Only prompts with this tag");
  list->add_flag("-v,--verbose", l->verbose,
                 "One block per prompt: description, tags, parameters, provider, model");
  list->add_flag("-a,--all", l->all, "Every prompt, even when a collection is loaded");
  list->add_flag("--json", l->json, "Print JSON for machines");
  out.push_back({list, [l] { return List(*l); }});

  auto show_name = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  CLI::App* show = root.add_subcommand("show", "Show a prompt and its template");
  show->add_option("name", *show_name, "Prompt name")->required();
  show->add_flag("--json", *show_json, "Print JSON for machines");
  out.push_back({show, [show_name, show_json] { return Show(*show_name, *show_json); }});

  auto edit_name = std::make_shared<std::string>();
  CLI::App* edit = root.add_subcommand(
      "edit", "Edit a prompt's file in $VISUAL/$EDITOR (else the editor setting); it is "
              "checked before it is saved");
  edit->add_option("name", *edit_name, "Prompt name")->required();
  out.push_back({edit, [edit_name] { return Edit(*edit_name); }});

  auto del_name = std::make_shared<std::string>();
  auto del_force = std::make_shared<bool>(false);
  CLI::App* del = root.add_subcommand("delete", "Delete a prompt (asks first on a terminal)");
  del->add_option("name", *del_name, "Prompt name")->required();
  del->add_flag("-f,--force", *del_force, "Do not ask");
  out.push_back({del, [del_name, del_force] { return Delete(*del_name, *del_force); }});

  auto trust_name = std::make_shared<std::string>();
  CLI::App* trust = root.add_subcommand(
      "trust", "Let an imported prompt's commands run and its own provider be used, as they are "
               "now (see them first: aix show NAME)");
  trust->add_option("name", *trust_name, "Prompt name")->required();
  out.push_back({trust, [trust_name] { return Trust(*trust_name); }});
  return out;
}

}  // namespace aix
