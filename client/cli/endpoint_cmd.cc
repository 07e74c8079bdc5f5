// aix endpoint [token]: where OpenAI-compatible tools reach aixd.
#include <iostream>
#include <memory>

#include "aix/v1/daemon.grpc.pb.h"
#include "client/call.h"
#include "client/cli/subcommand.h"
#include "common/proto_json.h"
#include "common/status_macros.h"

namespace aix {
namespace {

absl::StatusOr<v1::EndpointInfo> Fetch(bool reveal, bool rotate) {
  v1::GetEndpointRequest req;
  req.set_reveal_token(reveal);
  req.set_rotate_token(rotate);
  v1::EndpointInfo info;
  AIX_RETURN_IF_ERROR(Call(&v1::DaemonService::Stub::GetEndpoint, req, &info, AutoStart::kYes));
  return info;
}

absl::Status Show(bool json) {
  AIX_ASSIGN_OR_RETURN(v1::EndpointInfo info, Fetch(false, false));
  if (json) {
    std::cout << ProtoJson(info);
    return absl::OkStatus();
  }
  std::cout << "aixd's OpenAI-compatible endpoint (POST /v1/chat/completions, GET /v1/models)\n";
  if (!info.socket_path().empty()) {
    std::cout << "  socket: " << info.socket_path() << "\n"
              << "          curl --unix-socket " << info.socket_path()
              << " http://localhost/v1/models\n";
  } else {
    std::cout << "  socket: not served\n";
  }
  if (!info.url().empty()) {
    std::cout << "  url:    " << info.url() << "\n"
              << "  token:  " << info.masked_token() << " (print it: aix endpoint token)\n";
  } else {
    std::cout << "  url:    off (turn on: aix config --set http_listen 127.0.0.1:8791)\n";
  }
  std::cout << "  models: openai/MODEL, anthropic/MODEL, openrouter/MODEL, custom:NAME/MODEL,\n"
            << "          prompt:NAME, or a model of the default provider\n";
  if (!info.error().empty()) std::cout << "  problem: " << info.error() << "\n";
  return absl::OkStatus();
}

absl::Status Token(bool json, bool rotate) {
  AIX_ASSIGN_OR_RETURN(v1::EndpointInfo info, Fetch(true, rotate));
  if (json) {
    std::cout << ProtoJson(info);
  } else {
    std::cout << info.token() << "\n";
  }
  if (rotate) std::cerr << "aix: the old token no longer works\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddEndpoint(CLI::App& root) {
  auto json = std::make_shared<bool>(false);
  auto rotate = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand(
      "endpoint", "Show how OpenAI SDKs and tools reach aixd: its socket, URL and token");
  cmd->add_flag("--json", *json, "Print JSON for machines");
  auto action = std::make_shared<std::function<absl::Status()>>([json] { return Show(*json); });
  CLI::App* token = cmd->add_subcommand(
      "token", "Print the bearer token for the loopback URL (aixd makes one if there is none)");
  token->add_flag("--json", *json, "Print JSON for machines");
  token->add_flag("--rotate", *rotate, "Replace the token first; the old one stops working");
  token->callback([action, json, rotate] { *action = [json, rotate] { return Token(*json, *rotate); }; });
  return {{cmd, [action] { return (*action)(); }}};
}

}  // namespace aix
