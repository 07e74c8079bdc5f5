// aixd: the aix daemon. Wiring only; see daemon.h and docs/ARCHITECTURE.md.
#include <CLI/CLI.hpp>

#include "common/version.h"
#include "daemon/daemon.h"

int main(int argc, char** argv) {
  CLI::App app{
      "aixd: the aix daemon. Holds configuration and API keys and serves the "
      "aix.v1 gRPC API on a Unix socket. Runs in the foreground and logs to "
      "stderr; stop it with SIGTERM or 'aix daemon stop'.",
      "aixd"};  // named: --help shows `aixd`, not the path it was started by
  aix::DaemonOptions options;
  app.set_version_flag("--version", aix::kVersion);
  app.add_option("--socket", options.socket_path,
                 "Unix socket to serve (default: $AIX_SOCKET, else "
                 "$XDG_RUNTIME_DIR/aix/aixd.sock, else /tmp/aix-$UID/aixd.sock)");
  // Internal: set by the aix client when it starts the daemon on demand.
  app.add_flag("--started-by-client", options.started_by_client)->group("");
  CLI11_PARSE(app, argc, argv);
  return aix::RunDaemon(options);
}
