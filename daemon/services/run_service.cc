#include "daemon/services/run_service.h"

#include <algorithm>

#include <deque>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/grpc_status.h"
#include "common/limits.h"
#include "common/mask.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/history/answer_spool.h"
#include "daemon/history/history_writer.h"
#include "daemon/runs/attempt_loop.h"
#include "daemon/runs/plan.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

using Json = nlohmann::json;

// Text queued for a client that reads slower than the provider sends; above
// this the transfer pauses (the provider's TCP window closes), and it
// resumes once half of it is written.
constexpr size_t kMaxQueuedBytes = 64 << 10;

// Largest text event made by joining pieces that wait to be written.
constexpr size_t kMaxJoinedText = 16 << 10;

runs::RunInputs InputsOf(const v1::RunRequest& req) {
  runs::RunInputs in;
  in.params.insert(req.params().begin(), req.params().end());
  if (req.has_stdin_input()) in.stdin_input = req.stdin_input();
  in.provider = req.provider();
  in.model = req.model();
  if (req.has_system()) in.system = req.system();
  if (req.has_max_tokens()) in.max_tokens = req.max_tokens();
  if (req.has_temperature()) in.temperature = req.temperature();
  in.no_stream = req.no_stream();
  if (req.has_max_retries()) in.max_retries = req.max_retries();
  in.fallback.assign(req.fallback().begin(), req.fallback().end());
  in.env_keys.insert(req.api_keys().begin(), req.api_keys().end());
  in.command_outputs.assign(req.command_outputs().begin(), req.command_outputs().end());
  in.commands_as_text = req.commands_as_text();
  for (const v1::ChatMessage& m : req.messages()) in.messages.push_back({m.role(), m.content()});
  return in;
}

// Prepared is a run ready to go: the plan event for the client and, for
// EXECUTE, the plan of attempts.
struct Prepared {
  v1::RunEvent plan_event;
  v1::RunRequest::Mode mode = v1::RunRequest::EXECUTE;
  runs::Plan plan;
  // record: the run goes into the run history; `history` has what is known
  // before it starts.
  bool record = false;
  history::RunRecord history;
};

// KeptForHistory is what the history keeps of an input: the first
// kHistoryTextBytes (cut at a character boundary), marked when cut.
std::string KeptForHistory(absl::string_view text) {
  if (text.size() <= kHistoryTextBytes) return std::string(text);
  size_t end = kHistoryTextBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), kHistoryCutMark);
}

// Transcript is a conversation as the history shows it: the one message,
// or every turn under its role.
std::string Transcript(const std::vector<providers::Turn>& turns) {
  if (turns.size() == 1) return turns[0].content;
  std::vector<std::string> parts;
  for (const providers::Turn& t : turns) parts.push_back(absl::StrCat("[", t.role, "]\n", t.content));
  return absl::StrJoin(parts, "\n\n");
}

