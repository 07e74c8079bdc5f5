// Session: one MCP session, whichever transport carries it — the stdio
// stream of `aix mcp` (McpService) or Streamable HTTP (POST /mcp). The
// transports only move messages; everything the protocol says lives here:
// the handshake and version negotiation, which methods exist, ping,
// cancellation, progress, logging levels, and the feature handlers
// (prompts.h, tools.h, resources.h), each run on a worker thread of the
// Hub so no transport thread ever waits for the backend.
#ifndef AIX_DAEMON_MCP_SESSION_H_
#define AIX_DAEMON_MCP_SESSION_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/mcp/backend.h"
#include "daemon/mcp/jsonrpc.h"

namespace aix::mcp {

class Hub;

// The protocol revisions served, newest first.
inline constexpr const char* kVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
bool SupportedVersion(absl::string_view version);

// How many requests of one session may be in flight at once.
inline constexpr size_t kMaxInFlight = 32;

// Outbox: a transport's channel to the client for messages no request
// asked for (list_changed). Thread-safe.
class Outbox {
 public:
  virtual ~Outbox() = default;
  virtual void Send(std::string message) = 0;
};

// Reply: where everything about one received message goes — its
// notifications (progress, logs) and finally its response. Send(…, true)
// comes exactly once, last; its message is empty when nothing answers
// (a notification, a cancelled request). Thread-safe.
class Reply {
 public:
  virtual ~Reply() = default;
  virtual void Send(std::string message, bool last) = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `unsolicited` may be null (a transport that cannot push).
  Session(Hub* hub, std::shared_ptr<Outbox> unsolicited)
      : hub_(hub), unsolicited_(std::move(unsolicited)), last_used_(absl::Now()) {}

  // Receive takes one message from the client; it never blocks on the
  // backend.
  void Receive(absl::string_view text, std::shared_ptr<Reply> reply);
  // Take is Receive for a message the transport has already parsed.
  void Take(ParseResult parsed, std::shared_ptr<Reply> reply);

  // CancelRequest cancels the request with this id, as
  // notifications/cancelled does (a transport whose client left).
  void CancelRequest(const Json& id);

  // Close cancels every request in flight; later messages are refused.
  void Close();

  // PromptsChanged tells a client that can hear it that the library
  // changed (notifications/prompts/list_changed and resources').
  void PromptsChanged();

  bool initialized() const;
  bool can_push() const { return unsolicited_ != nullptr; }
  std::string version() const;
  absl::Time last_used() const;

 private:
  std::string Initialize(const Message& m);
  void Dispatch(const Message& m, std::shared_ptr<Reply> reply);
  std::string SetLevel(const Message& m);

  Hub* const hub_;
  const std::shared_ptr<Outbox> unsolicited_;

  mutable std::mutex mu_;
  bool initialized_ = false;                    // guarded by mu_
  bool closed_ = false;                         // guarded by mu_
  std::string version_;                         // guarded by mu_
  int log_level_ = 3;                           // guarded by mu_; index in kLevels ("warning")
  absl::Time last_used_;                        // guarded by mu_
  std::map<std::string, std::shared_ptr<CallControl>> in_flight_;  // guarded by mu_; by IdKey
};

}  // namespace aix::mcp

#endif  // AIX_DAEMON_MCP_SESSION_H_
