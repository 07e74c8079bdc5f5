// aix's MCP server: `aix mcp` driven by the official TypeScript SDK client
// (@modelcontextprotocol/sdk) as editors start it, the same protocol over
// Streamable HTTP on http.sock and the loopback port, the MCP Inspector's
// CLI, and hostile input on stdin.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/fake_provider.h"
#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr int kFillerPrompts = 120;

class McpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(box_.Aix({"config", "--set", "openrouter_base_url", fake_.base() + "/api/v1"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"config", "--set", "anthropic_base_url", fake_.base() + "/v1"}).exit_code, 0);
    for (const char* p : {"openrouter", "anthropic"}) {
      ASSERT_EQ(box_.Aix({"api-key", p}, std::string("test-key-mcp-") + p).exit_code, 0);
    }
    ASSERT_EQ(box_.Aix({"create", "greet", "Hello {name}, about {topic}", "-d", "Greets someone"}).exit_code, 0);
    ASSERT_EQ(box_.Aix({"create", "dated", "Today is $(date +%Y) here"}).exit_code, 0);
  }

  // Prompts written as files, as a user with a large library has them.
  void Fill() {
    for (int i = 0; i < kFillerPrompts; ++i) {
      char name[32];
      snprintf(name, sizeof name, "filler-%03d", i);
      std::ofstream(box_.storage + "/prompts/" + name + ".yaml")
          << "name: " << name << "\ndescription: filler\ntemplate: \"Say {word}\"\n";
    }
  }

  // ChildEnv is what an MCP client starts `aix mcp` with: only HOME,
  // LOGNAME, PATH, SHELL, TERM and USER (the SDK adds those itself), plus
  // the socket this test's aixd serves and a sanitizer build's options.
  Json ChildEnv() {
    Json env = Json::object();
    env["AIX_SOCKET"] = box_.socket;
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"}) {
      if (box_.env.count(name) != 0) env[name] = box_.env.at(name);
    }
    return env;
  }

  std::string Modules() {
    const char* modules = std::getenv("AIX_NODE_MODULES");
    EXPECT_TRUE(modules != nullptr &&
                access((std::string(modules) + "/@modelcontextprotocol/sdk").c_str(), R_OK) == 0)
        << "AIX_NODE_MODULES must name a node_modules with @modelcontextprotocol/sdk "
           "(tools/test.sh installs tests/endpoint/package.json)";
    return modules == nullptr ? "" : modules;
  }

  Json Node(const std::string& mode, std::map<std::string, std::string> extra = {}) {
    auto env = box_.env;
    env["NODE_PATH"] = Modules();
    env["AIX_BIN"] = AixPath();
    env["AIX_FAKE"] = fake_.base();
    env["AIX_CHILD_ENV"] = ChildEnv().dump();
    env["AIX_HTTP_SOCKET"] = box_.dir + "/run/http.sock";
    for (auto& [k, v] : extra) env[k] = v;
    Result r = RunProcess({"/usr/bin/node", Runfile("tests/endpoint/mcp_check.cjs"), mode}, env, "", 180);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out << r.err;
    if (!j.is_object()) return Json::object();
    EXPECT_FALSE(j.contains("failure")) << j.value("failure", "") << "\n" << r.err;
    return j;
  }

  static std::string Text(const Json& result) {
    return result["content"][0]["text"].get<std::string>();
  }

  Sandbox box_;
  FakeProvider fake_{box_.dir};
};