absl::StatusOr<Prepared> Prepare(config::ConfigStore* config, prompts::PromptStore* prompts,
                                 const prompts::CollectionStore* collections,
                                 const v1::RunRequest& req) {
  AIX_ASSIGN_OR_RETURN(Json doc, config->Document());
  const bool conversation = req.prompt().empty() && req.messages_size() > 0;
  if (!req.prompt().empty() && req.messages_size() > 0) {
    return absl::InvalidArgumentError(
        "a run sends either a saved prompt or messages, not both; leave prompt empty");
  }
  prompts::Prompt prompt;
  if (!conversation) {
    AIX_ASSIGN_OR_RETURN(prompt, prompts->Get(req.prompt()));
  }
  // A collection's system prompt goes with its prompts' runs unless the
  // prompt (or --system, in MakePlan) sets one.
  std::vector<std::string> notes;
  if (!conversation && !prompt.system) {
    std::string from;
    if (std::optional<std::string> system = collections->SystemFor(prompt.name, &from)) {
      prompt.system = system;
    }
  }
  std::optional<std::string> loaded;
  if (!conversation) loaded = collections->Loaded();
  if (loaded) {
    auto c = collections->Get(*loaded);
    if (c.ok() && std::find(c->prompts.begin(), c->prompts.end(), prompt.name) == c->prompts.end()) {
      notes.push_back(absl::StrCat("prompt ", prompt.name, " is not in the loaded collection ",
                                   *loaded, " (add it: aix collection add ", prompt.name,
                                   "; or: aix collection unload)"));
    }
  }
  for (const std::string& item : req.fallback()) {
    AIX_RETURN_IF_ERROR(config::CheckProviderSpec(item));
  }
  // An imported prompt's own provider and fallbacks are where the user's
  // input would go: used only once the user trusted them, like commands.
  const bool own_destination =
      (prompt.provider && req.provider().empty()) || (!prompt.fallback.empty() && req.fallback().empty());
  if (!conversation && req.mode() == v1::RunRequest::EXECUTE && own_destination &&
      !prompts::DestinationTrusted(prompt)) {
    std::vector<std::string> where;
    if (prompt.provider) where.push_back(*prompt.provider);
    for (const std::string& f : prompt.fallback) where.push_back(f);
    return absl::FailedPreconditionError(absl::StrCat(
        "prompt ", prompt.name, " came from ", prompt.origin.value_or("an import"),
        " and chooses where your input goes: ", absl::StrJoin(where, ", "),
        ". Nothing was sent. Look at it (aix show ", prompt.name, "), then trust it: aix trust ",
        prompt.name, "; or choose yourself: --provider NAME (and --fallback)"));
  }
  // Only a run that sends needs a key: a dry run says which one it would
  // use, or how to store one.
  const bool execute = req.mode() == v1::RunRequest::EXECUTE;
  AIX_ASSIGN_OR_RETURN(runs::Plan plan, runs::MakePlan(doc, prompt, InputsOf(req), execute));
  Prepared out;
  out.mode = req.mode();
  const runs::Attempt& first = plan.attempts.front();
  v1::RunPlan* p = out.plan_event.mutable_plan();
  p->set_provider(first.endpoint.provider);
  p->set_model(first.model);
  p->set_url(MaskUrl(first.endpoint.chat_url));
  if (req.mode() != v1::RunRequest::EXECUTE) p->set_rendered_prompt(plan.rendered);
  p->set_system(plan.chat.system);
  p->set_max_tokens(plan.chat.max_tokens);
  p->set_temperature(plan.chat.temperature);
  p->set_key_source(first.key.source);
  p->set_masked_key(first.key.key.empty() ? "" : MaskSecret(first.key.key));
  for (const auto& w : plan.warnings) p->add_warnings(w);
  for (const auto& w : notes) p->add_warnings(w);
  for (size_t i = 1; i < plan.attempts.size(); ++i) {
    p->add_fallbacks(absl::StrCat(plan.attempts[i].endpoint.provider, "/", plan.attempts[i].model));
  }
  p->set_max_retries(static_cast<int32_t>(plan.max_retries));
  p->set_key_fix(plan.key_fix);
  out.record = execute && !req.no_history() && config::ReadRunSettings(doc).history;
  if (out.record) {
    history::RunRecord& h = out.history;
    h.prompt = prompt.name;
    for (const auto& [k, v] : req.params()) h.params[k] = KeptForHistory(v);
    if (req.has_stdin_input() && h.params.count("input") == 0) {
      h.params["input"] = KeptForHistory(req.stdin_input());
    }
    h.rendered = KeptForHistory(conversation ? Transcript(plan.chat.turns) : plan.rendered);
    h.system = KeptForHistory(plan.chat.system);
  }
  out.plan = std::move(plan);
  return out;
}

