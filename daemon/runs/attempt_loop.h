// AttemptLoop runs a plan's attempts (plan.h) over HTTP transfers until
// one answers or the run ends: per attempt it checks the HTTP status,
// keeps an error body, feeds the SSE parser and the provider's dialect,
// classifies a failure, and retries or falls back (retry.h). It removes
// every key the run may send from what providers say, builds the run's
// history record, and reports to a RunSink: text, notices, and the end.
//
// It knows nothing of gRPC: services/run_service.cc is one sink (a stream
// and its write queue), attempt_loop_test.cc another, driving a fake
// Transfers with no socket at all.
//
// Threads: Start runs on the caller's thread before any transfer; the
// ResponseHandler events, and so every report to the sink, come on the
// transfers' thread (the pool's loop); Cancel and Resume may come from any
// thread. One attempt runs at a time; the next starts from the previous
// one's OnDone.
#ifndef AIX_DAEMON_RUNS_ATTEMPT_LOOP_H_
#define AIX_DAEMON_RUNS_ATTEMPT_LOOP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aix/v1/runs.pb.h"
#include "common/attempts_json.h"
#include "common/redact.h"
#include "daemon/history/answer_spool.h"
#include "daemon/history/history_store.h"
#include "daemon/http/request.h"
#include "daemon/http/sse.h"
#include "daemon/http/transfers.h"
#include "daemon/providers/dialect.h"
#include "daemon/runs/plan.h"
#include "daemon/runs/retry.h"

namespace aix::runs {

// RunSink receives a run's results in order. Text and notices have every
// key removed and are valid UTF-8.
class RunSink {
 public:
  virtual ~RunSink() = default;

  // Ready says whether the sink takes more text now. When it says no, the
  // transfer pauses (the provider's TCP window closes) and the sink must
  // call AttemptLoop::Resume once it has room.
  virtual bool Ready() = 0;
  virtual void Text(std::string text) = 0;
  // ToolCall is a piece of a tool call, in order with the text.
  virtual void ToolCall(v1::ToolCallDelta call) = 0;
  virtual void Notice(std::string message) = 0;
  // Done ends the run, once: OK with the summary, or the error (text sent
  // before it stays sent).
  virtual void Done(const absl::Status& status, v1::RunDone summary) = 0;
  // Hold keeps the sink (and the loop it owns) alive while a transfer
  // runs, or is null when the run is already over and no transfer may
  // start. The loop gives the transfers an aliasing reference to itself.
  virtual std::shared_ptr<void> Hold() = 0;
};

// Recorder takes a finished run's history record, with its answer when
// one was spooled.
using Recorder =
    std::function<void(history::RunRecord record, std::unique_ptr<history::AnswerSpool> answer)>;

class AttemptLoop final : public http::ResponseHandler {
 public:
  // `transfers` and `sink` must outlive the loop.
  AttemptLoop(http::Transfers* transfers, RunSink* sink, Plan plan);
  AttemptLoop(const AttemptLoop&) = delete;
  AttemptLoop& operator=(const AttemptLoop&) = delete;

  // RecordTo hands the finished run to `recorder`, once: `record` holds
  // what was known before the run (prompt, parameters, client), the loop
  // adds the rest. Answers beyond 64 KiB are spooled in `spool_dir`.
  // Before Start.
  void RecordTo(Recorder recorder, history::RunRecord record, const std::string& spool_dir);

  // Start starts the first attempt.
  void Start();

  // Cancel ends the run: the transfer is cancelled, no retry or fallback
  // starts, and the sink hears Done(Cancelled) (unless it already heard
  // Done). Any thread; idempotent.
  void Cancel();

  // Resume continues the transfer after the sink declined text. Any
  // thread.
  void Resume();

  // ResponseHandler: the current attempt's transfer.
  void OnHeaders(const http::ResponseHead& head) override;
  bool OnData(absl::string_view chunk) override;
  void OnDone(absl::Status transport) override;

 private:
  const Attempt& Attempting() const { return plan_.attempts[attempt_]; }
  bool cancelled();
  void StartTransfer(absl::Duration wait);
  void Conclude(absl::Status transport);
  void Succeed();
  void Fail(const absl::Status& status);
  void UpstreamFailed(const absl::Status& status);
  void CancelTransfer();
  void RecordAttempt(const std::string& error);
  void Record(const absl::Status& result);
  void Notify(const std::string& message);
  void SendText(absl::string_view piece);
  void FlushText();
  void QueueText(std::string text);
  void SendToolCall(const providers::ToolCallDelta& call);
  void FlushToolCalls();
  void QueueToolCall(v1::ToolCallDelta call);
  double Uniform();

  http::Transfers* const transfers_;
  RunSink* const sink_;
  const Plan plan_;
  Redactor redactor_;  // set by the constructor, then read-only
  absl::Time started_;

  std::mutex mu_;
  bool cancelled_ = false;  // guarded by mu_
  uint64_t transfer_ = 0;   // guarded by mu_; the current transfer, 0 if none

  // Touched by Start and then only by the transfers' thread (Start
  // happens-before the first transfer's events).
  size_t attempt_ = 0;
  int retry_ = 0;
  absl::Duration waited_;
  Attempts attempts_;
  std::optional<std::mt19937_64> rng_;
  bool text_sent_ = false;
  bool done_ = false;  // the sink heard Done
  http::ResponseHead head_;
  std::string error_body_, whole_body_;
  std::unique_ptr<http::SseParser> parser_;
  providers::Reply reply_;
  StreamRedactor stream_{&redactor_};
  // A tool call's arguments are scrubbed like text, per call.
  std::map<int, StreamRedactor> tool_streams_;
  bool body_started_ = false;
  bool upstream_failed_ = false;
  absl::Time first_token_ = absl::InfinitePast();
  // The run history: set by RecordTo.
  Recorder recorder_;
  history::RunRecord record_;
  std::unique_ptr<history::AnswerSpool> answer_;
  bool recorded_ = false;
  std::vector<v1::ToolCallDelta> calls_;  // the answer's tool calls, joined
};

}  // namespace aix::runs

#endif  // AIX_DAEMON_RUNS_ATTEMPT_LOOP_H_
