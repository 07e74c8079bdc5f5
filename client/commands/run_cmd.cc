// aix run: render a prompt and stream the provider's answer to stdout.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "aix/v1/runs.grpc.pb.h"
#include "client/commands/command.h"
#include "client/connect.h"
#include "client/env_keys.h"
#include "client/terminal.h"
#include "common/files.h"
#include "common/status_macros.h"

namespace aix {
namespace {

struct RunArgs {
  std::string prompt;
  std::vector<std::string> params;
  std::string provider, model, system, output;
  int64_t max_tokens = 0;
  double temperature = -1;
  bool no_stream = false;
  bool stream = false;
  bool no_execute = false;
  bool execute = false;
  bool dry_run = false;
  bool json = false;
  bool verbose = false;
};

absl::Status ParseParams(const std::vector<std::string>& in, v1::RunRequest* req) {
  for (const std::string& p : in) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--param '", p, "' is not key=value (or key=@file); e.g. --param topic=rust"));
    }
    std::string key = p.substr(0, eq), value = p.substr(eq + 1);
    if (!value.empty() && value[0] == '@') {
      auto text = ReadFile(value.substr(1));
      if (!text.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot read the file for --param ", key, ": ", text.status().message()));
      }
      value = *std::move(text);
    }
    (*req->mutable_params())[key] = value;
  }
  return absl::OkStatus();
}

// CancelOnSignal turns Ctrl-C (and SIGTERM) into a cancelled call: a thread
// takes the signals with sigwait, so it may call into gRPC safely. The
// signals are blocked before the channel's threads exist, which inherit it.
class CancelOnSignal {
 public:
  CancelOnSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  void Watch(grpc::ClientContext* context) {
    std::thread([this, context] {
      int sig;
      if (sigwait(&set_, &sig) == 0) {
        interrupted_ = true;
        context->TryCancel();
      }
    }).detach();  // the process ends with QuickExit
  }
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t set_;
  std::atomic<bool> interrupted_{false};
};

void PrintPlan(const v1::RunPlan& plan, bool render_only) {
  if (render_only) {
    std::cout << plan.rendered_prompt();
    if (!plan.rendered_prompt().empty() && plan.rendered_prompt().back() != '\n') std::cout << "\n";
    return;
  }
  std::cout << "provider:    " << plan.provider() << "\n"
            << "model:       " << plan.model() << "\n"
            << "url:         " << plan.url() << "\n"
            << "key:         "
            << (plan.masked_key().empty() ? "none" : plan.masked_key() + " from " + plan.key_source())
            << "\n"
            << "max_tokens:  " << plan.max_tokens() << "\n"
            << "temperature: " << plan.temperature() << "\n";
  if (!plan.system().empty()) std::cout << "\n--- system ---\n" << plan.system() << "\n";
  std::cout << "\n--- prompt ---\n" << plan.rendered_prompt() << "\n";
}

