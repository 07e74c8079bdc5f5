// AixRunApi: aix's own run API over HTTP, for its web page (POST
// /ui/api/run). The request is a RunRequest in protobuf's JSON mapping; the
// answer is always a stream of server-sent events, one JSON object each:
//   {"notice": "..."}      a retry, a fallback
//   {"text": "..."}        the next piece of the answer
//   {"done": {RunDone}}    the end: usage, run_id, conversation_id
//   {"error": {"status", "message"}}  the run failed after it began
// A run that fails before its first event is a plain HTTP error instead.
//
// Template commands are never run from the page: they stay in the prompt
// as written (as for MCP), since a browser tab is not a terminal where the
// user sees and approves them.
#ifndef AIX_DAEMON_ENDPOINT_AIX_RUN_API_H_
#define AIX_DAEMON_ENDPOINT_AIX_RUN_API_H_

#include "daemon/endpoint/client_api.h"

#endif  // AIX_DAEMON_ENDPOINT_AIX_RUN_API_H_
