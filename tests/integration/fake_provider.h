// FakeProvider runs tests/fakes/fake_provider.py on 127.0.0.1 for one test
// (HTTP, or HTTPS with a CA made for the test) and talks to its control API.
#ifndef AIX_TESTS_INTEGRATION_FAKE_PROVIDER_H_
#define AIX_TESTS_INTEGRATION_FAKE_PROVIDER_H_

#include <sys/types.h>

#include <string>

#include <nlohmann/json.hpp>

namespace aix::testing {

class FakeProvider {
 public:
  // `dir` holds the port file (and certificates for TLS).
  FakeProvider(const std::string& dir, bool tls = false);
  ~FakeProvider();
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  // base is "http(s)://127.0.0.1:PORT".
  const std::string& base() const { return base_; }
  // ca is the CA certificate file to trust (TLS only).
  const std::string& ca() const { return ca_; }

  // Script queues responses (see fake_provider.py for the fields).
  void Script(const nlohmann::json& responses);
  // Requests returns every recorded request.
  nlohmann::json Requests();
  // Connections counts TCP connections accepted, control calls excluded.
  int Connections();
  // Abandoned counts streams the client closed before the end.
  int Abandoned();
  void Reset();

 private:
  std::string Call(const std::string& method, const std::string& path, const std::string& body);

  std::string base_, ca_;
  pid_t pid_ = 0;
  int control_calls_ = 0;
};

}  // namespace aix::testing

#endif  // AIX_TESTS_INTEGRATION_FAKE_PROVIDER_H_
