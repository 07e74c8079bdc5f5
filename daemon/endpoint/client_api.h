// ClientApi: one HTTP API that clients speak to aixd for a chat — OpenAI's
// chat completions (openai_shapes.h), Anthropic's Messages
// (anthropic_shapes.h) or aix's own (aix_run_api.h). Each reads its
// request into a RunRequest (the one run path behind every door) and writes the run's events back in its own
// shapes: a whole answer, stream events, errors. ChatExchange drives
// either without knowing which.
//
// Pure: no I/O. Everything a request carries is untrusted.
#ifndef AIX_DAEMON_ENDPOINT_CLIENT_API_H_
#define AIX_DAEMON_ENDPOINT_CLIENT_API_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "aix/v1/runs.pb.h"

namespace aix::endpoint {

// ChatCall is a parsed chat request.
struct ChatCall {
  v1::RunRequest run;
  bool stream = false;
  bool include_usage = false;  // OpenAI's stream_options.include_usage
  std::string model;           // as the client wrote it; echoed in replies
};

// AnswerWriter writes one answer as its API shapes it; it keeps what a
// stream needs between events (ids, which block is open).
class AnswerWriter {
 public:
  virtual ~AnswerWriter() = default;

  // Stream events (server-sent events text) for a piece of text, a piece
  // of a tool call, the successful end, and an error after the stream
  // began.
  virtual std::string Text(absl::string_view text) = 0;
  virtual std::string ToolCall(const v1::ToolCallDelta& piece) = 0;
  virtual std::string End(const v1::RunDone& done) = 0;
  virtual std::string StreamError(int http_status, absl::string_view message) = 0;
  // Notice is a stream event for what the run is doing besides answering
  // (a retry, a fallback); "" where the API has no such event.
  virtual std::string Notice(absl::string_view /*message*/) { return ""; }

  // Whole is a complete answer's body: its text and its tool calls
  // (joined: one entry per call).
  virtual std::string Whole(absl::string_view text, const std::vector<v1::ToolCallDelta>& calls,
                            const v1::RunDone& done) = 0;
};

class ClientApi {
 public:
  virtual ~ClientApi() = default;

  // Parse reads a request body; InvalidArgument names the offending field
  // in `param`.
  virtual absl::StatusOr<ChatCall> Parse(absl::string_view body, std::string* param) const = 0;

  // ErrorBody is this API's error object for an HTTP status.
  virtual std::string ErrorBody(int http_status, absl::string_view message,
                                absl::string_view param) const = 0;

  // NewAnswer starts the answer to `call`.
  virtual std::unique_ptr<AnswerWriter> NewAnswer(const ChatCall& call) const = 0;
};

// The APIs (static instances). AixRunApi is aix's own, for its web page:
// a RunRequest in JSON, and the run's events back as JSON server-sent
// events (aix_run_api.h).
const ClientApi& OpenAiChatApi();
const ClientApi& AnthropicMessagesApi();
const ClientApi& AixRunApi();

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_CLIENT_API_H_