// RunReactor streams one run: the plan event, then what its AttemptLoop
// reports (runs/attempt_loop.h) as gRPC writes. Its events come from two
// sides: gRPC (OnWriteDone, OnCancel, OnDone, on gRPC's threads) and the
// loop (Ready, Text, Notice, Done, on the pool's loop thread). Shared state
// is guarded by mu_; gRPC's Start*/Finish and the loop's calls are made
// after releasing it. At most one write is in flight; pieces that arrive
// meanwhile queue up in order, and past kMaxQueuedBytes the transfer is
// paused. The object lives until both gRPC and the pool are done with it
// (self_ holds gRPC's reference; the pool holds one through Hold).
class RunReactor : public grpc::ServerWriteReactor<v1::RunEvent>, public runs::RunSink {
 public:
  static RunReactor* Create(http::Transfers* transfers, RunCount* active) {
    auto r = std::shared_ptr<RunReactor>(new RunReactor(transfers, active));
    r->self_ = r;
    return r.get();
  }

  ~RunReactor() override { active_->Leave(); }

  // Fail ends the call before anything was sent.
  void Fail(const absl::Status& status) { RequestFinish(status); }

  // Begin sends the plan and, for EXECUTE, starts the first attempt.
  void Begin(Prepared prepared, history::HistoryWriter* history, const std::string& spool_dir,
             std::string client) {
    if (prepared.mode == v1::RunRequest::EXECUTE) {
      // Made before the first write: once one is in flight, gRPC may call
      // OnCancel or OnWriteDone, which use the loop.
      loop_ = std::make_unique<runs::AttemptLoop>(transfers_, this, std::move(prepared.plan));
      if (prepared.record && history != nullptr) {
        prepared.history.client = std::move(client);
        loop_->RecordTo(
            [history](history::RunRecord r, std::unique_ptr<history::AnswerSpool> answer) {
              history->Submit(std::move(r), std::move(answer));
            },
            std::move(prepared.history), spool_dir);
      }
    }
    Enqueue(std::move(prepared.plan_event));
    if (loop_ == nullptr) return RequestFinish(absl::OkStatus());
    loop_->Start();
  }

