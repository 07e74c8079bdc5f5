#include "client/mcp_config.h"

#include "absl/strings/str_cat.h"
#include "common/json_text.h"

namespace aix {

using Json = nlohmann::json;

const std::vector<McpClient>& McpClients() {
  static const auto* clients = new std::vector<McpClient>{
      {"claude-code", "Claude Code", "mcpServers",
       "the prompts as slash commands (/mcp__aix__NAME), the tools in /mcp and for the agent"},
      {"claude-desktop", "Claude Desktop", "mcpServers",
       "the prompts and resources under the + menu of a chat, the tools for the model"},
      {"cursor", "Cursor", "mcpServers", "the tools for the agent (Settings > MCP lists them)"},
      {"vscode", "VS Code", "servers",
       "the prompts as /mcp.aix.NAME in Copilot Chat, the tools in agent mode"},
      {"zed", "Zed", "context_servers", "the prompts as slash commands in the Agent Panel, the tools for the agent"},
  };
  return *clients;
}

const McpClient* FindMcpClient(absl::string_view name) {
  for (const McpClient& c : McpClients()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

Json McpEntry(const McpClient& client, const std::string& aix_path) {
  const std::string name = client.name;
  Json entry{{"command", aix_path}, {"args", Json::array({"mcp"})}};
  if (name == "vscode" || name == "claude-code") entry["type"] = "stdio";
  if (name == "zed") entry["source"] = "custom";
  if (name != "vscode") entry["env"] = Json::object();
  return entry;
}

Json McpSnippet(const McpClient& client, const std::string& aix_path) {
  return Json{{client.section, {{"aix", McpEntry(client, aix_path)}}}};
}

absl::StatusOr<std::string> McpConfigPath(const McpClient& client, const EnvLookup& env) {
  auto home = env("HOME");
  if (!home) return absl::FailedPreconditionError("HOME is not set; pass --file PATH");
  const std::string config = env("XDG_CONFIG_HOME").value_or(absl::StrCat(*home, "/.config"));
  const std::string name = client.name;
  if (name == "claude-code") return absl::StrCat(*home, "/.claude.json");
  if (name == "claude-desktop") return absl::StrCat(config, "/Claude/claude_desktop_config.json");
  if (name == "cursor") return absl::StrCat(*home, "/.cursor/mcp.json");
  if (name == "vscode") return absl::StrCat(config, "/Code/User/mcp.json");
  return absl::StrCat(config, "/zed/settings.json");
}

absl::StatusOr<std::string> MergeMcpEntry(const std::string& existing, const McpClient& client,
                                          const std::string& aix_path, bool* replaced) {
  *replaced = false;
  Json doc = Json::object();
  if (existing.find_first_not_of(" \t\r\n") != std::string::npos) {
    doc = Json::parse(existing, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      Json commented = Json::parse(existing, nullptr, false, /*ignore_comments=*/true);
      if (!commented.is_discarded()) {
        return absl::FailedPreconditionError(
            "it has comments, which rewriting it would lose; add the snippet above by hand");
      }
      return absl::FailedPreconditionError(
          "it is not valid JSON; fix it (or add the snippet above by hand) and run this again");
    }
    if (!doc.is_object()) return absl::FailedPreconditionError("it is not a JSON object; fix it first");
  }
  Json& servers = doc[client.section];
  if (servers.is_null()) servers = Json::object();
  if (!servers.is_object()) {
    return absl::FailedPreconditionError(absl::StrCat("its \"", client.section, "\" is not an object; fix it first"));
  }
  *replaced = servers.contains("aix");
  servers["aix"] = McpEntry(client, aix_path);
  return JsonText(doc, 2) + "\n";
}

}  // namespace aix
