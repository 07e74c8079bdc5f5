// aix api-key: store or delete a provider's API key without it ever
// appearing on a command line.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "aix/v1/keys.grpc.pb.h"
#include "client/commands/command.h"
#include "client/connect.h"
#include "client/terminal.h"
#include "common/status_macros.h"

namespace aix {
namespace {

struct ApiKeyArgs {
  std::string provider;
  bool del = false;
};

absl::Status Run(const ApiKeyArgs& a) {
  if (a.provider.empty()) {
    return absl::InvalidArgumentError(
        "name the provider: aix api-key openrouter|openai|anthropic|custom:NAME");
  }
  std::string key;
  if (!a.del) {
    // Read before connecting: a daemon start must not eat into typing time,
    // and a piped key is consumed even if the daemon is down.
    AIX_ASSIGN_OR_RETURN(key, ReadSecret(absl::StrCat("API key for ", a.provider,
                                                      " (input hidden): ")));
  }
  AIX_ASSIGN_OR_RETURN(auto channel, Connect(AutoStart::kYes));
  auto stub = v1::KeyService::NewStub(channel);
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  if (a.del) {
    v1::DeleteKeyRequest req;
    req.set_provider(a.provider);
    v1::DeleteKeyResponse resp;
    AIX_RETURN_IF_ERROR(CallStatus(stub->DeleteKey(&ctx, req, &resp)));
    std::cout << "Deleted the API key for " << a.provider << "\n";
    return absl::OkStatus();
  }
  v1::SetKeyRequest req;
  req.set_provider(a.provider);
  req.set_key(key);
  v1::KeyInfo info;
  AIX_RETURN_IF_ERROR(CallStatus(stub->SetKey(&ctx, req, &info)));
  std::cout << "Stored the API key for " << info.provider() << ": " << info.masked() << "\n";
  return absl::OkStatus();
}

}  // namespace

Command AddApiKeyCommand(CLI::App& root) {
  auto args = std::make_shared<ApiKeyArgs>();
  CLI::App* cmd = root.add_subcommand(
      "api-key",
      "Store a provider's API key. On a terminal the key is read without echo; "
      "otherwise one line is read from stdin (printf %s \"$KEY\" | aix api-key openai).");
  cmd->add_option("provider", args->provider,
                  "openrouter, openai, anthropic, or custom:NAME (or a custom provider's NAME)")
      ->type_name("PROVIDER");
  cmd->add_flag("--delete", args->del, "Delete the stored key instead");
  return {cmd, [args] { return Run(*args); }};
}

}  // namespace aix
