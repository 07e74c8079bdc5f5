// McpExchange answers POST and DELETE /mcp: MCP's Streamable HTTP
// transport in front of the same mcp::Session the stdio transport uses.
// A POST carries one JSON-RPC message: a notification or response is
// answered 202; a request is answered with its JSON-RPC response as
// application/json once the session's worker has it (the connection is
// suspended meanwhile, not a thread). Sessions are named by the
// Mcp-Session-Id header the initialize response gives; DELETE ends one.
//
// Transport checks, before anything reaches the session: a foreign Origin
// (or, on the loopback port, Host) is 403; an Accept without both JSON and
// event streams is 406; a body that is not JSON is 415; a missing session
// id is 400, an unknown one 404; an unknown MCP-Protocol-Version is 400.
// GET (a server-to-client stream) is not offered: 405, which the spec
// allows; list_changed reaches stdio sessions only.
#ifndef AIX_DAEMON_ENDPOINT_MCP_EXCHANGE_H_
#define AIX_DAEMON_ENDPOINT_MCP_EXCHANGE_H_

#include <memory>
#include <mutex>
#include <string>

#include "daemon/endpoint/exchange.h"
#include "daemon/endpoint/request_body.h"
#include "daemon/mcp/hub.h"
#include "daemon/mcp/jsonrpc.h"

namespace aix::endpoint {

class McpExchange final : public Exchange, public std::enable_shared_from_this<McpExchange> {
 public:
  McpExchange(const ExchangeStart& start, mcp::Hub* hub, BodyBudget* budget, bool del)
      : Exchange(start), hub_(hub), body_(budget), delete_(del) {}

  MHD_Result Continue(const char* upload, size_t* upload_size) override;
  void Closed() override;
  void CheckPeer() override;

  // Answer is the session's response to the request (empty: none came).
  void Answer(std::string message);

 private:
  MHD_Result Start();
  // AnswerOrWait queues the answer once the session gave it, else suspends.
  MHD_Result AnswerOrWait();
  MHD_Result Refuse(int status, const std::string& message, int code = -32000);
  MHD_Result RespondLocked();
  void Forget();

  mcp::Hub* const hub_;
  RequestBody body_;   // MHD thread only
  const bool delete_;  // DELETE /mcp
  bool started_ = false;  // MHD thread only

  std::mutex mu_;
  std::shared_ptr<mcp::Session> session_;  // guarded by mu_ (set before the request goes in)
  mcp::Json id_;                           // guarded by mu_; the request's id
  bool waiting_ = false;                   // guarded by mu_; a request is in the session
  bool answered_ = false;                  // guarded by mu_
  bool suspended_ = false;                 // guarded by mu_
  bool closed_ = false;                    // guarded by mu_
  bool keep_ = false;                      // guarded by mu_; initialize: give the session an id
  std::string answer_;                     // guarded by mu_
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_MCP_EXCHANGE_H_
