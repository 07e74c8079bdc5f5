// Shell completion: `aix completion bash|zsh|fish` prints a script whose
// completion function calls back `aix __complete LINE` (LINE: the command
// line up to the cursor). That answers from what aix knows — its commands
// and options (from the CLI11 table), settings (from their schema) — and,
// with one call to aixd, prompt names, a prompt's parameters, providers,
// tags; models come from a cache in the state directory.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "aix/v1/collections.grpc.pb.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "aix/v1/providers.grpc.pb.h"
#include "client/call.h"
#include "client/cli/subcommand.h"
#include "client/env_keys.h"
#include "common/files.h"
#include "common/paths.h"
#include "common/settings_schema.h"

namespace aix {
namespace {

// kModelsCacheAge: how long a provider's model list is reused. Listing
// models asks the provider over the network: too slow for every TAB.
constexpr absl::Duration kModelsCacheAge = absl::Hours(24);

constexpr char kBashScript[] = R"SH(# aix completion for bash: eval "$(aix completion bash)"
_aix() {
  local line="${COMP_LINE:0:$COMP_POINT}"
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local word="${line##*[[:space:]]}"
  local IFS=$'\n'
  local candidates=($(aix __complete "$line" 2>/dev/null))
  # bash splits words at ':' and '=' (custom:NAME, key=value): offer only
  # the part after the split.
  local strip=$(( ${#word} - ${#cur} ))
  (( strip < 0 )) && strip=0
  COMPREPLY=()
  local c
  for c in "${candidates[@]}"; do COMPREPLY+=("${c:$strip}"); done
  if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *= ]]; then compopt -o nospace 2>/dev/null; fi
}
complete -F _aix aix
)SH";

constexpr char kZshScript[] = R"SH(#compdef aix
# aix completion for zsh: source <(aix completion zsh)
_aix() {
  local -a candidates
  candidates=("${(@f)$(aix __complete "$LBUFFER" 2>/dev/null)}")
  compadd -Q -S '' -- "${(@)candidates:#*[^=]}"
  compadd -Q -- "${(@)candidates:#*=}"
}
compdef _aix aix
)SH";

constexpr char kFishScript[] = R"SH(# aix completion for fish: aix completion fish | source
complete -c aix -f -a '(aix __complete (commandline -cp) 2>/dev/null)'
)SH";

// Words splits the line at whitespace, honouring simple quotes; a line that
// ends in whitespace ends with an empty word (the one being completed).
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words(1);
  char quote = 0;
  for (char c : line) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        words.back().push_back(c);
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ' ' || c == '\t') {
      if (!words.back().empty()) words.emplace_back();
    } else {
      words.back().push_back(c);
    }
  }
  return words;
}

// Context is what the command line says so far.
struct Context {
  std::vector<std::string> path;         // subcommands, e.g. {"provider", "info"}
  std::vector<std::string> positionals;  // positional words before the current one
  std::map<std::string, std::string> options;  // long option name -> last value
  const CLI::Option* pending = nullptr;  // an option whose value is being typed
  int pending_index = 0;                 // which of its values (for --set KEY VALUE)
  std::string current;                   // the word being completed
};

std::string LongName(const CLI::Option* o) {
  return o->get_lnames().empty() ? o->get_name() : "--" + o->get_lnames()[0];
}

Context Parse(CLI::App* root, const std::vector<std::string>& words, CLI::App** app) {
  Context ctx;
  *app = root;
  ctx.current = words.back();
  size_t i = words.empty() ? 0 : 1;  // words[0] is "aix"
  while (i + 1 < words.size()) {
    const std::string& w = words[i];
    if (absl::StartsWith(w, "-") && w.size() > 1) {
      std::string name = w.substr(0, w.find('='));
      const CLI::Option* opt = nullptr;
      try {
        opt = (*app)->get_option_no_throw(name);
      } catch (...) {
      }
      if (opt == nullptr || opt->get_type_size() == 0 || w.find('=') != std::string::npos) {
        ++i;
        continue;
      }
      int wanted = std::max(1, opt->get_expected_max() > 10 ? 1 : opt->get_expected_max());
      int taken = 0;
      ++i;
      while (taken < wanted && i + 1 < words.size() && !absl::StartsWith(words[i], "-")) {
        ctx.options[LongName(opt)] = words[i];
        ++taken;
        ++i;
      }
      if (taken < wanted && i + 1 == words.size()) {
        ctx.pending = opt;
        ctx.pending_index = taken;
      }
      continue;
    }
    CLI::App* sub = nullptr;
    if (ctx.positionals.empty()) {
      for (CLI::App* s : (*app)->get_subcommands({})) {
        if (s->get_name() == w) sub = s;
      }
    }
    if (sub != nullptr) {
      *app = sub;
      ctx.path.push_back(w);
    } else {
      ctx.positionals.push_back(w);
    }
    ++i;
  }
  return ctx;
}

