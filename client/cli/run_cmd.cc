// aix run: render a prompt and stream the provider's answer to stdout.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "aix/v1/config.grpc.pb.h"
#include "aix/v1/keys.grpc.pb.h"
#include "common/attempts_json.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "aix/v1/runs.grpc.pb.h"
#include "client/cli/subcommand.h"
#include "client/cli/plan_text.h"
#include "client/cli/run_cmd.h"
#include "client/cli/run_request.h"
#include "client/cli/structured_output.h"
#include "client/cli/store_key.h"
#include "client/call.h"
#include "client/env_keys.h"
#include "client/markdown.h"
#include "client/template_commands.h"
#include "client/terminal.h"
#include "common/exit_codes.h"
#include "common/files.h"
#include "common/json_text.h"
#include "common/limits.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"
#include "common/text.h"

namespace aix {
namespace {

// What a shell reports for a process ended by SIGPIPE.
constexpr int kExitBrokenPipe = 128 + SIGPIPE;


// Interrupts turns Ctrl-C (and SIGTERM) into a cancelled call from the first
// moment of the command: a thread takes the signals with sigwait, so it may
// call into gRPC safely. Before a call exists there is nothing to cancel
// upstream and the command simply ends. The signals are blocked before the
// channel's threads exist, which inherit the mask.
class Interrupts {
 public:
  Interrupts() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    std::thread([this] {
      int sig;
      if (sigwait(&set_, &sig) != 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      interrupted_ = true;
      if (context_ == nullptr) {
        std::cerr << "\naix: interrupted\n";
        QuickExit(kExitInterrupted);
      }
      context_->TryCancel();
    }).detach();  // the process ends with QuickExit
  }
  void Watch(grpc::ClientContext* context) {
    std::lock_guard<std::mutex> lock(mu_);
    context_ = context;
    if (interrupted_) context->TryCancel();
  }
  bool interrupted() {
    std::lock_guard<std::mutex> lock(mu_);
    return interrupted_;
  }

 private:
  sigset_t set_;
  std::mutex mu_;
  grpc::ClientContext* context_ = nullptr;  // guarded by mu_
  bool interrupted_ = false;                // guarded by mu_
};

// WatchStdoutClosed cancels the call when stdout is a pipe whose reader has
// gone (`aix run ... | head -c5`), even while no text is being written: the
// provider would otherwise go on answering, and billing, for nobody.
void WatchStdoutClosed(grpc::ClientContext* context, std::atomic<bool>* closed) {
  struct stat st;
  if (fstat(STDOUT_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode)) return;
  std::thread([context, closed] {
    pollfd p{STDOUT_FILENO, 0, 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
    if ((p.revents & (POLLERR | POLLHUP)) != 0) {
      closed->store(true);
      context->TryCancel();
    }
  }).detach();
}

// WriteOutput stores what --output names: like any new file the user
// makes, 0666 less the umask, written atomically.
absl::Status WriteOutput(const std::string& path, const std::string& text) {
  mode_t mask = umask(0);
  umask(mask);
  return WriteFileAtomically(path, text, 0666 & ~mask);
}

// BriefPrompt asks aixd for the prompt's parameters and commands: stdin is
// read only by prompts that take {input} (`while read l; do aix run p;
// done < list` must not swallow the list), on a terminal missing ones are
// asked for, and commands run here.
absl::StatusOr<v1::Prompt> BriefPrompt(const std::string& prompt) {
  v1::GetPromptRequest req;
  req.set_name(prompt);
  req.set_brief(true);
  v1::Prompt p;
  AIX_RETURN_IF_ERROR(Call(&v1::PromptService::Stub::GetPrompt, req, &p));
  return p;
}

// AskForMissing asks, on a terminal, for each parameter not given.
absl::Status AskForMissing(const v1::Prompt& prompt, v1::RunRequest* req) {
  for (const std::string& v : prompt.variables()) {
    if (req->params().count(v) > 0) continue;
    AIX_ASSIGN_OR_RETURN(std::string value, Ask(v));
    if (FirstInvalidUtf8(value) != absl::string_view::npos) {
      return absl::InvalidArgumentError(NotUtf8Message(v, value));
    }
    (*req->mutable_params())[v] = std::move(value);
  }
  return absl::OkStatus();
}

// OfferToStoreKey runs when a run on a terminal failed for want of a key:
// a dry run of the same request names the provider, and the user may paste
// a key now. True if one was stored (the run is then tried again).
absl::StatusOr<bool> OfferToStoreKey(v1::RunRequest req) {
  req.set_mode(v1::RunRequest::DRY_RUN);
  AIX_ASSIGN_OR_RETURN(auto channel, Connect(AutoStart::kYes));
  auto stub = v1::RunService::NewStub(channel);
  grpc::ClientContext ctx;
  PrepareCall(&ctx);
  auto reader = stub->Run(&ctx, req);
  v1::RunEvent ev;
  v1::RunPlan plan;
  while (reader->Read(&ev)) {
    if (ev.has_plan()) plan = ev.plan();
  }
  if (!reader->Finish().ok() || plan.key_fix().empty()) return false;
  if (!Confirm(absl::StrCat("No API key is stored for ", plan.provider(),
                            ". Paste one now and store it?"))) {
    return false;
  }
  AIX_ASSIGN_OR_RETURN(v1::KeyInfo info, StoreKey(plan.provider()));
  std::cerr << "Stored the API key for " << info.provider() << ": " << info.masked() << "\n";
  return true;
}

// ReadStdin reads all of stdin, refusing more than the API carries.
absl::StatusOr<std::string> ReadStdin() {
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read standard input");
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxRequestBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "standard input is over ", kMaxRequestBytes >> 20,
          " MiB, the most one run can send; pass a smaller part"));
    }
  }
  if (FirstInvalidUtf8(data) != absl::string_view::npos) {
    return absl::InvalidArgumentError(NotUtf8Message("standard input", data));
  }
  return data;
}

