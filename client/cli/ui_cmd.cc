// aix ui: opens aixd's web page in the user's browser, signed in.
//
// aixd makes a sign-in link with a code that works once, within a minute;
// aix hands it to the browser ($BROWSER, else xdg-open) and exits. With
// --no-open (or no browser to be found) the link is printed instead.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "aix/v1/daemon.grpc.pb.h"
#include "client/call.h"
#include "client/cli/subcommand.h"
#include "common/proto_json.h"
#include "common/status_macros.h"

extern char** environ;

namespace aix {
namespace {

// Opener is how to open a URL here: $BROWSER (a command, as the
// convention has it; "%s" there stands for the URL), else xdg-open.
std::vector<std::string> Opener(const std::string& url) {
  const char* browser = getenv("BROWSER");
  std::vector<std::string> argv;
  if (browser != nullptr && *browser != '\0') {
    // $BROWSER may list several, separated by ':'; the first is used.
    const std::string first = std::string(browser).substr(0, std::string(browser).find(':'));
    bool placed = false;
    for (absl::string_view word : absl::StrSplit(first, ' ', absl::SkipEmpty())) {
      std::string w(word);
      if (w == "%s") {
        w = url;
        placed = true;
      }
      argv.push_back(w);
    }
    if (!placed) argv.push_back(url);
    return argv;
  }
  return {"xdg-open", url};
}

// Open starts the opener detached from aix's terminal and waits for it
// (xdg-open returns once the browser has the URL). False if it could not
// be started or failed.
bool Open(const std::string& url) {
  std::vector<std::string> args = Opener(url);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

absl::Status Ui(bool no_open, bool json) {
  v1::GetEndpointRequest req;
  req.set_open_ui(true);
  v1::EndpointInfo info;
  AIX_RETURN_IF_ERROR(Call(&v1::DaemonService::Stub::GetEndpoint, req, &info, AutoStart::kYes));
  if (json) {
    v1::EndpointInfo out;
    out.set_ui_url(info.ui_url());
    out.set_ui_origin(info.ui_origin());
    std::cout << ProtoJson(out, JsonFields::kSetOnly);
    return absl::OkStatus();
  }
  if (!no_open && Open(info.ui_url())) {
    std::cerr << "aix: opened " << info.ui_origin() << "/ui/ in your browser\n";
    return absl::OkStatus();
  }
  if (!no_open) std::cerr << "aix: could not start a browser (set BROWSER); open this link:\n";
  std::cout << info.ui_url() << "\n";
  std::cerr << "aix: the link signs in once, within a minute; then the page is at "
            << info.ui_origin() << "/ui/\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddUi(CLI::App& root) {
  auto no_open = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand(
      "ui", "Open aixd's web page (library, runs, history, usage) in your browser, signed in");
  cmd->add_flag("--no-open", *no_open, "Print the sign-in link instead of opening a browser");
  cmd->add_flag("--json", *json, "Print the link as JSON for machines (implies --no-open)");
  return {{cmd, [no_open, json] { return Ui(*no_open, *json); }}};
}

}  // namespace aix
