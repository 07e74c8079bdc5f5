// Respond and RespondError queue a whole HTTP response on a connection.
// Every route and the door's own refusals answer through these, so a
// refused peer is always told to go (Connection: close) the same way.
#ifndef AIX_DAEMON_ENDPOINT_RESPOND_H_
#define AIX_DAEMON_ENDPOINT_RESPOND_H_

#include <microhttpd.h>

#include <string>

#include "absl/strings/string_view.h"

namespace aix::endpoint {

// Respond queues `body` with `status` (JSON unless `type` says otherwise).
MHD_Result Respond(MHD_Connection* c, int status, const std::string& body,
                   const char* type = "application/json");

// RespondError queues OpenAI's error object (openai_shapes ErrorJson).
MHD_Result RespondError(MHD_Connection* c, int status, absl::string_view message,
                        absl::string_view param = "", absl::string_view code = "");

// RespondErrorOn queues the error object of the API `path` belongs to:
// Anthropic's for /v1/messages, OpenAI's for everything else.
MHD_Result RespondErrorOn(MHD_Connection* c, absl::string_view path, int status,
                          absl::string_view message, absl::string_view code = "");

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_RESPOND_H_
