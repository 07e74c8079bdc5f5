// aix provider add|list|info|remove, and aix models.
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <memory>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "aix/v1/providers.grpc.pb.h"
#include "client/cli/subcommand.h"
#include "client/call.h"
#include "client/env_keys.h"
#include "common/proto_json.h"
#include "client/terminal.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"

namespace aix {
namespace {

struct AddArgs {
  std::string name, base_url, model, auth_type = "bearer";
  std::vector<std::string> headers;
};

// A preset of `aix provider quick-setup`: a local OpenAI-compatible server
// at its usual address.
struct Preset {
  const char* id;
  const char* title;
  const char* base_url;
  const char* model;  // "" when the server has no usual model
};

constexpr Preset kPresets[] = {
    {"ollama", "Ollama", "http://localhost:11434/v1", "llama3.2"},
    {"vllm", "vLLM", "http://localhost:8000/v1", ""},
    {"lm-studio", "LM Studio", "http://localhost:1234/v1", ""},
    {"llamacpp", "llama.cpp server", "http://localhost:8080/v1", ""},
};

std::string PresetIds() {
  std::string out;
  for (const Preset& p : kPresets) absl::StrAppend(&out, out.empty() ? "" : ", ", p.id);
  return out;
}

void PrintInfo(const v1::ProviderInfo& p) {
  std::cout << "name:          " << p.name() << (p.is_default() ? " (default)" : "") << "\n"
            << "url:           " << p.chat_url() << "\n"
            << "default model: " << (p.default_model().empty() ? "(none)" : p.default_model())
            << "\n"
            << "auth:          " << p.auth_type() << "\n"
            << "key:           " << (p.masked_key().empty() ? "(none stored)" : p.masked_key());
  if (!p.env_var().empty()) std::cout << "; $" << p.env_var() << " is used first";
  std::cout << "\n";
  for (const auto& [k, v] : p.headers()) std::cout << "header:        " << k << ": " << v << "\n";
}

// AskMissing fills what `aix provider add` was not given, asking on a
// terminal; elsewhere it names what is missing.
absl::Status AskMissing(AddArgs* a) {
  if (!a->name.empty() && !a->base_url.empty()) return absl::OkStatus();
  if (!IsTerminal(STDIN_FILENO)) {
    return absl::InvalidArgumentError(
        "give the provider's name and base URL: aix provider add NAME URL, e.g. aix provider "
        "add ollama http://localhost:11434/v1 (or: aix provider quick-setup ollama)");
  }
  std::cerr << "Add an OpenAI-compatible provider (Ctrl-C to stop).\n";
  if (a->name.empty()) {
    AIX_ASSIGN_OR_RETURN(a->name, Ask("Name (letters, digits, . _ -), e.g. ollama"));
  }
  if (a->base_url.empty()) {
    AIX_ASSIGN_OR_RETURN(a->base_url, Ask("Base URL, e.g. http://localhost:11434/v1"));
  }
  if (a->model.empty()) {
    AIX_ASSIGN_OR_RETURN(a->model, Ask("Default model (empty: none)"));
  }
  AIX_ASSIGN_OR_RETURN(a->auth_type, Ask("Auth type: bearer, api-key or none", a->auth_type));
  return absl::OkStatus();
}

absl::Status Add(AddArgs a) {
  AIX_RETURN_IF_ERROR(AskMissing(&a));
  v1::AddProviderRequest req;
  req.set_name(a.name);
  req.set_base_url(a.base_url);
  req.set_model(a.model);
  req.set_auth_type(a.auth_type);
  for (const std::string& h : a.headers) {
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--header '", h, "' is not NAME:VALUE; e.g. --header X-Team:blue"));
    }
    (*req.mutable_headers())[h.substr(0, colon)] =
        std::string(absl::StripAsciiWhitespace(h.substr(colon + 1)));
  }
  v1::ProviderInfo info;
  AIX_RETURN_IF_ERROR(Call(&v1::ProviderService::Stub::AddProvider, req, &info));
  std::cout << "Added provider " << info.name() << "\n";
  PrintInfo(info);
  if (info.auth_type() != "none") {
    std::cout << "Store its key with: aix api-key " << info.name() << "\n";
  }
  std::cout << "Use it with: aix run PROMPT --provider " << info.name() << "\n";
  return absl::OkStatus();
}

struct QuickSetupArgs {
  std::string preset, name, base_url, model;
};

// QuickSetup adds a local server from a preset: named on the command line,
// or chosen from a menu on a terminal. A local server takes no key.
absl::Status QuickSetup(QuickSetupArgs q) {
  if (q.preset.empty()) {
    if (!IsTerminal(STDIN_FILENO)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "name a preset: aix provider quick-setup PRESET (", PresetIds(), ")"));
    }
    int i = 1;
    for (const Preset& p : kPresets) {
      std::cerr << "  " << i++ << ". " << p.title << " (" << p.base_url << ")\n";
    }
    AIX_ASSIGN_OR_RETURN(std::string choice, Ask("Which server", "1"));
    int n = 0;
    if (absl::SimpleAtoi(choice, &n) && n >= 1 && n <= static_cast<int>(std::size(kPresets))) {
      q.preset = kPresets[n - 1].id;
    } else {
      q.preset = choice;
    }
  }
  const Preset* preset = nullptr;
  for (const Preset& p : kPresets) {
    if (q.preset == p.id) preset = &p;
  }
  if (preset == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown preset '", q.preset,
                                                   "'; presets: ", PresetIds()));
  }
  AddArgs a;
  a.name = q.name.empty() ? preset->id : q.name;
  a.base_url = q.base_url.empty() ? preset->base_url : q.base_url;
  a.model = q.model.empty() ? preset->model : q.model;
  a.auth_type = "none";
  if (IsTerminal(STDIN_FILENO)) {
    AIX_ASSIGN_OR_RETURN(a.base_url, Ask("Base URL", a.base_url));
    AIX_ASSIGN_OR_RETURN(a.model, Ask("Default model (empty: none)", a.model));
  }
  return Add(a);
}

