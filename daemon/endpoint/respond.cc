#include "daemon/endpoint/respond.h"

#include "daemon/mcp/jsonrpc.h"

#include "absl/strings/match.h"
#include "daemon/endpoint/anthropic_shapes.h"
#include "daemon/endpoint/openai_shapes.h"

namespace aix::endpoint {

MHD_Result Respond(MHD_Connection* c, int status, const std::string& body, const char* type) {
  MHD_Response* r = MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                                    MHD_RESPMEM_MUST_COPY);
  if (r == nullptr) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  if (status == 401) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
  // A refused peer gets no second try on the same connection.
  if (status == 401 || status == 403) MHD_add_response_header(r, "Connection", "close");
  MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(status), r);
  MHD_destroy_response(r);
  return ok;
}

MHD_Result RespondError(MHD_Connection* c, int status, absl::string_view message,
                        absl::string_view param, absl::string_view code) {
  return Respond(c, status, ErrorJson(status, message, param, code));
}

MHD_Result RespondErrorOn(MHD_Connection* c, absl::string_view path, int status,
                          absl::string_view message, absl::string_view code) {
  if (absl::StartsWith(path, "/v1/messages")) return Respond(c, status, AnthropicErrorJson(status, message));
  if (path == "/mcp") return Respond(c, status, mcp::Error(nullptr, {-32000, std::string(message), nullptr}));
  return RespondError(c, status, message, "", code);
}

}  // namespace aix::endpoint