std::vector<std::string> PromptNames(std::vector<std::string>* tags = nullptr) {
  v1::ListPromptsResponse resp;
  std::vector<std::string> out;
  if (!Call(&v1::PromptService::Stub::ListPrompts, v1::ListPromptsRequest(), &resp).ok()) {
    return out;
  }
  std::set<std::string> tag_set;
  for (const auto& p : resp.prompts()) {
    out.push_back(p.name());
    tag_set.insert(p.tags().begin(), p.tags().end());
  }
  if (tags != nullptr) tags->assign(tag_set.begin(), tag_set.end());
  return out;
}

std::vector<std::string> Parameters(const std::string& prompt) {
  v1::GetPromptRequest req;
  req.set_name(prompt);
  req.set_brief(true);
  v1::Prompt p;
  std::vector<std::string> out;
  if (!Call(&v1::PromptService::Stub::GetPrompt, req, &p).ok()) return out;
  for (const std::string& v : p.variables()) out.push_back(v + "=");
  return out;
}

std::vector<std::string> Providers(bool custom_only = false) {
  v1::ListProvidersResponse resp;
  std::vector<std::string> out;
  if (!Call(&v1::ProviderService::Stub::ListProviders, v1::ListProvidersRequest(), &resp)
           .ok()) {
    return out;
  }
  for (const auto& p : resp.providers()) {
    if (custom_only && !p.custom()) continue;
    out.push_back(p.name());
  }
  return out;
}

// Models reads the cache of `provider`'s models, refreshing it from aixd
// when it is missing or old.
std::vector<std::string> Models(const std::string& provider) {
  std::vector<std::string> out;
  auto state = StateDir(ProcessEnv());
  if (!state.ok()) return out;
  std::string dir = *state + "/models";
  std::string file = dir + "/" + (provider.empty() ? "default" : provider) + ".txt";
  if (file.find("..") != std::string::npos) return out;
  struct stat st;
  bool fresh = stat(file.c_str(), &st) == 0 &&
               absl::Now() - absl::FromTimeT(st.st_mtime) < kModelsCacheAge;
  if (!fresh) {
    v1::ListModelsRequest req;
    req.set_provider(provider);
    AddEnvironmentKeys(req.mutable_api_keys());
    v1::ListModelsResponse resp;
    if (Call(&v1::ProviderService::Stub::ListModels, req, &resp).ok() &&
        EnsurePrivateDir(*state).ok() && EnsurePrivateDir(dir).ok()) {
      std::string text;
      for (const std::string& m : resp.models()) absl::StrAppend(&text, m, "\n");
      (void)WriteFileAtomically(file, text);
    }
  }
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> Collections() {
  v1::ListCollectionsResponse resp;
  std::vector<std::string> out;
  if (!Call(&v1::CollectionService::Stub::ListCollections, v1::ListCollectionsRequest(), &resp)
           .ok()) {
    return out;
  }
  for (const auto& c : resp.collections()) out.push_back(c.name());
  return out;
}

std::vector<std::string> SettingKeys() {
  std::vector<std::string> out;
  for (const config::SettingSpec& s : config::FixedSettings()) out.push_back(s.key);
  for (const std::string& p : config::BuiltinProviders()) out.push_back("api_keys." + p);
  return out;
}

std::vector<std::string> SettingValues(const std::string& key) {
  const config::SettingSpec* spec = config::FindSetting(key);
  if (spec == nullptr) return {};
  switch (spec->type) {
    case config::SettingType::kBool:
      return {"true", "false"};
    case config::SettingType::kProvider:
    case config::SettingType::kProviderList:
      return Providers();
    default:
      return {};
  }
}

std::vector<std::string> OptionNames(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app->get_options()) {
    for (const std::string& l : o->get_lnames()) out.push_back("--" + l);
    for (const std::string& s : o->get_snames()) out.push_back("-" + s);
  }
  return out;
}

