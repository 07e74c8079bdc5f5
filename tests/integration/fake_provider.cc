#include "tests/integration/fake_provider.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "tests/integration/harness.h"

namespace aix::testing {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

FakeProvider::FakeProvider(const std::string& dir, bool tls) {
  std::string port_file = dir + "/fake.port";
  std::vector<std::string> argv = {"/usr/bin/python3", Runfile("tests/fakes/fake_provider.py"),
                                   port_file};
  if (tls) {
    std::string certs = dir + "/certs";
    std::string cmd = Runfile("tests/fakes/make_certs.sh") + " " + certs;
    if (std::system(cmd.c_str()) != 0) abort();
    argv.insert(argv.end(), {"--tls", certs + "/server.pem", certs + "/server.key"});
    ca_ = certs + "/ca.pem";
  }
  pid_ = Spawn(argv, {{"PATH", "/usr/bin:/bin"}}, "", "");
  for (int i = 0; i < 500; ++i) {
    std::string port = Sandbox::ReadFile(port_file);
    if (!port.empty()) {
      base_ = std::string(tls ? "https" : "http") + "://127.0.0.1:" + port;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  abort();
}

FakeProvider::~FakeProvider() {
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string FakeProvider::Call(const std::string& method, const std::string& path,
                               const std::string& body) {
  ++control_calls_;
  CURL* c = curl_easy_init();
  std::string out;
  std::string url = base_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  if (!ca_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_.c_str());
  if (method == "POST") curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_perform(c);
  curl_easy_cleanup(c);
  return out;
}

void FakeProvider::Script(const nlohmann::json& responses) {
  Call("POST", "/_control/script", nlohmann::json{{"responses", responses}}.dump());
}

nlohmann::json FakeProvider::Requests() {
  return nlohmann::json::parse(Call("GET", "/_control/requests", ""));
}

int FakeProvider::Connections() {
  auto stats = nlohmann::json::parse(Call("GET", "/_control/stats", ""));
  // Each control call so far opened its own connection, this one included.
  return stats["connections"].get<int>() - control_calls_;
}

int FakeProvider::Abandoned() {
  return nlohmann::json::parse(Call("GET", "/_control/stats", ""))["abandoned"].get<int>();
}

void FakeProvider::Reset() { Call("POST", "/_control/reset", "{}"); control_calls_ = 0; }

}  // namespace aix::testing
