// aix chat: a conversation at the terminal. Each message is a RunRequest
// that continues the session's conversation by id (aixd loads the earlier
// turns from the run history), streamed as `aix run` streams.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aix/v1/history.grpc.pb.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "aix/v1/runs.grpc.pb.h"
#include "client/call.h"
#include "client/cli/run_cmd.h"
#include "client/cli/run_request.h"
#include "client/cli/subcommand.h"
#include "client/connect.h"
#include "client/env_keys.h"
#include "client/line_editor.h"
#include "client/markdown.h"
#include "client/terminal.h"
#include "common/exit_codes.h"
#include "common/files.h"
#include "common/limits.h"
#include "common/paths.h"
#include "common/provider_registry.h"
#include "common/status_macros.h"
#include "common/text.h"

namespace aix {
namespace {

constexpr char kHelp[] = R"(Type a message and press Enter to send it. Several lines: end a line
with \ to go on, or type """ alone on a line, then the lines (a paste too),
then """ again. Ctrl-C stops an answer (the session goes on) or clears what
you are typing; Ctrl-D or /exit leaves.
  /model [NAME]       show or set the model for the next messages
  /provider [NAME]    show or set the provider (its own model unless /model)
  /system [TEXT]      show or set the system prompt; "/system -" drops it
  /new                start a new conversation
  /history            the conversation so far, with its token usage
  /last               print the last answer again, as it came (raw)
  /save NAME          save the conversation's first message as prompt NAME
  /help               this
  /exit               leave (as Ctrl-D)
)";

// Interrupts cancels the answer being streamed on Ctrl-C. While libedit
// reads a line the terminal sends no SIGINT (line_editor.h); while an
// answer streams it does, and the handler only wakes a thread that
// cancels the call (gRPC is not async-signal-safe).
class Interrupts {
 public:
  static Interrupts& Get() {
    static Interrupts* self = new Interrupts;  // lives until exit
    return *self;
  }
  void Watch(grpc::ClientContext* context) {
    std::lock_guard<std::mutex> lock(mu_);
    context_ = context;
    fired_ = false;
  }
  // Unwatch returns whether Ctrl-C came while watching.
  bool Unwatch() {
    std::lock_guard<std::mutex> lock(mu_);
    context_ = nullptr;
    return fired_;
  }

