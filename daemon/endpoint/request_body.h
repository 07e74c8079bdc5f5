// RequestBody collects one request's body within two bounds: its own size
// (kMaxBody, the same bound as `aix run`'s standard input) and what every
// connection together may hold at once (BodyBudget), so a neighbour who
// sends many large bodies at once gets 503s, not aixd's memory.
#ifndef AIX_DAEMON_ENDPOINT_REQUEST_BODY_H_
#define AIX_DAEMON_ENDPOINT_REQUEST_BODY_H_

#include <atomic>
#include <cstddef>
#include <string>

namespace aix::endpoint {

class BodyBudget {
 public:
  // One body may be 16 MiB; four such at once are plenty for one user.
  static constexpr size_t kMaxBuffered = 64 << 20;

  // Take reserves `n` bytes; false when the bodies already hold kMaxBuffered.
  bool Take(size_t n);
  void Give(size_t n) { held_.fetch_sub(n); }

 private:
  std::atomic<size_t> held_{0};
};

class RequestBody {
 public:
  static constexpr size_t kMaxBody = 16 << 20;

  explicit RequestBody(BodyBudget* budget) : budget_(budget) {}
  ~RequestBody() { Release(); }

  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;

  // Append takes the next piece; once a bound is hit, the rest is dropped
  // and the bound is reported.
  void Append(const char* data, size_t n);
  bool too_large() const { return too_large_; }
  bool over_budget() const { return over_budget_; }

  // Refusal is the HTTP status a body that hit a bound is refused with
  // (413 too large, 503 over the budget), and `*message` why; 0 when it is
  // whole. Every route that takes a body refuses it in these words.
  int Refusal(std::string* message) const;

  const std::string& text() const { return text_; }

  // Release frees the body and its share of the budget; the memory of a
  // large one goes back to the system. Idempotent.
  void Release();

 private:
  BodyBudget* const budget_;
  std::string text_;
  size_t counted_ = 0;  // bytes of text_ taken from the budget
  bool too_large_ = false;
  bool over_budget_ = false;
};

}  // namespace aix::endpoint

#endif  // AIX_DAEMON_ENDPOINT_REQUEST_BODY_H_
