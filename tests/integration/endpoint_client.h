// Calling aixd's HTTP endpoint from tests as a program would: curl on the
// Unix socket or a loopback URL, and reading what comes back (OpenAI's
// error objects, server-sent events).
#ifndef AIX_TESTS_INTEGRATION_ENDPOINT_CLIENT_H_
#define AIX_TESTS_INTEGRATION_ENDPOINT_CLIENT_H_

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aix::testing {

// HttpResult is one curl call: the HTTP status (0: no answer) and body.
struct HttpResult {
  int status = 0;
  std::string body;
  std::string err;
};

// CurlEndpoint sends `method` to path (under /v1) with a JSON `body` (none
// when empty): on `unix_socket` unless `url` (a loopback base ending in
// /v1) is given. `extra` are more curl arguments (headers).
HttpResult CurlEndpoint(const std::map<std::string, std::string>& env, const std::string& unix_socket,
                        const std::string& method, const std::string& path, const std::string& body,
                        const std::vector<std::string>& extra = {}, const std::string& url = "");

// SseData splits a streamed body into its SSE data payloads.
std::vector<std::string> SseData(const std::string& body);

// StreamText joins the content deltas of a streamed chat completion.
std::string StreamText(const std::string& body);

// ExpectOpenAiError checks an OpenAI error object: the status, its type,
// and that its message says `says`.
void ExpectOpenAiError(const HttpResult& r, int status, const std::string& type,
                       const std::string& says);

}  // namespace aix::testing

#endif  // AIX_TESTS_INTEGRATION_ENDPOINT_CLIENT_H_