absl::Status Run(const RunArgs& a) {
  CancelOnSignal cancel;
  v1::RunRequest req;
  req.set_prompt(a.prompt);
  AIX_RETURN_IF_ERROR(ParseParams(a.params, &req));
  if (!IsTerminal(STDIN_FILENO) && req.params().count("input") == 0) {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    // An empty stdin (a script's /dev/null) is no input, not an empty one.
    if (!ss.str().empty()) req.set_stdin_input(ss.str());
  }
  req.set_provider(a.provider);
  req.set_model(a.model);
  if (!a.system.empty()) req.set_system(a.system);
  if (a.max_tokens > 0) req.set_max_tokens(a.max_tokens);
  if (a.temperature >= 0) req.set_temperature(a.temperature);
  req.set_no_stream(a.no_stream);
  req.set_mode(a.dry_run      ? v1::RunRequest::DRY_RUN
               : a.no_execute ? v1::RunRequest::RENDER_ONLY
                              : v1::RunRequest::EXECUTE);
  AddEnvironmentKeys(req.mutable_api_keys());

  AIX_ASSIGN_OR_RETURN(auto channel, Connect(AutoStart::kYes));
  auto stub = v1::RunService::NewStub(channel);
  grpc::ClientContext ctx;
  cancel.Watch(&ctx);
  auto reader = stub->Run(&ctx, req);
  v1::RunEvent ev;
  v1::RunPlan plan;
  v1::RunDone done;
  std::string text;
  const bool collect = a.json || !a.output.empty();
  bool printed_any = false;
  char last = '\n';
  while (reader->Read(&ev)) {
    if (ev.has_plan()) {
      plan = ev.plan();
      for (const auto& w : plan.warnings()) std::cerr << "warning: " << w << "\n";
      if (a.dry_run || a.no_execute) PrintPlan(plan, a.no_execute);
    } else if (ev.has_text()) {
      text += ev.text();
      if (!collect && !ev.text().empty()) {
        // Unbuffered: each piece appears as the provider sends it.
        fwrite(ev.text().data(), 1, ev.text().size(), stdout);
        fflush(stdout);
        printed_any = true;
        last = ev.text().back();
      }
    } else if (ev.has_done()) {
      done = ev.done();
    }
  }
  grpc::Status st = reader->Finish();
  if (printed_any && last != '\n' && IsTerminal(STDOUT_FILENO)) std::cout << "\n";
  if (cancel.interrupted()) return absl::CancelledError("interrupted; the request was cancelled");
  AIX_RETURN_IF_ERROR(CallStatus(st));
  if (a.dry_run || a.no_execute) return absl::OkStatus();
  if (!a.output.empty()) {
    AIX_RETURN_IF_ERROR(WriteFileAtomically(a.output, text, 0644));
  }
  if (a.json) {
    nlohmann::json out = {
        {"text", text},
        {"provider", plan.provider()},
        {"model", plan.model()},
        {"finish_reason", done.finish_reason()},
        {"usage",
         {{"prompt_tokens", done.prompt_tokens()},
          {"completion_tokens", done.completion_tokens()},
          {"total_tokens", done.prompt_tokens() + done.completion_tokens()}}},
        {"timings",
         {{"time_to_first_token_ms", done.time_to_first_token_us() / 1000.0},
          {"total_ms", done.total_us() / 1000.0}}},
    };
    std::cout << out.dump(2) << "\n";
  }
  if (a.verbose) {
    std::cerr << absl::StrFormat(
        "%s %s: %d prompt + %d completion tokens; first token after %.1f ms, done after %.1f ms\n",
        plan.provider(), plan.model(), done.prompt_tokens(), done.completion_tokens(),
        done.time_to_first_token_us() / 1000.0, done.total_us() / 1000.0);
  }
  return absl::OkStatus();
}

}  // namespace

Command AddRunCommand(CLI::App& root) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = root.add_subcommand(
      "run", "Run a prompt against a provider; the answer streams to stdout. Piped "
             "stdin fills {input}.");
  cmd->add_option("prompt", a->prompt, "Prompt name")->required();
  cmd->add_option("-p,--param", a->params, "key=value, or key=@file (repeatable)");
  cmd->add_option("--provider", a->provider, "openrouter, openai, anthropic or custom:NAME");
  cmd->add_option("-m,--model", a->model, "Model (default: the prompt's, then configured)");
  cmd->add_option("--system", a->system, "System prompt");
  cmd->add_option("--max-tokens", a->max_tokens, "Reply length limit")->check(CLI::PositiveNumber);
  cmd->add_option("--temperature", a->temperature, "Sampling temperature")
      ->check(CLI::Range(0.0, 2.0));
  auto* stream = cmd->add_flag("--stream", a->stream, "Stream the answer (default)");
  cmd->add_flag("--no-stream", a->no_stream, "Ask for the whole answer at once")->excludes(stream);
  auto* execute = cmd->add_flag("--execute", a->execute, "Send the prompt (default)");
  cmd->add_flag("--no-execute", a->no_execute, "Print the rendered prompt, send nothing")
      ->excludes(execute);
  cmd->add_flag("--dry-run", a->dry_run,
                "Show provider, model, URL, key (masked) and prompt; send nothing");
  cmd->add_option("-o,--output", a->output, "Write the answer to FILE (atomically)");
  cmd->add_flag("--json", a->json, "Print one JSON object: text, usage, timings");
  cmd->add_flag("-v,--verbose", a->verbose, "Token usage and time to first token on stderr");
  return {cmd, [a] { return Run(*a); }};
}

}  // namespace aix
