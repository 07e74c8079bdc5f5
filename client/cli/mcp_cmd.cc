// aix mcp: an MCP server on stdin and stdout, for editors and agents. The
// protocol is served by aixd (McpService; the same sessions as POST /mcp);
// this process only moves lines — one JSON-RPC message per line in, each
// of aixd's messages as a line out — so stdout carries nothing else, and
// it ends as soon as stdin does.
//
// aix mcp config: each client's entry for aix, printed or merged into the
// client's own file.
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "aix/v1/mcp.grpc.pb.h"
#include "client/cli/subcommand.h"
#include "client/connect.h"
#include "client/mcp_config.h"
#include "common/files.h"
#include "common/json_text.h"
#include "common/status_macros.h"

namespace aix {
namespace {

// The largest message passed on (aixd refuses larger ones too); a longer
// line is answered with an error and skipped, never held whole.
constexpr size_t kMaxLine = 4 << 20;

std::mutex stdout_mu;

// WriteLine writes one message and its newline; a reader that went away
// ends the process (the client closed us).
void WriteLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(stdout_mu);
  std::string out = line + "\n";
  const char* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    ssize_t n = write(STDOUT_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) QuickExit(0);
    p += n;
    left -= static_cast<size_t>(n);
  }
}

std::string TooLong(size_t bytes) {
  return JsonText(nlohmann::json{
      {"jsonrpc", "2.0"},
      {"id", nullptr},
      {"error",
       {{"code", -32600},
        {"message", absl::StrCat("a message of ", bytes, " bytes or more was skipped: aix takes at most ",
                                 kMaxLine >> 20, " MiB per message")}}}});
}

absl::Status Serve() {
  AIX_ASSIGN_OR_RETURN(auto channel, Connect(AutoStart::kYes));
  auto stub = v1::McpService::NewStub(channel);
  grpc::ClientContext context;
  auto stream = stub->Session(&context);
  std::atomic<bool> input_done{false};
  std::thread reader([&] {
    v1::McpMessage m;
    while (stream->Read(&m)) WriteLine(m.json());
    grpc::Status s = stream->Finish();
    if (input_done.load()) QuickExit(0);
    std::cerr << "aix mcp: the connection to aixd ended"
              << (s.ok() ? "" : absl::StrCat(": ", CallStatus(s).message()))
              << "; the MCP client must start aix mcp again\n";
    QuickExit(1);
  });
  reader.detach();

  // Lines are split here, bounded: a line that grows past kMaxLine is
  // dropped as it arrives.
  std::string line;
  bool skipping = false;
  size_t skipped = 0;
  char buf[64 << 10];
  v1::McpMessage out;
  auto send = [&](std::string text) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) return;
    out.set_json(std::move(text));
    if (!stream->Write(out)) {
      std::this_thread::sleep_for(std::chrono::seconds(1));  // the reader reports why, and exits
      QuickExit(1);
    }
  };
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    absl::string_view chunk(buf, static_cast<size_t>(n));
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      absl::string_view piece = chunk.substr(0, nl);
      if (skipping) {
        skipped += piece.size();
      } else if (line.size() + piece.size() > kMaxLine) {
        skipping = true;
        skipped = line.size() + piece.size();
        std::string().swap(line);
      } else {
        line.append(piece.data(), piece.size());
      }
      if (nl == absl::string_view::npos) break;
      chunk.remove_prefix(nl + 1);
      if (skipping) {
        WriteLine(TooLong(skipped));
        skipping = false;
      } else {
        send(std::move(line));
      }
      line.clear();
    }
  }
  if (!skipping) send(std::move(line));
  // stdin closed: the client is done with us. In-flight requests are
  // cancelled in aixd as the stream ends.
  input_done.store(true);
  stream->WritesDone();
  context.TryCancel();
  QuickExit(0);
}

std::string SelfPath() {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "aix";
  return std::string(path, static_cast<size_t>(n));
}

absl::Status Configure(const std::string& name, bool install, std::string file) {
  const McpClient* client = FindMcpClient(name);
  if (client == nullptr) {
    std::vector<std::string> names;
    for (const McpClient& c : McpClients()) names.push_back(c.name);
    return absl::InvalidArgumentError(absl::StrCat("unknown client ", name, "; use one of: ",
                                                   absl::StrJoin(names, ", ")));
  }
  const std::string aix = SelfPath();
  if (!install) {
    std::cout << JsonText(McpSnippet(*client, aix), 2) << "\n";
    if (file.empty()) {
      auto path = McpConfigPath(*client, ProcessEnv());
      if (path.ok()) file = *path;
    }
    std::cerr << "aix: add this to " << (file.empty() ? "the client's MCP file" : file)
              << " (or run: aix mcp config --client " << client->name << " --install)\n";
    if (std::string(client->name) == "claude-code") {
      std::cerr << "aix: or: claude mcp add --scope user aix -- " << aix << " mcp\n";
    }
    return absl::OkStatus();
  }
  if (file.empty()) {
    AIX_ASSIGN_OR_RETURN(file, McpConfigPath(*client, ProcessEnv()));
  }
  std::string existing;
  auto read = ReadRegularFile(file, 64 << 20);
  if (read.ok()) {
    existing = *std::move(read);
  } else if (!absl::IsNotFound(read.status())) {
    return read.status();
  }
  bool replaced = false;
  auto merged = MergeMcpEntry(existing, *client, aix, &replaced);
  if (!merged.ok()) {
    std::cout << JsonText(McpSnippet(*client, aix), 2) << "\n";
    return absl::FailedPreconditionError(absl::StrCat(file, " was left as it is: ", merged.status().message()));
  }
  if (!existing.empty()) {
    const std::string backup = absl::StrCat(file, ".bak-", absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::UTCTimeZone()));
    AIX_RETURN_IF_ERROR(WriteFileAtomically(backup, existing, 0600));
    std::cout << "backup: " << backup << "\n";
  } else {
    AIX_RETURN_IF_ERROR(EnsurePrivateDir(Dirname(file)));
  }
  AIX_RETURN_IF_ERROR(WriteFileAtomically(file, *merged, 0600));
  std::cout << (replaced ? "replaced aix in " : "added aix to ") << file << "\n"
            << "restart " << client->title << "; then: " << client->where << "\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddMcp(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "mcp", "Serve the prompt library over MCP on stdin/stdout (for Claude Code, Claude Desktop, "
             "Cursor, VS Code, Zed)");
  auto action = std::make_shared<std::function<absl::Status()>>([] { return Serve(); });
  auto client = std::make_shared<std::string>();
  auto install = std::make_shared<bool>(false);
  auto file = std::make_shared<std::string>();
  CLI::App* config = cmd->add_subcommand("config", "Print (or --install) the entry an MCP client needs to start aix mcp");
  config->add_option("--client", *client, "claude-code, claude-desktop, cursor, vscode or zed")->required();
  config->add_flag("--install", *install,
                   "Merge the entry into the client's file (a backup is written first; a file that is not "
                   "plain JSON is left alone)");
  config->add_option("--file", *file, "The client's file, instead of where it usually is");
  config->callback([action, client, install, file] {
    *action = [client, install, file] { return Configure(*client, *install, *file); };
  });
  return {{cmd, [action] { return (*action)(); }}};
}

}  // namespace aix
