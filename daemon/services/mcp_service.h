// McpService (aix.v1): the stdio transport of aixd's MCP server. `aix mcp`
// turns its stdin and stdout into this stream; each stream is one
// mcp::Session. A client that stops reading its answers stops the stream
// (aixd stops reading its requests once 4 MiB wait to be sent), so a flood
// costs bounded memory.
#ifndef AIX_DAEMON_SERVICES_MCP_SERVICE_H_
#define AIX_DAEMON_SERVICES_MCP_SERVICE_H_

#include "aix/v1/mcp.grpc.pb.h"
#include "daemon/mcp/hub.h"
#include "daemon/server/peer_registry.h"

namespace aix {

class McpServiceImpl final : public v1::McpService::CallbackService {
 public:
  // Both must outlive the service.
  McpServiceImpl(mcp::Hub* hub, const PeerRegistry* peers) : hub_(hub), peers_(peers) {}

  grpc::ServerBidiReactor<v1::McpMessage, v1::McpMessage>* Session(
      grpc::CallbackServerContext* context) override;

 private:
  mcp::Hub* hub_;
  const PeerRegistry* peers_;
};

}  // namespace aix

#endif  // AIX_DAEMON_SERVICES_MCP_SERVICE_H_
