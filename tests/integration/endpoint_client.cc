#include "tests/integration/endpoint_client.h"

#include <unistd.h>

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace aix::testing {

using Json = nlohmann::json;

HttpResult CurlEndpoint(const std::map<std::string, std::string>& env, const std::string& unix_socket,
                        const std::string& method, const std::string& path, const std::string& body,
                        const std::vector<std::string>& extra, const std::string& url) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-N", "-o", "-", "-w", "\n%{http_code}",
                                   "-X", method};
  if (url.empty()) argv.insert(argv.end(), {"--unix-socket", unix_socket});
  // A large body goes through a file: an argument is limited to 128 KiB.
  std::string file;
  if (body.size() > (64 << 10)) {
    const char* tmp = std::getenv("TEST_TMPDIR");
    file = std::string(tmp ? tmp : "/tmp") + "/curl-body-XXXXXX";
    int fd = mkstemp(file.data());
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
    close(fd);
  }
  if (!body.empty()) {
    argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary",
                             file.empty() ? body : "@" + file});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back((url.empty() ? std::string("http://localhost/v1") : url) + path);
  Result r = RunProcess(argv, env, "", 60);
  if (!file.empty()) unlink(file.c_str());
  HttpResult out;
  out.err = r.err;
  size_t nl = r.out.rfind('\n');
  if (nl != std::string::npos) {
    out.status = std::atoi(r.out.c_str() + nl + 1);
    out.body = r.out.substr(0, nl);
  }
  return out;
}

std::vector<std::string> SseData(const std::string& body) {
  std::vector<std::string> out;
  size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    size_t end = body.find("\n\n", at);
    out.push_back(body.substr(at + 6, end == std::string::npos ? std::string::npos : end - at - 6));
    at = end == std::string::npos ? body.size() : end;
  }
  return out;
}

std::string StreamText(const std::string& body) {
  std::string text;
  for (const std::string& e : SseData(body)) {
    if (e == "[DONE]") continue;
    Json j = Json::parse(e, nullptr, false);
    if (j.is_discarded() || !j.contains("choices") || j["choices"].empty()) continue;
    const Json& delta = j["choices"][0]["delta"];
    if (delta.contains("content") && delta["content"].is_string()) text += delta["content"].get<std::string>();
  }
  return text;
}

void ExpectOpenAiError(const HttpResult& r, int status, const std::string& type, const std::string& says) {
  EXPECT_EQ(r.status, status) << r.body << r.err;
  Json j = Json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  ASSERT_TRUE(j.contains("error")) << r.body;
  EXPECT_EQ(j["error"]["type"], type) << r.body;
  EXPECT_THAT(j["error"]["message"].get<std::string>(), ::testing::HasSubstr(says));
  EXPECT_TRUE(j["error"].contains("param") && j["error"].contains("code")) << r.body;
}

}  // namespace aix::testing
