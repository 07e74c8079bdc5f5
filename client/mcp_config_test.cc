#include "client/mcp_config.h"

#include <gtest/gtest.h>

namespace aix {
namespace {

using Json = nlohmann::json;

const McpClient& Client(const char* name) {
  const McpClient* c = FindMcpClient(name);
  EXPECT_NE(c, nullptr) << name;
  return *c;
}

TEST(McpConfig, EachClientGetsItsOwnShape) {
  EXPECT_EQ(McpSnippet(Client("claude-desktop"), "/opt/aix")["mcpServers"]["aix"],
            (Json{{"command", "/opt/aix"}, {"args", {"mcp"}}, {"env", Json::object()}}));
  EXPECT_EQ(McpSnippet(Client("vscode"), "/opt/aix")["servers"]["aix"]["type"], "stdio");
  EXPECT_EQ(McpSnippet(Client("zed"), "/opt/aix")["context_servers"]["aix"]["command"], "/opt/aix");
  EXPECT_EQ(McpSnippet(Client("claude-code"), "/opt/aix")["mcpServers"]["aix"]["args"], Json({"mcp"}));
  EXPECT_EQ(FindMcpClient("emacs"), nullptr);
}

TEST(McpConfig, PathsFollowHomeAndXdg) {
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "HOME") return "/home/u";
    return std::nullopt;
  };
  EXPECT_EQ(*McpConfigPath(Client("claude-code"), env), "/home/u/.claude.json");
  EXPECT_EQ(*McpConfigPath(Client("claude-desktop"), env), "/home/u/.config/Claude/claude_desktop_config.json");
  EXPECT_EQ(*McpConfigPath(Client("cursor"), env), "/home/u/.cursor/mcp.json");
  EXPECT_EQ(*McpConfigPath(Client("vscode"), env), "/home/u/.config/Code/User/mcp.json");
  auto xdg = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "HOME") return "/home/u";
    if (std::string(name) == "XDG_CONFIG_HOME") return "/cfg";
    return std::nullopt;
  };
  EXPECT_EQ(*McpConfigPath(Client("zed"), xdg), "/cfg/zed/settings.json");
}

TEST(McpConfig, MergeKeepsEverythingElse) {
  bool replaced = true;
  auto merged = MergeMcpEntry(R"({"theme":"dark","mcpServers":{"other":{"command":"x"}}})",
                              Client("cursor"), "/opt/aix", &replaced);
  ASSERT_TRUE(merged.ok()) << merged.status();
  Json doc = Json::parse(*merged);
  EXPECT_FALSE(replaced);
  EXPECT_EQ(doc["theme"], "dark");
  EXPECT_EQ(doc["mcpServers"]["other"]["command"], "x");
  EXPECT_EQ(doc["mcpServers"]["aix"]["command"], "/opt/aix");
  auto again = MergeMcpEntry(*merged, Client("cursor"), "/usr/bin/aix", &replaced);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(replaced);
  EXPECT_EQ(Json::parse(*again)["mcpServers"]["aix"]["command"], "/usr/bin/aix");
  EXPECT_TRUE(MergeMcpEntry("", Client("vscode"), "/opt/aix", &replaced).ok());
}

TEST(McpConfig, WhatCannotBeRewrittenSafelyIsRefused) {
  bool replaced;
  auto broken = MergeMcpEntry(R"({"mcpServers": {)", Client("cursor"), "/opt/aix", &replaced);
  EXPECT_TRUE(absl::IsFailedPrecondition(broken.status()));
  EXPECT_NE(broken.status().message().find("not valid JSON"), std::string::npos);
  auto comments = MergeMcpEntry("// my settings\n{\"theme\": \"one\"}", Client("zed"), "/opt/aix", &replaced);
  EXPECT_TRUE(absl::IsFailedPrecondition(comments.status()));
  EXPECT_NE(comments.status().message().find("comments"), std::string::npos);
  EXPECT_FALSE(MergeMcpEntry("[1]", Client("zed"), "/opt/aix", &replaced).ok());
  EXPECT_FALSE(MergeMcpEntry(R"({"servers": 3})", Client("vscode"), "/opt/aix", &replaced).ok());
}

}  // namespace
}  // namespace aix
