// aix provider add|list|info|remove, and aix models.
#include <iostream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "aix/v1/providers.grpc.pb.h"
#include "client/commands/command.h"
#include "client/connect.h"
#include "client/env_keys.h"
#include "client/proto_json.h"
#include "common/status_macros.h"

namespace aix {
namespace {

absl::StatusOr<std::unique_ptr<v1::ProviderService::Stub>> Stub() {
  AIX_ASSIGN_OR_RETURN(auto channel, Connect(AutoStart::kYes));
  return v1::ProviderService::NewStub(channel);
}

struct AddArgs {
  std::string name, base_url, model, auth_type = "bearer";
  std::vector<std::string> headers;
};

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

absl::Status Add(const AddArgs& a) {
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
  AIX_ASSIGN_OR_RETURN(auto stub, Stub());
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  v1::ProviderInfo info;
  AIX_RETURN_IF_ERROR(CallStatus(stub->AddProvider(&ctx, req, &info)));
  std::cout << "Added provider " << info.name() << "\n";
  PrintInfo(info);
  if (info.auth_type() != "none") {
    std::cout << "Store its key with: aix api-key " << info.name() << "\n";
  }
  return absl::OkStatus();
}

absl::Status List(bool json) {
  AIX_ASSIGN_OR_RETURN(auto stub, Stub());
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  v1::ListProvidersResponse resp;
  AIX_RETURN_IF_ERROR(
      CallStatus(stub->ListProviders(&ctx, v1::ListProvidersRequest(), &resp)));
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
  AIX_ASSIGN_OR_RETURN(auto stub, Stub());
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  v1::GetProviderRequest req;
  req.set_name(name);
  v1::ProviderInfo info;
  AIX_RETURN_IF_ERROR(CallStatus(stub->GetProvider(&ctx, req, &info)));
  if (json) {
    std::cout << ProtoJson(info);
  } else {
    PrintInfo(info);
  }
  return absl::OkStatus();
}

absl::Status Remove(const std::string& name) {
  AIX_ASSIGN_OR_RETURN(auto stub, Stub());
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  v1::RemoveProviderRequest req;
  req.set_name(name);
  v1::RemoveProviderResponse resp;
  AIX_RETURN_IF_ERROR(CallStatus(stub->RemoveProvider(&ctx, req, &resp)));
  std::cout << "Removed provider " << name << (resp.removed_key() ? " and its API key" : "")
            << "\n";
  return absl::OkStatus();
}

absl::Status Models(const std::string& provider, bool json) {
  v1::ListModelsRequest req;
  req.set_provider(provider);
  AddEnvironmentKeys(req.mutable_api_keys());
  AIX_ASSIGN_OR_RETURN(auto stub, Stub());
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  v1::ListModelsResponse resp;
  AIX_RETURN_IF_ERROR(CallStatus(stub->ListModels(&ctx, req, &resp)));
  if (json) {
    std::cout << ProtoJson(resp);
  } else {
    for (const std::string& m : resp.models()) std::cout << m << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> AddProviderCommands(CLI::App& root) {
  std::vector<Command> out;
  CLI::App* cmd = root.add_subcommand("provider", "Manage providers (custom OpenAI-compatible "
                                                  "endpoints: Ollama, vLLM, gateways)");
  cmd->require_subcommand(1);
  auto action = std::make_shared<std::function<absl::Status()>>();

  auto a = std::make_shared<AddArgs>();
  CLI::App* add = cmd->add_subcommand("add", "Add a custom provider");
  add->add_option("name", a->name, "Name (letters, digits, . _ -); used as custom:NAME")
      ->required();
  add->add_option("base_url", a->base_url, "Base URL, e.g. http://127.0.0.1:11434/v1")
      ->required();
  add->add_option("--model", a->model, "Model used when a run names none");
  add->add_option("--header", a->headers, "Extra header NAME:VALUE (repeatable)");
  add->add_option("--auth-type", a->auth_type, "bearer (default), api-key or none")
      ->check(CLI::IsMember({"bearer", "api-key", "none"}));
  add->callback([action, a] { *action = [a] { return Add(*a); }; });

  auto json = std::make_shared<bool>(false);
  CLI::App* list = cmd->add_subcommand("list", "List providers (* marks the default)");
  list->add_flag("--json", *json, "Print JSON for machines");
  list->callback([action, json] { *action = [json] { return List(*json); }; });

  auto name = std::make_shared<std::string>();
  CLI::App* info = cmd->add_subcommand("info", "Show a provider's URL, model, auth and key");
  info->add_option("name", *name, "openrouter, openai, anthropic or custom:NAME")->required();
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
