// ChatExchange answers POST /v1/chat/completions: the body becomes a
// RunService.Run call over aixd's in-process channel, so keys, the pool,
// retries, fallbacks, timeouts, cancellation and the history are exactly
// those of `aix run`; the run's events become the API's answer, whole or
// as server-sent events.
//
// Three parties hold it: MHD (from the request's first call until it
// completes), the streamed response (until MHD frees it) and the gRPC call
// (until OnDone). mu_ guards what they share; MHD_suspend_connection and
// MHD_resume_connection are called under it, so a wake-up is never lost
// and a connection is resumed only while suspended. A connection waiting
// for the provider is suspended, not a blocked thread.
#ifndef AIX_DAEMON_ENDPOINT_CHAT_EXCHANGE_H_
#define AIX_DAEMON_ENDPOINT_CHAT_EXCHANGE_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aix/v1/runs.pb.h"
#include "daemon/endpoint/exchange.h"
#include "daemon/endpoint/live_exchanges.h"
#include "daemon/endpoint/client_api.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/endpoint/request_body.h"
#include "daemon/endpoint/self_calls.h"

namespace aix::endpoint {

// What every chat exchange shares; all outlive the exchanges.
struct ChatParts {
  const SelfCalls* calls = nullptr;
  BodyBudget* budget = nullptr;
  LiveExchanges* live = nullptr;  // counts the runs in flight by door
  const ClientApi* api = nullptr;  // the API this route speaks
};

class ChatExchange final : public Exchange,
                           public grpc::ClientReadReactor<v1::RunEvent>,
                           public std::enable_shared_from_this<ChatExchange> {
 public:
  ChatExchange(const ExchangeStart& start, ChatParts parts)
      : Exchange(start), parts_(parts), body_(parts.budget) {}

  // --- MHD side (its thread) ---
  // Continue takes the body, then starts the run; later calls come after a
  // resume and send what is ready.
  MHD_Result Continue(const char* upload, size_t* upload_size) override;
  void Closed() override;
  // CheckPeer cancels the run when the client of a suspended connection
  // has gone (its socket reads end-of-file or fails).
  void CheckPeer() override;
  // Cancel ends the run because aixd stops or the door closes: the client
  // hears 503 (or an error event), not that it cancelled.
  void Cancel() override;

  // --- gRPC side ---
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // Start begins the run once the body is parsed (or answers its error).
  MHD_Result Start();
  // AnswerOrWait queues the response once it can begin, else suspends.
  MHD_Result AnswerOrWait();
  // StopRun sets `*flag` (closed_ or stopping_, under mu_) and cancels
  // the run if it is in flight.
  void StopRun(bool* flag);
  // ParseAside parses a large body on a thread of its own and suspends the
  // connection until it is done; EndAside ends what it counts as a run.
  MHD_Result ParseAside();
  void EndAside();
  // Read fills `buf` from the stream's pending bytes (the streamed
  // response's content reader).
  ssize_t Read(char* buf, size_t max);

  MHD_Result Fail(int status, absl::string_view message, absl::string_view param = "");
  bool ReadyLocked() const;
  std::string Ending() const;
  MHD_Result RespondLocked();
  void WakeLocked();

  const ChatParts parts_;

  // MHD thread only.
  RequestBody body_;
  // The parsed body: written by the MHD thread, or by ParseAside's thread
  // under mu_ before parse_done_ is set; read by the MHD thread after.
  absl::StatusOr<ChatCall> parsed_ = absl::UnknownError("not parsed");
  std::string param_;
  bool responded_ = false;

  // Set before the call starts, then read-only.
  ChatCall call_;
  grpc::ClientContext context_;
  v1::RunEvent event_;  // the read in flight

  std::mutex mu_;
  std::shared_ptr<ChatExchange> self_;  // guarded by mu_; the gRPC call's reference
  bool suspended_ = false;              // guarded by mu_
  bool closed_ = false;                 // guarded by mu_
  bool gone_ = false;                   // guarded by mu_; the client left
  bool stopping_ = false;               // guarded by mu_; cancelled by aixd
  bool started_ = false;                // guarded by mu_ (written on MHD's thread)
  bool done_ = false;                   // guarded by mu_
  bool read_paused_ = false;            // guarded by mu_
  bool first_chunk_ = true;             // guarded by mu_
  bool stream_started_ = false;         // guarded by mu_
  bool parsing_ = false;                // guarded by mu_; ParseAside's thread started
  bool parse_done_ = false;             // guarded by mu_
  bool aside_open_ = false;             // guarded by mu_; ParseAside counts as a run
  absl::Status final_;                  // guarded by mu_
  v1::RunDone done_event_;              // guarded by mu_
  std::string pending_;                 // guarded by mu_; stream bytes not yet sent
  std::unique_ptr<AnswerWriter> answer_;  // guarded by mu_ once the run starts
  std::string whole_;                   // guarded by mu_; a whole answer's text
  std::vector<v1::ToolCallDelta> calls_;  // guarded by mu_; and its tool calls
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_CHAT_EXCHANGE_H_
