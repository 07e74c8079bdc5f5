// Dialect: one provider wire format. It builds the HTTP request for a chat
// and turns what comes back (streamed events, or one whole body) into text,
// usage and errors.
//
// Everything a Dialect reads is untrusted: any field may be missing, null
// or of the wrong type. A Dialect never throws; what it cannot understand
// becomes an Aborted status whose message says what was wrong, and the run
// ends with it while every other run goes on.
#ifndef AIX_DAEMON_PROVIDERS_DIALECT_H_
#define AIX_DAEMON_PROVIDERS_DIALECT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/http/request.h"
#include "daemon/http/sse.h"
#include "daemon/providers/provider.h"

namespace aix::providers {

class Dialect {
 public:
  virtual ~Dialect() = default;

  // BuildRequest returns the HTTP request for `chat` to `endpoint`; `key`
  // may be empty for providers without auth. InvalidArgument, naming the
  // field and the provider, for a request this provider's API cannot
  // express (nothing is dropped silently).
  virtual absl::StatusOr<http::HttpRequest> BuildRequest(const Endpoint& endpoint,
                                                         const ChatRequest& chat,
                                                         const std::string& key) const = 0;

  // Accepts is OK when BuildRequest can express `chat`, else its error;
  // cheaper than building the request.
  virtual absl::Status Accepts(const ChatRequest& chat) const {
    (void)chat;
    return absl::OkStatus();
  }

  // StartReply is the state a reply to `chat` begins with.
  virtual Reply StartReply(const ChatRequest& chat) const {
    (void)chat;
    return Reply();
  }

  // OnEvent interprets one streamed event: new answer text and tool-call
  // pieces go to `delta` only (reply->text stays as it was: a stream's
  // text is the caller's to pass on or keep, and a stalled reader must not
  // make the dialect hold a whole answer); usage, finish reason and
  // completion are recorded in `reply`. An error the provider reports
  // inside the stream, or an event that cannot be understood, is Aborted.
  virtual absl::Status OnEvent(const http::SseEvent& event, Reply* reply, Delta* delta) const = 0;

  // OnBody interprets a complete (non-streamed) reply body: its text in
  // reply->text, its tool calls in reply->tool_calls.
  virtual absl::Status OnBody(absl::string_view body, Reply* reply) const = 0;
};

// DialectFor returns the dialect of a wire format (a static instance).
const Dialect& DialectFor(Wire wire);

}  // namespace aix::providers

#endif  // AIX_DAEMON_PROVIDERS_DIALECT_H_
