#include "daemon/services/run_service.h"

#include <deque>
#include <memory>
#include <mutex>

#include "common/grpc_status.h"
#include "common/limits.h"
#include "common/status_macros.h"
#include "daemon/config/settings.h"
#include "daemon/runs/conversation.h"
#include "daemon/history/answer_spool.h"
#include "daemon/history/history_writer.h"
#include "daemon/runs/attempt_loop.h"
#include "daemon/runs/prepare.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

// Text queued for a client that reads slower than the provider sends; above
// this the transfer pauses (the provider's TCP window closes), and it
// resumes once half of it is written.
constexpr size_t kMaxQueuedBytes = 64 << 10;

// Largest text event made by joining pieces that wait to be written.
constexpr size_t kMaxJoinedText = 16 << 10;

// QueuedBytes is what an event counts against kMaxQueuedBytes: the
// answer it carries.
size_t QueuedBytes(const v1::RunEvent& ev) {
  return ev.text().size() + ev.tool_call().arguments().size();
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
  void Begin(runs::Prepared prepared, history::HistoryWriter* history, const std::string& spool_dir,
             std::string client, int sent_turns) {
    sent_turns_ = sent_turns;
    run_id_ = prepared.plan_event.plan().run_id();
    conversation_id_ = prepared.plan_event.plan().conversation_id();
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
      queued_bytes_ -= QueuedBytes(queue_.front());
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

  void ToolCall(v1::ToolCallDelta call) override {
    v1::RunEvent ev;
    *ev.mutable_tool_call() = std::move(call);
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
      summary.set_run_id(run_id_);
      summary.set_conversation_id(conversation_id_);
      *ev.mutable_done() = std::move(summary);
      Enqueue(std::move(ev));
      return RequestFinish(status);
    }
    // A provider refusing a continued conversation as too long: say how
    // to go on.
    const std::string hint = sent_turns_ > 0 ? runs::TooLongHint(status.message(), sent_turns_) : "";
    RequestFinish(hint.empty() ? status
                               : absl::Status(status.code(), absl::StrCat(status.message(), hint)));
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
      queued_bytes_ += QueuedBytes(event);
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
  int64_t run_id_ = 0, conversation_id_ = 0;
  int sent_turns_ = 0;  // earlier turns of a continued conversation

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

absl::StatusOr<runs::Earlier> RunServiceImpl::LoadEarlier(const v1::RunRequest& req) {
  if (req.last_turns() < 0) {
    return absl::InvalidArgumentError("last_turns (--last) counts turns: give 1 or more");
  }
  if (req.prompt().empty() && req.messages_size() == 0) {
    return absl::InvalidArgumentError(
        "a follow-up needs something to say: a message, or a saved prompt to run");
  }
  AIX_ASSIGN_OR_RETURN(nlohmann::json doc, config_->Document());
  if (history_ == nullptr || !config::ReadRunSettings(doc).history) {
    return absl::FailedPreconditionError(
        "continuing a conversation needs the run history, which is off; turn it on with: aix "
        "config --set history true");
  }
  // A run that just ended may still wait in the writer's queue.
  history_->Flush();
  absl::StatusOr<history::HistoryStore*> store = history_->db()->Store();
  if (!store.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the run history cannot be used: ", store.status().message()));
  }
  AIX_ASSIGN_OR_RETURN(int64_t conversation,
                       req.conversation_id() != 0 ? (*store)->ConversationOf(req.conversation_id())
                                                  : (*store)->NewestConversation("aix"));
  // Read newest first within the bound, so a conversation of any size
  // costs at most that much memory before it is refused.
  bool over_budget = false;
  AIX_ASSIGN_OR_RETURN(std::vector<history::RunRecord> runs,
                       (*store)->Turns(conversation, req.last_turns(),
                                       runs::kMaxConversationBytes, &over_budget));
  if (over_budget) return runs::TooMuchText(conversation);
  return runs::EarlierTurns(conversation, runs, req.last_turns());
}

grpc::ServerWriteReactor<v1::RunEvent>* RunServiceImpl::Run(grpc::CallbackServerContext* context,
                                                             const v1::RunRequest* request) {
  RunReactor* reactor = RunReactor::Create(transfers_, &active_);
  // Reading the prompt and config (and a continued conversation's turns)
  // is quick local I/O, done before the stream starts.
  absl::StatusOr<runs::Prepared> prepared = absl::UnknownError("not prepared");
  int sent_turns = 0;
  absl::Status checked = Checked(*peers_, context, [&]() -> absl::Status {
    std::optional<runs::Earlier> earlier;
    if (request->conversation_id() != 0 || request->continue_newest()) {
      AIX_ASSIGN_OR_RETURN(earlier, LoadEarlier(*request));
      sent_turns = earlier->sent_turns;
    }
    prepared = runs::Prepare(config_, prompts_, collections_, *request, std::move(earlier));
    if (prepared.ok() && prepared->record && history_ != nullptr) {
      // Known before the run starts, so RunDone can name it; a history
      // that cannot be opened leaves it to the writer (and reports 0).
      absl::StatusOr<history::HistoryStore*> store = history_->db()->Store();
      if (store.ok()) {
        history::RunRecord& h = prepared->history;
        h.id = (*store)->ReserveId();
        v1::RunPlan* plan = prepared->plan_event.mutable_plan();
        plan->set_run_id(h.id);
        plan->set_conversation_id(h.conversation != 0 ? h.conversation : h.id);
      }
    }
    return prepared.status();
  });
  if (!checked.ok()) {
    reactor->Fail(checked);
    return reactor;
  }
  // Who asked, for the history: aix says so in its version header; the
  // HTTP endpoint calls in-process.
  const auto& md = context->client_metadata();
  // The in-process callers are the HTTP endpoint and the MCP server; only
  // they can say which (the header means nothing from outside).
  const bool in_process = peers_->InProcess(*context);
  auto via = md.find(PeerRegistry::kViaHeader);
  const char* client = in_process && via != md.end() && via->second == "mcp" ? "mcp"
                       : in_process                                        ? "http"
                       : md.find(kClientVersionHeader) != md.end()         ? "aix"
                                                                           : "grpc";
  reactor->Begin(*std::move(prepared), history_, config_->storage_dir(), client, sent_turns);
  return reactor;
}

}  // namespace aix