// ReplyText is what `aix reply` says: its words, then what was piped in
// (git diff | aix reply "review this too").
absl::StatusOr<std::string> ReplyText(const RunArgs& a, bool interactive) {
  std::string text = absl::StrJoin(a.message, " ");
  if (!interactive) {
    AIX_ASSIGN_OR_RETURN(std::string input, ReadStdin());
    if (!input.empty()) text = text.empty() ? input : absl::StrCat(text, "\n\n", input);
  }
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError(
        "aix reply needs something to say: aix reply \"TEXT\", or pipe it in (git diff | aix "
        "reply \"review this\")");
  }
  if (FirstInvalidUtf8(text) != absl::string_view::npos) {
    return absl::InvalidArgumentError(NotUtf8Message("the reply", text));
  }
  return text;
}

// Tokens is a count the provider reported, or null: never a made-up 0.
nlohmann::json Tokens(bool reported, int64_t n) { return reported ? nlohmann::json(n) : nullptr; }


// Stream makes one Run call and shows its events; `plan_seen` tells
// whether aixd got as far as a plan (a missing key fails before it).
absl::Status Stream(const RunArgs& a, const v1::RunRequest& req,
                    const std::vector<CommandNote>& notes, Interrupts& interrupts,
                    bool* plan_seen) {
  const bool show_plan = a.dry_run || a.no_execute;
  auto stub = v1::RunService::NewStub(CurrentChannel());
  // Watchers may outlive this call (a retried run makes a second one); the
  // process ends with QuickExit, so these simply stay.
  auto* ctx = new grpc::ClientContext;
  interrupts.Watch(ctx);
  auto* stdout_closed = new std::atomic<bool>(false);
  WatchStdoutClosed(ctx, stdout_closed);
  auto reader = stub->Run(ctx, req);
  v1::RunEvent ev;
  v1::RunPlan plan;
  v1::RunDone done;
  std::string text, shown;
  const bool collect = a.json || !a.output.empty();
  const bool chatty = a.verbose || IsTerminal(STDERR_FILENO);
  std::optional<MarkdownStream> markdown;
  if (!collect && !show_plan && RenderWanted(a)) markdown.emplace();
  bool printed_any = false;
  char last = '\n';
  // Show writes a piece of the answer as it is, unbuffered, so it appears
  // as the provider sends it.
  auto show = [&](const std::string& piece) {
    if (piece.empty()) return;
    if (fwrite(piece.data(), 1, piece.size(), stdout) != piece.size() || fflush(stdout) != 0) {
      // The reader went away: stop the run upstream and leave quietly, as
      // a program killed by SIGPIPE would.
      ctx->TryCancel();
      QuickExit(kExitBrokenPipe);
    }
    printed_any = true;
    last = piece.back();
  };
  while (reader->Read(&ev)) {
    if (ev.has_plan()) {
      *plan_seen = true;
      plan = ev.plan();
      for (const auto& w : plan.warnings()) std::cerr << "warning: " << w << "\n";
      if (show_plan) shown = FormatPlan(plan, notes, a.no_execute, a.json);
    } else if (ev.has_notice()) {
      if (chatty) std::cerr << "aix: " << ev.notice().message() << "\n";
    } else if (ev.has_text()) {
      text += ev.text();
      if (!collect) show(markdown ? markdown->Feed(ev.text()) : ev.text());
    } else if (ev.has_done()) {
      done = ev.done();
    }
  }
  grpc::Status st = reader->Finish();
  if (stdout_closed->load()) QuickExit(kExitBrokenPipe);
  if (markdown) show(markdown->Flush());
  if (printed_any && last != '\n' && IsTerminal(STDOUT_FILENO)) std::cout << "\n";
  if (interrupts.interrupted()) return absl::CancelledError("interrupted; the request was cancelled");
  AIX_RETURN_IF_ERROR(CallStatus(st));
  if (!a.schema.empty() && !show_plan) {
    // What was asked for is in the request (RunRequestFor put it there).
    const nlohmann::json options = nlohmann::json::parse(req.options_json(), nullptr, false);
    const nlohmann::json schema =
        options.is_object()
            ? options.value(nlohmann::json::json_pointer("/response_format/json_schema/schema"),
                            nlohmann::json::object())
            : nlohmann::json::object();
    if (absl::Status checked = CheckStructuredAnswer(text, schema); !checked.ok()) {
      if (!a.output.empty()) AIX_RETURN_IF_ERROR(WriteOutput(a.output, text));
      const std::string kept =
          done.run_id() != 0
              ? absl::StrCat(" (the history keeps it: aix history show ", done.run_id(), " --run)")
              : "";
      return absl::Status(checked.code(), absl::StrCat(checked.message(), kept));
    }
  }
  if (show_plan) {
    // --output gets what would otherwise be shown.
    if (!a.output.empty()) return WriteOutput(a.output, shown);
    std::cout << shown;
    return absl::OkStatus();
  }
  if (done.attempts_size() > 1 && done.provider() != plan.provider()) {
    std::cerr << "aix: answered by " << done.provider() << "/" << done.model() << " after "
              << plan.provider() << " failed\n";
  }
  if (!a.output.empty()) AIX_RETURN_IF_ERROR(WriteOutput(a.output, text));
  if (a.json) {
    nlohmann::json out = {
        {"text", text},
        {"provider", done.provider().empty() ? plan.provider() : done.provider()},
        {"model", done.model().empty() ? plan.model() : done.model()},
        {"finish_reason", done.finish_reason()},
        {"usage",
         {{"prompt_tokens", Tokens(done.has_prompt_tokens(), done.prompt_tokens())},
          {"completion_tokens", Tokens(done.has_completion_tokens(), done.completion_tokens())},
          {"total_tokens", Tokens(done.has_prompt_tokens() && done.has_completion_tokens(),
                                  done.prompt_tokens() + done.completion_tokens())}}},
        {"timings",
         {{"time_to_first_token_ms", done.time_to_first_token_us() / 1000.0},
          {"total_ms", done.total_us() / 1000.0}}},
        {"attempts", AttemptsToJson(done.attempts())},
        {"cost", done.has_cost() ? nlohmann::json(done.cost()) : nlohmann::json()},
        {"run_id", done.run_id() != 0 ? nlohmann::json(done.run_id()) : nlohmann::json()},
        {"conversation_id",
         done.conversation_id() != 0 ? nlohmann::json(done.conversation_id()) : nlohmann::json()},
    };
    std::cout << JsonText(out, 2) << "\n";
  }
  if (a.verbose) {
    std::cerr << absl::StrFormat(
        "%s %s: %s prompt + %s completion tokens; first token after %.1f ms, done after %.1f ms\n",
        done.provider(), done.model(),
        done.has_prompt_tokens() ? absl::StrCat(done.prompt_tokens()) : "?",
        done.has_completion_tokens() ? absl::StrCat(done.completion_tokens()) : "?",
        done.time_to_first_token_us() / 1000.0, done.total_us() / 1000.0);
    if (done.run_id() != 0) {
      std::cerr << "run " << done.run_id() << " of conversation " << done.conversation_id()
                << " (follow up: aix reply -c " << done.conversation_id() << " TEXT)\n";
    }
  }
  return absl::OkStatus();
}

