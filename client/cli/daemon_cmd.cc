// aix daemon status|start|stop.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "aix/v1/daemon.grpc.pb.h"
#include "client/cli/subcommand.h"
#include "client/call.h"
#include "common/proto_json.h"
#include "common/status_macros.h"
#include "common/version.h"

namespace aix {
namespace {

std::string Describe(v1::StartMethod m) {
  switch (m) {
    case v1::START_METHOD_FOREGROUND:
      return "by hand (foreground)";
    case v1::START_METHOD_AUTO:
      return "on demand by aix";
    case v1::START_METHOD_SYSTEMD_SOCKET:
      return "by systemd socket activation";
    case v1::START_METHOD_SYSTEMD_SERVICE:
      return "by a systemd service";
    default:
      return "unknown";
  }
}

// ProcessGone is true once `pid` has exited. A detached daemon is reaped by
// whatever init the system has, maybe late, so a zombie counts as gone.
bool ProcessGone(int64_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t paren = line.rfind(')');
  return paren == std::string::npos || line.compare(paren, 3, ") Z") == 0;
}

std::string Uptime(int64_t ms) {
  absl::Duration d = absl::Trunc(absl::Milliseconds(ms), absl::Seconds(1));
  return d == absl::ZeroDuration() ? "0s" : absl::FormatDuration(d);
}

absl::StatusOr<v1::DaemonStatus> FetchStatus(AutoStart autostart) {
  v1::DaemonStatus status;
  AIX_RETURN_IF_ERROR(
      Call(&v1::DaemonService::Stub::GetStatus, v1::GetStatusRequest(), &status, autostart));
  return status;
}

absl::Status Status(bool json) {
  auto st = FetchStatus(AutoStart::kNo);
  if (!st.ok()) return st.status();
  if (json) {
    std::cout << ProtoJson(*st);
    return absl::OkStatus();
  }
  std::cout << "aixd is running\n"
            << "  pid:     " << st->pid() << "\n"
            << "  version: " << st->version() << " (API " << st->api_version()
            << "; this aix is " << kVersion << ")\n"
            << "  uptime:  "
            << Uptime(st->uptime_ms()) << "\n"
            << "  socket:  " << st->socket_path() << "\n"
            << "  started: " << Describe(st->start_method()) << "\n"
            << "  config:  " << st->config_path() << "\n";
  return absl::OkStatus();
}

absl::Status Start() {
  auto running = FetchStatus(AutoStart::kNo);
  if (running.ok()) {
    std::cout << "aixd is already running (pid " << running->pid() << ")\n";
    return absl::OkStatus();
  }
  if (running.status().code() != absl::StatusCode::kUnavailable) return running.status();
  AIX_ASSIGN_OR_RETURN(auto st, FetchStatus(AutoStart::kYes));
  std::cout << "started aixd (pid " << st.pid() << ") on " << st.socket_path() << "\n";
  return absl::OkStatus();
}

// RequestShutdown asks the daemon to stop; the channel is gone when it
// returns, since the daemon's graceful shutdown waits for open connections.
absl::StatusOr<v1::ShutdownResponse> RequestShutdown() {
  v1::ShutdownResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::DaemonService::Stub::Shutdown, v1::ShutdownRequest(), &resp,
                           AutoStart::kNo));
  return resp;
}

absl::Status Stop() {
  auto stopping = RequestShutdown();
  if (stopping.status().code() == absl::StatusCode::kUnavailable &&
      absl::StrContains(stopping.status().message(), "not running")) {
    std::cout << "aixd is not running\n";
    return absl::OkStatus();
  }
  if (!stopping.ok()) return stopping.status();
  const v1::ShutdownResponse& resp = *stopping;
  // Wait for the process to go, so "stop; start" never races the old one.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!ProcessGone(resp.pid()) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  if (!ProcessGone(resp.pid())) {
    return absl::UnavailableError(absl::StrCat(
        "aixd (pid ", resp.pid(), ") did not exit within 10s; stop it with: kill ",
        resp.pid()));
  }
  std::cout << "stopped aixd (pid " << resp.pid() << ")\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddDaemon(CLI::App& root) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand("daemon", "Manage the aixd daemon");
  cmd->require_subcommand(1);
  auto action = std::make_shared<std::function<absl::Status()>>();
  CLI::App* status = cmd->add_subcommand(
      "status", "Show whether aixd runs: pid, version, uptime, socket, how it started");
  status->add_flag("--json", *json, "Print JSON for machines");
  status->callback([action, json] { *action = [json] { return Status(*json); }; });
  cmd->add_subcommand("start", "Start aixd in the background if it is not running")
      ->callback([action] { *action = Start; });
  cmd->add_subcommand("stop", "Stop aixd (in-flight calls get a short grace period)")
      ->callback([action] { *action = Stop; });
  return {{cmd, [action] { return (*action)(); }}};
}

}  // namespace aix