absl::Status List(bool json) {
  v1::ListProvidersResponse resp;
  AIX_RETURN_IF_ERROR(
      Call(&v1::ProviderService::Stub::ListProviders, v1::ListProvidersRequest(), &resp));
  if (json) {
    std::cout << ProtoJson(resp);
    return absl::OkStatus();
  }
  for (const auto& p : resp.providers()) {
    std::cout << (p.is_default() ? "* " : "  ") << p.name() << "  " << p.chat_url() << "  "
              << (p.masked_key().empty() ? "no key" : "key " + p.masked_key()) << "\n";
  }
  return absl::OkStatus();
}

absl::Status Info(const std::string& name, bool json) {
  v1::GetProviderRequest req;
  req.set_name(name);
  v1::ProviderInfo info;
  AIX_RETURN_IF_ERROR(Call(&v1::ProviderService::Stub::GetProvider, req, &info));
  if (json) {
    std::cout << ProtoJson(info);
  } else {
    PrintInfo(info);
  }
  return absl::OkStatus();
}

absl::Status Remove(const std::string& name) {
  v1::RemoveProviderRequest req;
  req.set_name(name);
  v1::RemoveProviderResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::ProviderService::Stub::RemoveProvider, req, &resp));
  std::cout << "Removed provider " << name << (resp.removed_key() ? " and its API key" : "")
            << "\n";
  return absl::OkStatus();
}

absl::Status Models(const std::string& provider, bool json) {
  v1::ListModelsRequest req;
  req.set_provider(provider);
  AddEnvironmentKeys(req.mutable_api_keys());
  v1::ListModelsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::ProviderService::Stub::ListModels, req, &resp));
  if (json) {
    std::cout << ProtoJson(resp);
  } else {
    for (const std::string& m : resp.models()) std::cout << m << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddProviders(CLI::App& root) {
  std::vector<Subcommand> out;
  CLI::App* cmd = root.add_subcommand("provider", "Manage providers (custom OpenAI-compatible "
                                                  "endpoints: Ollama, vLLM, gateways)");
  cmd->require_subcommand(1);
  auto action = std::make_shared<std::function<absl::Status()>>();

  auto a = std::make_shared<AddArgs>();
  CLI::App* add = cmd->add_subcommand(
      "add", "Add a custom provider (on a terminal, asks for what is not given)");
  add->add_option("name", a->name, "Name (letters, digits, . _ -); used as custom:NAME");
  add->add_option("base_url", a->base_url, "Base URL, e.g. http://127.0.0.1:11434/v1");
  add->add_option("-m,--model", a->model, "Model used when a run names none");
  // -H as curl spells it: -h stays help.
  add->add_option("-H,--header", a->headers, "Extra header NAME:VALUE (repeatable)");
  add->add_option("--auth-type", a->auth_type, "bearer (default), api-key or none")
      ->check(CLI::IsMember({"bearer", "api-key", "none"}));
  add->callback([action, a] { *action = [a] { return Add(*a); }; });

  auto q = std::make_shared<QuickSetupArgs>();
  CLI::App* quick = cmd->add_subcommand(
      "quick-setup", absl::StrCat("Add a local OpenAI-compatible server from a preset (",
                                  PresetIds(), "); on a terminal, asks which"));
  quick->add_option("preset", q->preset, "The preset")->type_name("PRESET");
  quick->add_option("--name", q->name, "Provider name (default: the preset's)");
  quick->add_option("--url", q->base_url, "Base URL (default: the preset's)");
  quick->add_option("-m,--model", q->model, "Default model (default: the preset's)");
  quick->callback([action, q] { *action = [q] { return QuickSetup(*q); }; });

  auto json = std::make_shared<bool>(false);
  CLI::App* list = cmd->add_subcommand("list", "List providers (* marks the default)");
  list->add_flag("--json", *json, "Print JSON for machines");
  list->callback([action, json] { *action = [json] { return List(*json); }; });

  auto name = std::make_shared<std::string>();
  CLI::App* info = cmd->add_subcommand("info", "Show a provider's URL, model, auth and key");
  info->add_option("name", *name, registry::Choices())->required();
  info->add_flag("--json", *json, "Print JSON for machines");
  info->callback([action, name, json] { *action = [name, json] { return Info(*name, *json); }; });

  CLI::App* remove = cmd->add_subcommand("remove", "Remove a custom provider and its key");
  remove->add_option("name", *name, "Custom provider name")->required();
  remove->callback([action, name] { *action = [name] { return Remove(*name); }; });
  out.push_back({cmd, [action] { return (*action)(); }});

  auto provider = std::make_shared<std::string>();
  auto models_json = std::make_shared<bool>(false);
  CLI::App* models = root.add_subcommand("models", "List the models a provider offers");
  models->add_option("--provider", *provider, "Provider (default: the default provider)");
  models->add_flag("--json", *models_json, "Print JSON for machines");
  out.push_back({models, [provider, models_json] { return Models(*provider, *models_json); }});
  return out;
}

}  // namespace aix