absl::Status Run(const RunArgs& a, Interrupts& interrupts) {
  AIX_ASSIGN_OR_RETURN(v1::RunRequest req, RunRequestFor(a));
  AddEnvironmentKeys(req.mutable_api_keys());

  AIX_RETURN_IF_ERROR(Connect(AutoStart::kYes).status());
  const bool interactive = IsTerminal(STDIN_FILENO);
  std::vector<CommandNote> notes;
  if (a.prompt.empty()) {
    AIX_ASSIGN_OR_RETURN(std::string message, ReplyText(a, interactive));
    v1::ChatMessage* m = req.add_messages();
    m->set_role("user");
    m->set_content(std::move(message));
  } else {
    AIX_ASSIGN_OR_RETURN(notes, FillPromptInputs(a, interactive, &req));
  }
  if (req.ByteSizeLong() > kMaxRequestBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "this run's input is ", req.ByteSizeLong() >> 20, " MiB, over the ",
        kMaxRequestBytes >> 20, " MiB one run can send; pass less (stdin, --param values)"));
  }

  bool plan_seen = false;
  absl::Status s = Stream(a, req, notes, interrupts, &plan_seen);
  if (!s.ok() && s.code() == absl::StatusCode::kUnauthenticated && !plan_seen && interactive &&
      req.mode() == v1::RunRequest::EXECUTE) {
    auto stored = OfferToStoreKey(req);
    if (stored.ok() && *stored) return Stream(a, req, notes, interrupts, &plan_seen);
    if (!stored.ok()) return stored.status();
  }
  return s;
}