  // --- gRPC side ---
  void OnWriteDone(bool ok) override {
    const v1::RunEvent* next = nullptr;
    bool finish = false, resume = false;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queued_bytes_ -= queue_.front().text().size();
      queue_.pop_front();
      writing_ = false;
      if (!ok) {
        // The client is gone; stop the upstream request too.
        queue_.clear();
        queued_bytes_ = 0;
        cancelled_ = true;
        if (!finish_requested_) {
          finish_requested_ = true;
          final_ = absl::CancelledError("the client went away");
        }
      } else if (paused_ && queued_bytes_ <= kMaxQueuedBytes / 2) {
        paused_ = false;
        resume = true;
      }
      next = NextWriteLocked(&finish, &status);
    }
    if (!ok && loop_ != nullptr) loop_->Cancel();
    if (resume && loop_ != nullptr) loop_->Resume();
    Act(next, finish, status);
  }

  void OnCancel() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    if (loop_ != nullptr) loop_->Cancel();
    RequestFinish(absl::CancelledError("cancelled by the client"));
  }

  void OnDone() override {
    std::shared_ptr<RunReactor> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      drop = std::move(self_);
    }
    // `drop` releases gRPC's reference; the pool may still hold its own.
  }

  // --- the attempt loop's side (pool loop thread) ---
  bool Ready() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (queued_bytes_ > kMaxQueuedBytes && !finish_requested_) {
      paused_ = true;
      return false;
    }
    return true;
  }

  void Text(std::string text) override {
    v1::RunEvent ev;
    ev.set_text(std::move(text));
    Enqueue(std::move(ev));
  }

  void Notice(std::string message) override {
    v1::RunEvent ev;
    ev.mutable_notice()->set_message(std::move(message));
    Enqueue(std::move(ev));
  }

  void Done(const absl::Status& status, v1::RunDone summary) override {
    if (status.ok()) {
      v1::RunEvent ev;
      *ev.mutable_done() = std::move(summary);
      Enqueue(std::move(ev));
    }
    RequestFinish(status);
  }

  std::shared_ptr<void> Hold() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return nullptr;
    return self_;
  }

 private:
  RunReactor(http::Transfers* transfers, RunCount* active)
      : transfers_(transfers), active_(active) {
    active_->Enter();
  }

  void Enqueue(v1::RunEvent event) {
    const v1::RunEvent* next = nullptr;
    bool finish = false;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finish_requested_ || cancelled_) return;
      queued_bytes_ += event.text().size();
      // Text that arrives while earlier text waits to be written joins it:
      // one gRPC message (one syscall, one wake-up of the client) instead
      // of one per provider event. The client sees the same text.
      const size_t waiting = queue_.size() - (writing_ ? 1 : 0);
      if (event.has_text() && waiting > 0 && queue_.back().has_text() &&
          queue_.back().text().size() + event.text().size() <= kMaxJoinedText) {
        queue_.back().mutable_text()->append(event.text());
        return;
      }
      queue_.push_back(std::move(event));
      next = NextWriteLocked(&finish, &status);
    }
    Act(next, finish, status);
  }

  // RequestFinish ends the call once every queued piece is written: text
  // sent before an error stays delivered.
  void RequestFinish(const absl::Status& status) {
    const v1::RunEvent* next = nullptr;
    bool finish = false;
    grpc::Status grpc_status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finish_requested_) return;
      finish_requested_ = true;
      final_ = status;
      next = NextWriteLocked(&finish, &grpc_status);
    }
    Act(next, finish, grpc_status);
  }

  // NextWriteLocked decides the next gRPC action: a write if none is in
  // flight and one is queued, else Finish if it was requested.
  const v1::RunEvent* NextWriteLocked(bool* finish, grpc::Status* status) {
    if (writing_ || finished_) return nullptr;
    if (!queue_.empty()) {
      writing_ = true;
      return &queue_.front();  // stays valid: deque keeps elements in place
    }
    if (finish_requested_) {
      finished_ = true;
      *finish = true;
      *status = ToGrpcStatus(final_);
    }
    return nullptr;
  }

  void Act(const v1::RunEvent* next, bool finish, const grpc::Status& status) {
    if (next != nullptr) StartWrite(next);
    if (finish) Finish(status);
  }

  http::Transfers* const transfers_;
  RunCount* const active_;
  // Set by Begin before the first write, then read-only.
  std::unique_ptr<runs::AttemptLoop> loop_;

  std::mutex mu_;
  std::shared_ptr<RunReactor> self_;  // guarded by mu_; gRPC's reference
  std::deque<v1::RunEvent> queue_;    // guarded by mu_; front is in flight
  size_t queued_bytes_ = 0;           // guarded by mu_; text bytes in queue_
  bool paused_ = false;               // guarded by mu_; the transfer waits for Resume
  bool writing_ = false;              // guarded by mu_
  bool finish_requested_ = false;     // guarded by mu_
  bool finished_ = false;             // guarded by mu_
  bool cancelled_ = false;            // guarded by mu_
  absl::Status final_;                // guarded by mu_
};

}  // namespace

grpc::ServerWriteReactor<v1::RunEvent>* RunServiceImpl::Run(grpc::CallbackServerContext* context,
                                                             const v1::RunRequest* request) {
  RunReactor* reactor = RunReactor::Create(transfers_, &active_);
  // Reading the prompt and config is quick local I/O, done before the
  // stream starts.
  absl::StatusOr<Prepared> prepared = absl::UnknownError("not prepared");
  absl::Status checked = Checked(*peers_, context, [&] {
    prepared = Prepare(config_, prompts_, collections_, *request);
    return prepared.status();
  });
  if (!checked.ok()) {
    reactor->Fail(checked);
    return reactor;
  }
  // Who asked, for the history: aix says so in its version header; the
  // HTTP endpoint calls in-process.
  const auto& md = context->client_metadata();
  const char* client = peers_->InProcess(*context)                  ? "http"
                       : md.find(kClientVersionHeader) != md.end() ? "aix"
                                                                   : "grpc";
  reactor->Begin(*std::move(prepared), history_, config_->storage_dir(), client);
  return reactor;
}

}  // namespace aix