// ValuesOf completes the value of option `opt` (its `index`th).
std::vector<std::string> ValuesOf(const Context& ctx, const CLI::Option* opt, int index) {
  const std::string name = LongName(opt);
  const std::string cmd = ctx.path.empty() ? "" : ctx.path[0];
  if (name == "--param") {
    return ctx.positionals.empty() ? std::vector<std::string>{} : Parameters(ctx.positionals[0]);
  }
  if (name == "--provider" || name == "--fallback") return Providers();
  if (name == "--model") {
    auto p = ctx.options.find("--provider");
    return Models(p == ctx.options.end() ? "" : p->second);
  }
  if (name == "--tag") {
    std::vector<std::string> tags;
    PromptNames(&tags);
    return tags;
  }
  if (name == "--get" || name == "--unset") return SettingKeys();
  if (name == "--set") {
    if (index == 0) return SettingKeys();
    auto k = ctx.options.find("--set");
    return k == ctx.options.end() ? std::vector<std::string>{} : SettingValues(k->second);
  }
  if (name == "--action") return {"set", "get", "delete"};
  if (name == "--collection") return Collections();
  if (name == "--auth-type") return {"bearer", "api-key", "none"};
  return {};
}

// Positionals completes the next positional argument of the command.
std::vector<std::string> Positionals(const Context& ctx, CLI::App* app) {
  const std::string path = absl::StrJoin(ctx.path, " ");
  const size_t n = ctx.positionals.size();
  if (path == "run" || path == "show" || path == "edit" || path == "delete" ||
      path == "cmd list" || path == "trust") {
    return n == 0 ? PromptNames() : std::vector<std::string>{};
  }
  if (path == "collection load" || path == "collection info" || path == "collection delete" ||
      path == "collection export") {
    return n == 0 ? Collections() : std::vector<std::string>{};
  }
  if (path == "collection add" || path == "collection remove") return PromptNames();
  if (path == "config") {
    if (n == 0) return SettingKeys();
    if (n == 1) return SettingValues(ctx.positionals[0]);
    return {};
  }
  if (path == "api-key" || path == "provider info" || path == "models") {
    return n == 0 ? Providers() : std::vector<std::string>{};
  }
  if (path == "provider remove") return n == 0 ? Providers(true) : std::vector<std::string>{};
  if (path == "provider quick-setup") {
    return n == 0 ? std::vector<std::string>{"ollama", "vllm", "lm-studio", "llamacpp"}
                  : std::vector<std::string>{};
  }
  if (path == "completion") return n == 0 ? std::vector<std::string>{"bash", "zsh", "fish"}
                                          : std::vector<std::string>{};
  std::vector<std::string> subs;
  if (n == 0) {
    for (CLI::App* s : app->get_subcommands({})) {
      if (!s->get_group().empty()) subs.push_back(s->get_name());
    }
  }
  return subs;
}

absl::Status Complete(CLI::App* root, const std::string& line) {
  std::vector<std::string> words = Words(line);
  CLI::App* app = nullptr;
  Context ctx = Parse(root, words, &app);
  std::vector<std::string> candidates;
  const std::string& cur = ctx.current;
  if (ctx.pending != nullptr) {
    candidates = ValuesOf(ctx, ctx.pending, ctx.pending_index);
  } else if (absl::StartsWith(cur, "-")) {
    candidates = OptionNames(app);
  } else {
    candidates = Positionals(ctx, app);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::string out;
  for (const std::string& c : candidates) {
    if (absl::StartsWith(c, cur)) absl::StrAppend(&out, c, "\n");
  }
  std::cout << out;
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddCompletion(CLI::App& root) {
  auto shell = std::make_shared<std::string>();
  CLI::App* completion = root.add_subcommand(
      "completion", "Print a shell completion script: bash (eval \"$(aix completion bash)\"), "
                    "zsh (source <(aix completion zsh)) or fish (aix completion fish | source)");
  completion->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));

  auto line = std::make_shared<std::string>();
  // Called by the scripts, not by people: no group, so --help leaves it out.
  CLI::App* complete = root.add_subcommand("__complete", "Answer a completion request");
  complete->group("");
  complete->add_option("line", *line, "The command line up to the cursor");
  CLI::App* root_ptr = &root;
  return {
      {completion,
       [shell] {
         std::cout << (*shell == "bash" ? kBashScript : *shell == "zsh" ? kZshScript : kFishScript);
         return absl::OkStatus();
       }},
      {complete, [root_ptr, line] { return Complete(root_ptr, *line); }},
  };
}

}  // namespace aix