// AddSendOptions adds what run and reply share: where the prompt goes, how,
// and what is shown of the answer.
void AddSendOptions(CLI::App* cmd, RunArgs* a) {
  cmd->add_option("--provider", a->provider, registry::Choices());
  cmd->add_option("-m,--model", a->model,
                  "Model (default: a continued conversation's, the prompt's, then configured)");
  cmd->add_option("--system", a->system,
                  "System prompt (default: a continued conversation's, else the prompt's)");
  cmd->add_option("--max-tokens", a->max_tokens, "Reply length limit")->check(CLI::PositiveNumber);
  cmd->add_option("--temperature", a->temperature, "Sampling temperature")
      ->check(CLI::Range(0.0, 2.0));
  cmd->add_option("--max-retries", a->max_retries,
                  "Retries before any text arrives (rate limits, 5xx, connection errors); "
                  "default: the max_retries setting")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--fallback", a->fallback,
                  "Providers that take over if this one is rate-limited, failing or "
                  "unreachable: PROVIDER or PROVIDER/MODEL, comma-separated");
  auto* stream = cmd->add_flag("--stream", a->stream, "Stream the answer (default)");
  cmd->add_flag("--no-stream", a->no_stream, "Ask for the whole answer at once")->excludes(stream);
  cmd->add_flag("-n,--dry-run", a->dry_run,
                "Show provider, model, URL, key (masked) and prompt; send nothing (no key "
                "needed)");
  cmd->add_option("-o,--output", a->output,
                  "Write the answer (or what --no-execute/--dry-run show) to FILE, atomically");
  cmd->add_flag("--json", a->json,
                "Print one JSON object: text, usage, timings, attempts, run and conversation "
                "ids (with --dry-run or --no-execute: the plan)");
  cmd->add_flag("-v,--verbose", a->verbose,
                "Retries, fallbacks, token usage, time to first token and the conversation id on "
                "stderr");
  cmd->add_flag("--no-history", a->no_history, "Keep this run out of the run history");
  auto* render = cmd->add_flag("--render", a->render,
                               "On a terminal, show the answer as formatted Markdown (default: the "
                               "render setting); pipes get the raw text");
  cmd->add_flag("--no-render", a->no_render, "Show the answer's raw text")->excludes(render);
  cmd->add_option("--last", a->last_turns,
                  "Continuing: send only the conversation's last N turns (a turn is a prompt "
                  "and its answer)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("-a,--attach", a->attach,
                  "Send FILE with the prompt: an image (PNG, JPEG, GIF, WebP) or a text file "
                  "(repeatable)");
  cmd->add_option("--schema", a->schema,
                  "Ask for the answer as JSON matching this JSON Schema FILE, and check that it "
                  "does (exit 1 if not)");
}

}  // namespace

bool RenderWanted(const RunArgs& a) {
  if (!IsTerminal(STDOUT_FILENO) || a.no_render) return false;
  if (a.render) return true;
  v1::GetSettingRequest req;
  req.set_key("render");
  v1::Setting setting;
  return Call(&v1::ConfigService::Stub::GetSetting, req, &setting).ok() &&
         setting.value_json() == "true";
}

