// aix api-key: store or delete a provider's API key without it ever
// appearing on a command line.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "aix/v1/config.grpc.pb.h"
#include "aix/v1/keys.grpc.pb.h"
#include "client/cli/subcommand.h"
#include "client/cli/store_key.h"
#include "client/call.h"
#include "client/terminal.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"

namespace aix {
namespace {

struct ApiKeyArgs {
  std::string provider;
  bool del = false;
  std::string action = "set";  // the Python tool's --action set|get|delete
};

absl::Status Get(const std::string& provider) {
  v1::GetSettingRequest req;
  req.set_key(absl::StrCat("api_keys.", provider));
  v1::Setting s;
  AIX_RETURN_IF_ERROR(Call(&v1::ConfigService::Stub::GetSetting, req, &s));
  std::cout << s.key().substr(9) << ": " << s.value() << "\n";  // masked by aixd
  return absl::OkStatus();
}

absl::Status Run(const ApiKeyArgs& a) {
  if (a.provider.empty()) {
    return absl::InvalidArgumentError(
        "name the provider: aix api-key openrouter|openai|anthropic|custom:NAME");
  }
  const std::string action = a.del ? "delete" : a.action;
  if (action == "get") return Get(a.provider);
  if (action == "delete") {
    v1::DeleteKeyRequest req;
    req.set_provider(a.provider);
    v1::DeleteKeyResponse resp;
    AIX_RETURN_IF_ERROR(Call(&v1::KeyService::Stub::DeleteKey, req, &resp));
    std::cout << "Deleted the API key for " << a.provider << "\n";
    return absl::OkStatus();
  }
  AIX_ASSIGN_OR_RETURN(v1::KeyInfo info, StoreKey(a.provider));
  std::cout << "Stored the API key for " << info.provider() << ": " << info.masked() << "\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddApiKey(CLI::App& root) {
  auto args = std::make_shared<ApiKeyArgs>();
  CLI::App* cmd = root.add_subcommand(
      "api-key",
      "Store a provider's API key. On a terminal the key is read without echo; "
      "otherwise one line is read from stdin (printf %s \"$KEY\" | aix api-key openai).");
  cmd->add_option("provider", args->provider,
                  registry::Choices() + " (or a custom provider's NAME)")
      ->type_name("PROVIDER");
  auto* del = cmd->add_flag("--delete", args->del, "Delete the stored key instead");
  cmd->add_option("-a,--action", args->action,
                  "set (default: read the key and store it), get (show it masked), delete")
      ->check(CLI::IsMember({"set", "get", "delete"}))
      ->excludes(del);
  return {{cmd, [args] { return Run(*args); }}};
}

}  // namespace aix