 private:
  Interrupts() {
    if (pipe2(fds_, O_CLOEXEC) != 0) return;
    std::thread([this] {
      char c;
      while (true) {
        ssize_t n = read(fds_[0], &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        std::lock_guard<std::mutex> lock(mu_);
        if (context_ == nullptr) {
          // Neither streaming nor in the line editor (which reads Ctrl-C as
          // a key): asking for a prompt's parameter, starting aixd. Leave.
          std::fputs("\naix: interrupted\n", stderr);
          QuickExit(kExitInterrupted);
        }
        fired_ = true;
        context_->TryCancel();
      }
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = [](int) {
      const int saved = errno;
      char c = 1;
      (void)!write(Get().fds_[1], &c, 1);
      errno = saved;
    };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
  }

  int fds_[2] = {-1, -1};
  std::mutex mu_;
  grpc::ClientContext* context_ = nullptr;  // guarded by mu_
  bool fired_ = false;                      // guarded by mu_
};

// Template escapes text so that a saved prompt sends it as it was.
std::string AsTemplate(const std::string& text) {
  return absl::StrReplaceAll(text, {{"{", "{{"}, {"}", "}}"}, {"$(", "$$("}});
}

class Session {
 public:
  explicit Session(RunArgs args) : args_(std::move(args)), render_(RenderWanted(args_)) {
    if (args_.continues) conversation_ = args_.conversation_id;
    newest_ = args_.continues && args_.conversation_id == 0;
  }

  absl::Status Loop() {
    if (!args_.prompt.empty()) {
      // The saved prompt is the first turn.
      AIX_ASSIGN_OR_RETURN(v1::RunRequest req, RunRequestFor(args_));
      AIX_RETURN_IF_ERROR(FillPromptInputs(args_, /*interactive=*/true, &req).status());
      Send(std::move(req), "");
    }
    std::string history_file;
    if (auto dir = StateDir(ProcessEnv()); dir.ok() && EnsurePrivateDir(*dir).ok()) {
      history_file = *dir + "/chat_history";
    }
    LineEditor editor(history_file);
    std::cerr << "aix chat: /help for commands, Ctrl-D to leave\n";
    while (true) {
      std::optional<std::string> line = editor.Read();
      if (!line) break;
      const std::string text(absl::StripAsciiWhitespace(*line));
      if (text.empty()) continue;
      if (text[0] == '/' && text.find('\n') == std::string::npos) {
        if (!Command(text)) break;
        continue;
      }
      if (FirstInvalidUtf8(*line) != absl::string_view::npos) {
        std::cerr << "aix: " << NotUtf8Message("the message", *line) << "\n";
        continue;
      }
      AIX_ASSIGN_OR_RETURN(v1::RunRequest req, RunRequestFor(Reply()));
      Send(std::move(req), *line);
    }
    std::cout << "\n";
    return absl::OkStatus();
  }

 private:
  // Reply is the arguments of the next message: the session's choices.
  RunArgs Reply() const {
    RunArgs a;
    a.provider = provider_.value_or(args_.provider);
    a.model = model_.value_or(args_.model);
    a.system = system_.value_or(args_.system);
    a.max_tokens = args_.max_tokens;
    a.temperature = args_.temperature;
    a.no_history = args_.no_history;
    a.continues = conversation_ != 0 || newest_;
    a.conversation_id = conversation_;
    return a;
  }

  // Send streams one turn. Errors are shown and the session goes on.
  void Send(v1::RunRequest req, const std::string& said) {
    AddEnvironmentKeys(req.mutable_api_keys());
    if (!said.empty()) {
      // No recorded conversation to continue (the history is off, or this
      // is the first message): the turns so far go along as messages.
      if (conversation_ == 0 && !newest_) {
        for (const v1::ChatMessage& m : local_) *req.add_messages() = m;
      }
      *req.add_messages() = Message("user", said);
    }
    if (req.ByteSizeLong() > kMaxRequestBytes) {
      std::cerr << "aix: that message is over " << (kMaxRequestBytes >> 20)
                << " MiB, more than one run can send\n";
      return;
    }
    auto stub = v1::RunService::NewStub(CurrentChannel());
    grpc::ClientContext ctx;
    Interrupts::Get().Watch(&ctx);
    auto reader = stub->Run(&ctx, req);
    v1::RunEvent ev;
    std::string answer;
    char last = '\n';
    std::optional<MarkdownStream> markdown;
    if (render_) markdown.emplace();
    auto show = [&](const std::string& piece) {
      if (piece.empty()) return;
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
      last = piece.back();
    };
    while (reader->Read(&ev)) {
      if (ev.has_plan()) {
        for (const auto& w : ev.plan().warnings()) std::cerr << "warning: " << w << "\n";
        if (ev.plan().conversation_id() != 0) {
          conversation_ = ev.plan().conversation_id();
          newest_ = false;
        }
        provider_shown_ = ev.plan().provider();
        model_shown_ = ev.plan().model();
      } else if (ev.has_notice()) {
        std::cerr << "aix: " << ev.notice().message() << "\n";
      } else if (ev.has_text() && !ev.text().empty()) {
        show(markdown ? markdown->Feed(ev.text()) : ev.text());
        answer += ev.text();
      } else if (ev.has_done()) {
        provider_shown_ = ev.done().provider();
        model_shown_ = ev.done().model();
      }
    }
    grpc::Status st = reader->Finish();
    const bool interrupted = Interrupts::Get().Unwatch();
    if (markdown) show(markdown->Flush());
    if (last != '\n') std::cout << "\n";
    if (interrupted) {
      std::cerr << "[stopped; the session goes on]\n";
    } else if (!st.ok()) {
      std::cerr << "aix: " << CallStatus(st).message() << "\n";
      if (answer.empty()) return;  // nothing to keep from this turn
    }
    last_answer_ = answer;
    if (said.empty()) return;  // a saved prompt's turn: aixd rendered it
    if (first_.empty()) first_ = said;
    local_.push_back(Message("user", said));
    if (!answer.empty()) local_.push_back(Message("assistant", answer));
  }

  static v1::ChatMessage Message(const std::string& role, const std::string& content) {
    v1::ChatMessage m;
    m.set_role(role);
    m.set_content(content);
    return m;
  }

  // Command runs a /command; false to leave.
  bool Command(const std::string& text) {
    const size_t space = text.find(' ');
    const std::string name = text.substr(0, space);
    const std::string arg =
        space == std::string::npos ? "" : std::string(absl::StripAsciiWhitespace(text.substr(space)));
    if (name == "/exit" || name == "/quit") return false;
    if (name == "/help") {
      std::cout << kHelp;
    } else if (name == "/model") {
      if (!arg.empty()) model_ = arg;
      std::cout << "model: " << Shown(model_, args_.model, model_shown_) << "\n";
    } else if (name == "/provider") {
      if (!arg.empty()) {
        provider_ = arg;
        if (!model_) model_ = "";  // the provider's own model from now on
      }
      std::cout << "provider: " << Shown(provider_, args_.provider, provider_shown_) << "\n";
    } else if (name == "/system") {
      if (arg == "-") {
        system_ = "";
      } else if (!arg.empty()) {
        system_ = arg;
      }
      const std::string s = system_.value_or(args_.system);
      std::cout << "system: " << (s.empty() ? "(the conversation's, if any)" : s) << "\n";
    } else if (name == "/new") {
      conversation_ = 0;
      newest_ = false;
      local_.clear();
      first_.clear();
      std::cout << "(a new conversation)\n";
    } else if (name == "/last") {
      std::cout << last_answer_ << (absl::EndsWith(last_answer_, "\n") ? "" : "\n");
    } else if (name == "/history") {
      History();
    } else if (name == "/save") {
      Save(arg);
    } else {
      std::cerr << "aix: unknown command " << name << "; /help lists them\n";
    }
    return true;
  }

  static std::string Shown(const std::optional<std::string>& set, const std::string& flag,
                           const std::string& last) {
    if (set && !set->empty()) return *set;
    if (!flag.empty()) return flag;
    return last.empty() ? "(the conversation's, else the configured one)"
                        : absl::StrCat(last, " (as last answered)");
  }

  void History() {
    if (conversation_ == 0) {
      std::cout << "(nothing recorded yet in this conversation)\n";
      return;
    }
    v1::GetRunRequest req;
    req.set_id(conversation_);
    v1::Conversation c;
    absl::Status s = Call(&v1::HistoryService::Stub::GetConversation, req, &c);
    if (!s.ok()) {
      std::cerr << "aix: " << s.message() << "\n";
      return;
    }
    for (const v1::RunRecord& r : c.runs()) {
      std::cout << absl::StrCat("turn ", r.turn(), " (", r.provider(), "/", r.model(), ", ",
                                r.outcome(), "):\n  you: ", PrintableExcerpt(r.rendered(), 100),
                                "\n  ", PrintableExcerpt(r.answer(), 100), "\n");
    }
    std::cout << "conversation " << c.id() << ": " << c.turns() << " turns; tokens so far "
              << c.prompt_tokens() << " in, " << c.completion_tokens() << " out";
    if (c.runs_size() > 0 && c.runs(c.runs_size() - 1).has_prompt_tokens()) {
      std::cout << "; the last turn sent " << c.runs(c.runs_size() - 1).prompt_tokens()
                << " prompt tokens";
    }
    std::cout << "\n";
  }

  void Save(const std::string& name) {
    if (name.empty()) {
      std::cerr << "aix: /save needs a name: /save NAME\n";
      return;
    }
    std::string first = first_;
    if (first.empty() && conversation_ != 0) {
      v1::GetRunRequest req;
      req.set_id(conversation_);
      v1::Conversation c;
      if (Call(&v1::HistoryService::Stub::GetConversation, req, &c).ok() && c.runs_size() > 0) {
        first = c.runs(0).rendered();
      }
    }
    if (first.empty()) {
      std::cerr << "aix: nothing to save yet; say something first\n";
      return;
    }
    v1::CreatePromptRequest req;
    req.mutable_prompt()->set_name(name);
    req.mutable_prompt()->set_template_(AsTemplate(first));
    const std::string system = system_.value_or(args_.system);
    if (!system.empty()) req.mutable_prompt()->set_system(system);
    v1::Prompt saved;
    absl::Status s = Call(&v1::PromptService::Stub::CreatePrompt, req, &saved);
    if (!s.ok()) {
      std::cerr << "aix: " << s.message() << "\n";
      return;
    }
    std::cout << "saved the first message as prompt " << name << " (aix run " << name << ")\n";
  }

  RunArgs args_;
  const bool render_;
  int64_t conversation_ = 0;  // 0: none recorded yet
  bool newest_ = false;       // continue the newest conversation (--continue)
  std::optional<std::string> provider_, model_, system_;  // set by /commands
  std::string provider_shown_, model_shown_;             // who answered last
  std::vector<v1::ChatMessage> local_;  // the turns, for a history that is off
  std::string first_, last_answer_;
};

}  // namespace

std::vector<Subcommand> AddChat(CLI::App& root) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = root.add_subcommand(
      "chat", "A conversation in the terminal: type, read the answer as it streams, reply. "
              "/help inside lists its commands");
  cmd->add_option("prompt", a->prompt, "A saved prompt to start with (its answer is the first turn)");
  cmd->add_option("-p,--param", a->params, "key=value, or key=@file (repeatable)");
  cmd->add_option("--provider", a->provider, registry::Choices());
  cmd->add_option("-m,--model", a->model, "Model");
  cmd->add_option("--system", a->system, "System prompt");
  cmd->add_option("--max-tokens", a->max_tokens, "Reply length limit")->check(CLI::PositiveNumber);
  cmd->add_option("--temperature", a->temperature, "Sampling temperature")
      ->check(CLI::Range(0.0, 2.0));
  cmd->add_flag("--no-history", a->no_history,
                "Keep the session out of the run history (its turns go along with each message)");
  auto* render = cmd->add_flag("--render", a->render,
                               "Show answers as formatted Markdown (default: the render setting)");
  cmd->add_flag("--no-render", a->no_render, "Show answers' raw text")->excludes(render);
  auto continue_ids = std::make_shared<std::vector<std::string>>();
  CLI::Option* cont = cmd->add_option("--continue", *continue_ids,
                                      "Go on with a conversation: the newest from aix, or ID")
                          ->expected(0, 1);
  return {{cmd, [a, cont, continue_ids]() -> absl::Status {
             if (!IsTerminal(STDIN_FILENO) || !IsTerminal(STDOUT_FILENO)) {
               return absl::InvalidArgumentError(
                   "aix chat needs a terminal; from a script or a pipe, continue a conversation "
                   "with aix reply (git diff | aix reply \"review this\")");
             }
             if (cont->count() > 0) {
               a->continues = true;
               AIX_ASSIGN_OR_RETURN(a->conversation_id,
                                    ContinueId(*continue_ids, "aix chat [NAME] --continue [ID]"));
             }
             AIX_RETURN_IF_ERROR(Connect(AutoStart::kYes).status());
             Interrupts::Get();
             return Session(*a).Loop();
           }}};
}

}  // namespace aix