absl::StatusOr<int64_t> ContinueId(const std::vector<std::string>& given,
                                   absl::string_view usage) {
  // CLI11 gives a flag-like --continue as no value or as one empty value.
  if (given.empty() || given.front().empty()) return 0;
  int64_t id;
  if (!absl::SimpleAtoi(given.front(), &id) || id <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--continue takes a conversation id (a number from aix history), not '",
        PrintableExcerpt(given.front(), 40), "'; write the prompt name first: ", usage));
  }
  return id;
}

absl::StatusOr<std::vector<CommandNote>> FillPromptInputs(const RunArgs& a, bool interactive,
                                                         v1::RunRequest* req) {
  AIX_ASSIGN_OR_RETURN(v1::Prompt brief, BriefPrompt(a.prompt));
  if (interactive) {
    AIX_RETURN_IF_ERROR(AskForMissing(brief, req));
  } else if (req->params().count("input") == 0) {
    const auto& variables = brief.variables();
    if (std::find(variables.begin(), variables.end(), "input") != variables.end()) {
      AIX_ASSIGN_OR_RETURN(std::string input, ReadStdin());
      // An empty stdin (a script's /dev/null) is no input, not an empty one.
      if (!input.empty()) req->set_stdin_input(std::move(input));
    }
  }
  // Template commands run here, never in aixd; a dry run lists them.
  std::vector<CommandNote> notes;
  if (brief.commands_size() > 0) {
    const CommandMode mode = a.dry_run            ? CommandMode::kList
                             : a.disable_commands ? CommandMode::kAsText
                                                  : CommandMode::kRun;
    AIX_ASSIGN_OR_RETURN(notes, PrepareCommands(a.prompt, mode, req));
  }
  return notes;
}

absl::Status RunPrompt(const RunArgs& a) {
  // Signals are taken from the first moment of the command, before stdin
  // is read or a daemon is started. It lives until QuickExit.
  auto* interrupts = new Interrupts;
  return Run(a, *interrupts);
}

std::vector<Subcommand> AddRun(CLI::App& root) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = root.add_subcommand(
      "run", "Run a prompt against a provider; the answer streams to stdout. Piped "
             "stdin fills {input}.");
  cmd->add_option("prompt", a->prompt, "Prompt name")->required();
  cmd->add_option("-p,--param", a->params, "key=value, or key=@file (repeatable)");
  AddSendOptions(cmd, a.get());
  auto* execute = cmd->add_flag("-e,--execute", a->execute, "Send the prompt (default)");
  cmd->add_flag("--no-execute", a->no_execute, "Print the rendered prompt, send nothing")
      ->excludes(execute);
  cmd->add_flag("--disable-commands", a->disable_commands,
                "Do not run the template's commands ($(cmd), {exec:cmd}, {cmd:cmd}); send them "
                "as written");
  auto continue_ids = std::make_shared<std::vector<std::string>>();
  CLI::Option* cont =
      cmd->add_option("--continue", *continue_ids,
                      "Send the rendered prompt as the next turn of a conversation: the newest "
                      "one started from aix, or ID (from aix history)")
          ->expected(0, 1);

  auto r = std::make_shared<RunArgs>();
  CLI::App* reply = root.add_subcommand(
      "reply", "Say something next in a conversation (the newest from aix, or -c ID); the "
               "provider gets every earlier turn. Piped stdin is added to the text.");
  reply->add_option("text", r->message, "What to say (or pipe it in)");
  reply->add_option("-c,--conversation", r->conversation_id,
                    "The conversation to continue: its id, or any of its run ids (aix history)")
      ->check(CLI::PositiveNumber);
  AddSendOptions(reply, r.get());
  return {{cmd,
           [a, cont, continue_ids]() -> absl::Status {
             if (cont->count() > 0) {
               a->continues = true;
               AIX_ASSIGN_OR_RETURN(a->conversation_id,
                                    ContinueId(*continue_ids, "aix run NAME --continue [ID]"));
             } else if (a->last_turns > 0) {
               return absl::InvalidArgumentError(
                   "--last counts the turns of a conversation being continued; add --continue");
             }
             return RunPrompt(*a);
           }},
          {reply, [r] {
             r->continues = true;
             return RunPrompt(*r);
           }}};
}

}  // namespace aix