TEST_F(McpTest, TheOfficialSdkUsesEverythingOverStdioFromABareEnvironment) {
  Fill();
  const size_t daemons = box_.Daemons().size();
  Json j = Node("stdio");

  EXPECT_EQ(j["server"]["name"], "aix");
  EXPECT_FALSE(j["server"]["version"].get<std::string>().empty());
  EXPECT_EQ(j["capabilities"]["prompts"]["listChanged"], true);
  EXPECT_TRUE(j["capabilities"].contains("completions"));
  EXPECT_EQ(j["ping"], Json::object());

  // Every prompt, across pages, each once.
  std::set<std::string> names(j["prompt_names"].begin(), j["prompt_names"].end());
  EXPECT_EQ(names.size(), j["prompt_names"].size());
  EXPECT_EQ(names.size(), static_cast<size_t>(kFillerPrompts + 2));
  EXPECT_TRUE(names.count("greet") && names.count("dated") && names.count("filler-119"));
  EXPECT_GE(j["pages"].get<int>(), 3);
  EXPECT_EQ(j["greet"]["description"], "Greets someone");
  EXPECT_EQ(j["greet"]["arguments"], Json::parse(R"([{"name":"name","required":true},{"name":"topic","required":true}])"));

  EXPECT_EQ(j["rendered"]["messages"][0]["role"], "user");
  EXPECT_EQ(j["rendered"]["messages"][0]["content"]["text"], "Hello Ann, about tea");
  // A template's command is never run for an MCP client: it stays as written.
  EXPECT_THAT(j["commands"]["messages"][0]["content"]["text"].get<std::string>(), HasSubstr("$(date +%Y)"));
  EXPECT_EQ(j["unknown_prompt"]["code"], -32602);
  EXPECT_THAT(j["unknown_prompt"]["message"].get<std::string>(), HasSubstr("no-such-prompt"));
  EXPECT_EQ(j["missing_argument"]["code"], -32602);
  EXPECT_THAT(j["missing_argument"]["message"].get<std::string>(), HasSubstr("missing argument topic"));
  EXPECT_EQ(j["unknown_tool"]["code"], -32602);
  // A known tool's bad arguments are the model's to fix: a tool error.
  EXPECT_EQ(j["tool_missing_argument"]["isError"], true);
  EXPECT_THAT(Text(j["tool_missing_argument"]), HasSubstr("\"name\" is required"));

  std::map<std::string, Json> tools;
  for (const Json& t : j["tools"]) tools[t["name"]] = t;
  for (const char* name : {"run_prompt", "ask", "list_prompts", "get_prompt", "search_history", "get_run"}) {
    ASSERT_TRUE(tools.count(name)) << name;
    EXPECT_EQ(tools[name]["inputSchema"]["type"], "object") << name;
  }
  EXPECT_EQ(tools["run_prompt"]["outputSchema"]["required"], Json({"text", "provider", "model", "run_id"}));
  EXPECT_EQ(tools["search_history"]["annotations"]["readOnlyHint"], true);
  EXPECT_EQ(tools["ask"]["annotations"]["readOnlyHint"], false);

  // run_prompt: the answer, its structured form (the SDK checked it against
  // the outputSchema), progress while it streamed, and a history row.
  const Json& run = j["run_prompt"];
  EXPECT_EQ(Text(run), "Hello Ann, about tea");
  EXPECT_FALSE(run.value("isError", false));
  EXPECT_EQ(run["structuredContent"]["text"], "Hello Ann, about tea");
  EXPECT_EQ(run["structuredContent"]["provider"], "openrouter");
  const int64_t run_id = run["structuredContent"]["run_id"];
  EXPECT_GT(run_id, 0);
  EXPECT_GE(j["progress"].get<int>(), 1);
  Result shown = box_.Aix({"history", "show", "--run", std::to_string(run_id), "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  Json record = Json::parse(shown.out);
  EXPECT_EQ(record["prompt"], "greet");
  EXPECT_EQ(record["client"], "mcp");
  EXPECT_EQ(record["params"]["name"], "Ann");

  EXPECT_EQ(Text(j["ask"]), "Echo: second opinion please");
  EXPECT_EQ(j["ask"]["structuredContent"]["provider"], "anthropic");
  EXPECT_EQ(j["ask"]["structuredContent"]["model"], "claude-fake");

  EXPECT_EQ(j["failed"]["isError"], true);
  EXPECT_THAT(Text(j["failed"]), HasSubstr("invalid api key (fake)"));
  EXPECT_THAT(Text(j["failed"]), ::testing::Not(HasSubstr("test-key-mcp")));

  EXPECT_THAT(j["completion"]["completion"]["values"], ::testing::Contains("Ann"));

  EXPECT_THAT(j["resources"], ::testing::Contains("aix://prompts/greet"));
  EXPECT_EQ(j["templates"], Json({"aix://prompts/{name}", "aix://runs/{id}"}));
  EXPECT_THAT(j["prompt_file"]["contents"][0]["text"].get<std::string>(), HasSubstr("Hello {name}, about {topic}"));
  EXPECT_THAT(j["run_resource"]["contents"][0]["text"].get<std::string>(), HasSubstr("Hello Ann, about tea"));

  EXPECT_GE(j["list_changed"].get<int>(), 1) << "no notifications/prompts/list_changed after aix create";

  // Cancelling stopped the call and the stalled provider stream.
  EXPECT_FALSE(j["cancelled"].is_null());
  EXPECT_EQ(j["after_cancel_ping"], Json::object());
  for (int i = 0; i < 500 && fake_.Abandoned() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fake_.Abandoned(), 1) << "the provider's stream was not cancelled";

  EXPECT_LT(j["close_ms"].get<int>(), 1000) << "aix mcp took too long to leave after stdin closed";
  EXPECT_EQ(j["alive_after_close"], false);
  // The bare environment reached this test's aixd; it started no other.
  EXPECT_EQ(box_.Daemons().size(), daemons);
}

TEST_F(McpTest, StreamableHttpOnTheSocketAndTheLoopbackPort) {
  const int port = FreePort();
  ASSERT_EQ(box_.Aix({"config", "--set", "http_listen", "127.0.0.1:" + std::to_string(port)}).exit_code, 0);
  Result token = box_.Aix({"endpoint", "token"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  std::string tok = token.out.substr(0, token.out.find('\n'));
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  Json j = Node("http", {{"AIX_URL", url}, {"AIX_TOKEN", tok}});

  for (const char* door : {"unix", "loopback"}) {
    SCOPED_TRACE(door);
    const Json& d = j[door];
    EXPECT_EQ(d["server"]["name"], "aix");
    EXPECT_EQ(d["session"], "yes");
    EXPECT_EQ(d["ping"], Json::object());
    EXPECT_EQ(d["prompts"], 2);
    EXPECT_EQ(d["rendered"]["messages"][0]["content"]["text"], "Hello Bo, about http");
    EXPECT_EQ(d["missing_argument"]["code"], -32602);
    EXPECT_EQ(Text(d["ask"]), "Echo: over http");
  }
  EXPECT_FALSE(j["no_token"].is_null()) << "the loopback port let a client in without the token";
  EXPECT_EQ(j["foreign_origin"]["status"], 403);
  EXPECT_THAT(j["foreign_origin"]["body"].get<std::string>(), HasSubstr("evil.example"));
  EXPECT_EQ(j["local_origin"]["status"], 200);
  EXPECT_EQ(j["bad_version"]["status"], 400);
  EXPECT_THAT(j["bad_version"]["body"].get<std::string>(), HasSubstr("1999-01-01"));
  EXPECT_EQ(j["good_version"]["status"], 200);
  EXPECT_EQ(j["no_session"]["status"], 400);
  EXPECT_EQ(j["unknown_session"]["status"], 404);
  EXPECT_EQ(j["wrong_accept"]["status"], 406);
  EXPECT_EQ(j["notification"]["status"], 202);
  EXPECT_EQ(j["get_status"], 405);
  EXPECT_EQ(j["deleted"], 200);
  EXPECT_EQ(j["after_delete"]["status"], 404);

  // DNS rebinding: the right token, but a Host that is not this machine.
  Result host = RunProcess({"/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                            "-H", "Authorization: Bearer " + tok, "-H", "Host: evil.example",
                            "-H", "Content-Type: application/json",
                            "-H", "Accept: application/json, text/event-stream", "--data-binary",
                            R"({"jsonrpc":"2.0","id":1,"method":"ping"})", url + "/mcp"},
                           box_.env);
  EXPECT_EQ(host.out, "403") << host.err;
}

TEST_F(McpTest, TheInspectorCliListsPromptsAndCallsATool) {
  const std::string inspector = Modules() + "/@modelcontextprotocol/inspector/clients/launcher/build/index.js";
  ASSERT_EQ(access(inspector.c_str(), R_OK), 0) << inspector;
  // The Inspector starts its server with a bare environment too; -e adds
  // this test's socket.
  std::vector<std::string> start = {"/usr/bin/node", inspector, "--cli"};
  const Json child = ChildEnv();
  for (auto& [k, v] : child.items()) {
    start.push_back("-e");
    start.push_back(k + "=" + v.get<std::string>());
  }
  start.insert(start.end(), {AixPath(), "mcp", "--method"});
  auto list_argv = start;
  list_argv.push_back("prompts/list");
  Result list = RunProcess(list_argv, box_.env, "", 120);
  ASSERT_EQ(list.exit_code, 0) << list.out << list.err;
  Json prompts = Json::parse(list.out, nullptr, false);
  ASSERT_TRUE(prompts.is_object()) << list.out;
  EXPECT_EQ(prompts["prompts"].size(), 2u);
  auto call_argv = start;
  call_argv.insert(call_argv.end(), {"tools/call", "--tool-name", "ask", "--tool-arg", "question=hello inspector"});
  Result call = RunProcess(call_argv, box_.env, "", 120);
  ASSERT_EQ(call.exit_code, 0) << call.out << call.err;
  EXPECT_THAT(call.out, HasSubstr("Echo: hello inspector"));
}

// McpProcess is `aix mcp` on pipes, for what no SDK would send.
class McpProcess {
 public:
  McpProcess(const std::map<std::string, std::string>& env) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      std::vector<std::string> kv;
      for (auto& [k, v] : env) kv.push_back(k + "=" + v);
      std::vector<char*> envp;
      for (auto& s : kv) envp.push_back(s.data());
      envp.push_back(nullptr);
      std::string aix = AixPath();
      char* argv[] = {aix.data(), const_cast<char*>("mcp"), nullptr};
      execve(argv[0], argv, envp.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    in_ = in[1];
    out_ = out[0];
    fcntl(in_, F_SETFL, O_NONBLOCK);  // a full pipe must not block the test
  }
  ~McpProcess() {
    if (in_ >= 0) close(in_);
    close(out_);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

  // Write sends bytes, waiting at most `timeout_ms` for room; false when
  // the pipe stayed full (nobody reads).
  bool Write(const std::string& bytes, int timeout_ms = 10000) {
    size_t at = 0;
    while (at < bytes.size()) {
      pollfd p{in_, POLLOUT, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      ssize_t n = write(in_, bytes.data() + at, std::min<size_t>(bytes.size() - at, 1 << 16));
      if (n < 0 && errno == EAGAIN) continue;
      if (n <= 0) return false;
      at += static_cast<size_t>(n);
    }
    return true;
  }

  // Line reads the next message (empty after `timeout_ms`).
  Json Line(int timeout_ms = 10000) {
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return Json::parse(line, nullptr, false);
      }
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return Json();
      char chunk[65536];
      ssize_t n = read(out_, chunk, sizeof chunk);
      if (n <= 0) return Json();
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  void CloseInput() {
    close(in_);
    in_ = -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
  int in_ = -1, out_ = -1;
  std::string buf_;
};

TEST_F(McpTest, HostileInputOnStdinGetsClearErrorsAndBoundedMemory) {
  auto env = box_.env;
  env.erase("AIX_STORAGE_PATH");
  env.erase("AIXD");
  McpProcess mcp(env);
  // Before initialize, an immediate error (a newer client probing), never silence.
  ASSERT_TRUE(mcp.Write(R"({"jsonrpc":"2.0","id":"probe","method":"server/discover"})" "\n"));
  Json probe = mcp.Line();
  EXPECT_EQ(probe["id"], "probe");
  EXPECT_EQ(probe["error"]["code"], -32601);
  ASSERT_TRUE(mcp.Write(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"hostile","version":"0"}}})" "\n"));
  Json init = mcp.Line();
  EXPECT_EQ(init["result"]["protocolVersion"], "2024-11-05");  // negotiated down

  // A 10 MB line: skipped as it arrives, answered, and the session goes on.
  std::string big = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" + std::string(10'000'000, 'a') + "\"}}\n";
  ASSERT_TRUE(mcp.Write(big));
  Json too_big = mcp.Line();
  EXPECT_EQ(too_big["error"]["code"], -32600);
  EXPECT_THAT(too_big["error"]["message"].get<std::string>(), HasSubstr("4 MiB"));

  ASSERT_TRUE(mcp.Write("{\"jsonrpc\": \"2.0\", \"id\": 2, \n"));
  EXPECT_EQ(mcp.Line()["error"]["code"], -32700);
  ASSERT_TRUE(mcp.Write(R"({"jsonrpc":"2.0","id":3,"method":"sampling/createMessage"})" "\n"));
  Json unknown = mcp.Line();
  EXPECT_EQ(unknown["error"]["code"], -32601);
  EXPECT_EQ(unknown["id"], 3);

  // Ids of every JSON type: strings and numbers are echoed exactly; the
  // rest are invalid requests with a null id.
  for (const char* id : {"\"s\"", "\"\"", "0", "-5", "2.5", "12345678901234"}) {
    ASSERT_TRUE(mcp.Write(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}\n"));
    Json r = mcp.Line();
    EXPECT_EQ(r["id"], Json::parse(id)) << id;
    EXPECT_EQ(r["result"], Json::object()) << id;
  }
  for (const char* id : {"null", "true", "{}", "[]"}) {
    ASSERT_TRUE(mcp.Write(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}\n"));
    Json r = mcp.Line();
    EXPECT_TRUE(r["id"].is_null()) << id;
    EXPECT_EQ(r["error"]["code"], -32600) << id;
  }

  // A flood of requests while nobody reads the answers: aix mcp and aixd
  // stop reading once their buffers are full; memory stays bounded.
  std::vector<pid_t> daemons = box_.Daemons();
  ASSERT_EQ(daemons.size(), 1u);
  const long rss_before = StatusKb(daemons[0], "VmRSS");
  std::string burst;
  for (int i = 0; i < 1000; ++i) {
    burst += R"({"jsonrpc":"2.0","method":"ping","id":)" + std::to_string(100000 + i) + "}\n";
  }
  int sent = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(Sanitized() ? 15 : 5);
  while (std::chrono::steady_clock::now() < until && mcp.Write(burst, 2000)) sent += 1000;
  const long rss_flooded = StatusKb(daemons[0], "VmRSS");
  EXPECT_GT(sent, 0);
  EXPECT_LT(sent, 2'000'000) << "nothing pushed back";
  // (A sanitizer's allocator keeps what is freed for a while: the plain
  // build measures.)
  if (!Sanitized()) {
    EXPECT_LT(rss_flooded - rss_before, 64 * 1024) << "aixd grew by " << (rss_flooded - rss_before) << " KiB";
  }
  // Meanwhile aixd serves everyone else.
  Result status = box_.Aix({"daemon", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  // Reading again drains it: every request is answered.
  int answered = 0;
  for (; answered < sent; ++answered) {
    Json r = mcp.Line(20000);
    if (!r.is_object()) break;
  }
  EXPECT_EQ(answered, sent);

  // stdin closes: aix mcp leaves at once.
  mcp.CloseInput();
  const auto closed = std::chrono::steady_clock::now();
  int wstatus = 0;
  pid_t done = 0;
  while (done == 0 && std::chrono::steady_clock::now() - closed < std::chrono::seconds(5)) {
    done = waitpid(mcp.pid(), &wstatus, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(done, mcp.pid());
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  EXPECT_EQ(box_.Daemons().size(), 1u);
}

TEST_F(McpTest, ConfigPrintsAndInstallsEachClientsEntry) {
  Result printed = box_.Aix({"mcp", "config", "--client", "claude-desktop"});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  Json snippet = Json::parse(printed.out);
  EXPECT_EQ(snippet["mcpServers"]["aix"]["args"], Json({"mcp"}));
  EXPECT_EQ(snippet["mcpServers"]["aix"]["command"].get<std::string>()[0], '/') << "GUI apps need an absolute path";

  const std::string file = box_.home + "/.cursor/mcp.json";
  ASSERT_EQ(RunProcess({"/bin/mkdir", "-p", box_.home + "/.cursor"}, box_.env).exit_code, 0);
  std::ofstream(file) << R"({"mcpServers": {"other": {"command": "/usr/bin/other"}}})";
  Result installed = box_.Aix({"mcp", "config", "--client", "cursor", "--install"});
  ASSERT_EQ(installed.exit_code, 0) << installed.err;
  EXPECT_THAT(installed.out, HasSubstr("backup: " + file + ".bak-"));
  Json merged = Json::parse(Sandbox::ReadFile(file));
  EXPECT_EQ(merged["mcpServers"]["other"]["command"], "/usr/bin/other");
  EXPECT_EQ(merged["mcpServers"]["aix"]["args"], Json({"mcp"}));

  // A file it cannot read as JSON is refused and left alone.
  const std::string zed = box_.home + "/.config/zed/settings.json";
  ASSERT_EQ(RunProcess({"/bin/mkdir", "-p", box_.home + "/.config/zed"}, box_.env).exit_code, 0);
  const std::string commented = "// mine\n{\"theme\": \"One Dark\"}\n";
  std::ofstream(zed) << commented;
  Result refused = box_.Aix({"mcp", "config", "--client", "zed", "--install"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("comments"));
  EXPECT_EQ(Sandbox::ReadFile(zed), commented);

  Result unknown = box_.Aix({"mcp", "config", "--client", "emacs"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("claude-code, claude-desktop, cursor, vscode, zed"));
}

}  // namespace
}  // namespace aix::testing
