#include "daemon/endpoint/http_endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <malloc.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <grpcpp/client_context.h>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "aix/v1/prompts.grpc.pb.h"
#include "aix/v1/providers.grpc.pb.h"
#include "aix/v1/runs.grpc.pb.h"
#include "common/files.h"
#include "common/grpc_status.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/server/log.h"
#include "daemon/server/peer_registry.h"
#include "daemon/services/run_count.h"

namespace aix::endpoint {
namespace {

// A request body larger than this is refused (413): the same bound as
// `aix run`'s standard input.
constexpr size_t kMaxBody = 16 << 20;

// Stream bytes waiting for a slow HTTP client; above this aixd stops
// reading the run, and gRPC's flow control then pauses the provider.
constexpr size_t kMaxPending = 64 << 10;

// Descriptors the HTTP doors never take: gRPC clients (aix itself),
// provider connections, the history and prompt files. A neighbour who fills
// the loopback port must not leave aixd without descriptors for its owner.
constexpr rlim_t kReservedDescriptors = 256;

// Bytes of request bodies held at once by every connection together: one
// body may be 16 MiB, four such at once are plenty for one user.
constexpr size_t kMaxBufferedBodies = 64 << 20;

// A body at least this large was parsed: its memory goes back to the
// system once the request is taken apart.
constexpr size_t kTrimAfterBody = 1 << 20;

// A body at least this large is parsed off the door's thread (a 16 MiB
// body takes a parser a good fraction of a second).
constexpr size_t kParseAside = 1 << 20;

// How long a connection may take to send its request line and headers.
// Clients send them at once; a peer that dribbles them (a header line every
// few seconds keeps MHD's idle timeout from firing) holds a descriptor for
// nothing, so the watcher cuts it off.
constexpr absl::Duration kHeaderDeadline = absl::Seconds(10);

// ConnectionLimit is how many connections a door takes at once: a share of
// the descriptors left after kReservedDescriptors (the loopback port, which
// other users can reach, a smaller one), well above 1,000 concurrent
// streams on the socket when descriptors allow.
unsigned ConnectionLimit(bool tcp) {
  rlimit rl{};
  rlim_t soft = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
  if (soft == RLIM_INFINITY) soft = 1 << 20;
  const rlim_t spare = soft > kReservedDescriptors + 64 ? soft - kReservedDescriptors : 64;
  const rlim_t share = tcp ? spare / 4 : spare / 2;
  const rlim_t most = tcp ? 1024 : 4096;
  return static_cast<unsigned>(std::max<rlim_t>(8, std::min(share, most)));
}

// Memory per connection for the request line, headers and buffers (MHD's
// default is 32 KiB). Bodies pass through in pieces, so this bounds
// headers only: 16 KiB is eight times what an SDK sends, and halves what
// a thousand open streams cost.
constexpr size_t kConnectionMemory = 16 << 10;

// Seconds an idle or stuck HTTP connection is kept. A connection waiting
// for the provider is suspended, and suspended connections do not time
// out (the run's own timeouts bound them).
constexpr unsigned kConnectionTimeout = 120;

// How often connections that wait for the provider are checked for a
// client that went away (MHD does not watch suspended sockets).
constexpr absl::Duration kPeerCheck = absl::Milliseconds(200);

struct Door {
  HttpEndpoint::Impl* impl = nullptr;
  bool tcp = false;
  MHD_Daemon* daemon = nullptr;
};

enum class Kind { kChat, kModels };

}  // namespace

class Exchange;

class HttpEndpoint::Impl {
 public:
  Impl(std::shared_ptr<grpc::Channel> channel, std::string secret, TokenStore* token)
      : secret_(std::move(secret)),
        runs_(v1::RunService::NewStub(channel)),
        prompts_(v1::PromptService::NewStub(channel)),
        providers_(v1::ProviderService::NewStub(channel)),
        token_(token),
        id_base_(absl::ToUnixNanos(absl::Now())) {}

  ~Impl() { StopWatcher(); }

  absl::Status StartDoor(int fd, bool tcp, std::unique_ptr<Door>* out);
  void StopDoor(std::unique_ptr<Door> door);

  void Register(const std::shared_ptr<Exchange>& ex);
  void Unregister(Exchange* ex);
  void CheckPeers();
  void StopWatcher();
  // Runs in flight, by door (tcp or not): counted so that a door is
  // stopped only once none of its connections is suspended.
  void RunStarted(bool tcp);
  void RunEnded(bool tcp);
  // Cancel cancels the runs of one door's (or, with `all`, every door's)
  // requests; WaitRuns waits for their runs to end.
  void Cancel(bool tcp, bool all);
  bool WaitRuns(bool tcp, bool all, absl::Duration timeout);
  // WaitIdle waits until no request is open.
  bool WaitIdle(absl::Duration timeout);

  std::string NextId() {
    return absl::StrCat("chatcmpl-aix", absl::Hex(id_base_), absl::Hex(next_id_.fetch_add(1)));
  }

  // Connections open on every door; when a burst of them has closed, the
  // memory their buffers took goes back to the system.
  RunCount* connections() { return &connections_; }

  // Every open connection's descriptor and age, until its headers are in
  // (MHD's thread reports; the watcher cuts off the slow ones).
  void ConnectionOpened(MHD_Connection* c);
  void ConnectionClosed(MHD_Connection* c);
  void HeadersSeen(MHD_Connection* c);
  void ExpireSlowHeaders();

  // TakeBody reserves `n` bytes of the bodies' budget; false when every
  // connection together already holds kMaxBufferedBodies.
  bool TakeBody(size_t n) {
    size_t now = buffered_.load();
    do {
      if (now + n > kMaxBufferedBodies) return false;
    } while (!buffered_.compare_exchange_weak(now, now + n));
    return true;
  }
  void GiveBody(size_t n) { buffered_.fetch_sub(n); }

  v1::RunService::Stub* runs() { return runs_.get(); }
  v1::PromptService::Stub* prompts() { return prompts_.get(); }
  v1::ProviderService::Stub* providers() { return providers_.get(); }
  TokenStore* token() { return token_; }

  // Mark makes a call the daemon's own (PeerRegistry::InProcess).
  void Mark(grpc::ClientContext* ctx) const {
    ctx->AddMetadata(PeerRegistry::kInProcessHeader, secret_);
  }

  std::mutex mu_;  // doors and addresses below
  std::unique_ptr<Door> unix_door_;
  std::unique_ptr<Door> tcp_door_;
  std::optional<ListenAddress> tcp_address_;
  std::string socket_path_;
  bool shut_down_ = false;

 private:
  // Live takes references to the exchanges still open.
  std::vector<std::shared_ptr<Exchange>> Live();

  const std::string secret_;
  std::unique_ptr<v1::RunService::Stub> runs_;
  std::unique_ptr<v1::PromptService::Stub> prompts_;
  std::unique_ptr<v1::ProviderService::Stub> providers_;
  TokenStore* const token_;
  const int64_t id_base_;
  RunCount connections_;
  std::atomic<uint64_t> next_id_{0};
  std::atomic<size_t> buffered_{0};

  struct Pending {
    int fd = -1;
    absl::Time opened;
  };
  // Connections whose headers are not all in yet. A descriptor is shut
  // down only under conns_mu_, and MHD reports a connection closed (which
  // takes conns_mu_) before it closes the descriptor, so the watcher never
  // touches a descriptor number that was reused.
  std::mutex conns_mu_;
  std::map<MHD_Connection*, Pending> conns_;  // guarded by conns_mu_

  std::mutex live_mu_;
  std::condition_variable live_cv_;
  std::map<Exchange*, std::weak_ptr<Exchange>> live_;  // guarded by live_mu_
  int in_flight_[2] = {0, 0};                          // guarded by live_mu_; [tcp]
  bool watcher_stop_ = false;                          // guarded by live_mu_
  std::thread watcher_;
};

namespace {

// Respond queues a whole response with `body` (JSON unless said).
MHD_Result Respond(MHD_Connection* c, int status, const std::string& body,
                   const char* type = "application/json") {
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

}  // namespace

// Exchange is one HTTP request and, for a chat, its run. Three parties hold
// it: MHD (from the first call of the request until it completes), the
// streamed response (until MHD frees it) and the gRPC call (until OnDone).
// mu_ guards what they share; MHD_suspend_connection and
// MHD_resume_connection are called under it, so a wake-up is never lost
// and a connection is resumed only while suspended.
class Exchange : public grpc::ClientReadReactor<v1::RunEvent>,
                 public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(HttpEndpoint::Impl* impl, MHD_Connection* conn, bool tcp)
      : impl_(impl), conn_(conn), tcp_(tcp) {
    const MHD_ConnectionInfo* info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    fd_ = info != nullptr ? info->connect_fd : -1;
  }
  ~Exchange() override {
    if (counted_ > 0) impl_->GiveBody(counted_);
    impl_->Unregister(this);
  }

  // --- MHD side (its thread) ---

  // Begin sees the request line and headers: who is calling, and where to.
  MHD_Result Begin(const char* url, const char* method) {
    if (!tcp_) {
      ucred cred{};
      socklen_t len = sizeof cred;
      if (fd_ < 0 || getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        return Fail(403, "aixd cannot tell who is calling on its HTTP socket");
      }
      if (cred.uid != geteuid()) {
        return Fail(403, absl::StrCat("this aixd belongs to uid ", geteuid(), " and refuses uid ",
                                      cred.uid, "; run your own daemon"));
      }
    } else {
      const char* auth = MHD_lookup_connection_value(conn_, MHD_HEADER_KIND, "Authorization");
      absl::string_view presented = auth != nullptr ? auth : "";
      if (!absl::ConsumePrefix(&presented, "Bearer ") || !impl_->token()->Matches(presented)) {
        return Fail(401,
                    "missing or wrong bearer token; send Authorization: Bearer TOKEN (print it "
                    "with: aix endpoint token)",
                    "", "invalid_api_key");
      }
    }
    absl::string_view path(url);
    absl::string_view m(method);
    if (path == "/v1/chat/completions") {
      if (m != "POST") return Fail(405, "use POST for /v1/chat/completions");
      kind_ = Kind::kChat;
      return MHD_YES;
    }
    if (path == "/v1/models") {
      if (m != "GET") return Fail(405, "use GET for /v1/models");
      kind_ = Kind::kModels;
      return MHD_YES;
    }
    return Fail(404, absl::StrCat("no such endpoint: ", m, " ", path.substr(0, 200),
                                  "; aixd serves POST /v1/chat/completions and GET /v1/models"),
                "", "unknown_url");
  }

  // Continue takes the body, then starts the run; later calls come after a
  // resume and send what is ready.
  MHD_Result Continue(const char* upload, size_t* upload_size) {
    if (responded_) {
      *upload_size = 0;
      return MHD_YES;
    }
    if (*upload_size > 0) {
      if (body_.size() + *upload_size > kMaxBody) {
        too_large_ = true;
      } else if (!busy_ && !impl_->TakeBody(*upload_size)) {
        busy_ = true;
      } else if (!busy_) {
        counted_ += *upload_size;
        body_.append(upload, *upload_size);
      }
      *upload_size = 0;
      return MHD_YES;
    }
    if (kind_ == Kind::kModels) return Models();
    bool started;
    {
      std::lock_guard<std::mutex> lock(mu_);
      started = started_;
    }
    if (!started) {
      if (too_large_) {
        return Fail(413, absl::StrCat("the request body is over ", kMaxBody >> 20, " MiB"));
      }
      if (busy_) {
        ReleaseBody();
        return Fail(503, absl::StrCat("aixd is taking in more than ", kMaxBufferedBodies >> 20,
                                      " MiB of requests at once; send this one again shortly"));
      }
      bool parsed;
      {
        std::lock_guard<std::mutex> lock(mu_);
        parsed = parse_done_;
      }
      if (!parsed) {
        // A large body is parsed on a thread of its own, so the door goes
        // on serving everyone else meanwhile.
        if (body_.size() >= kParseAside) return ParseAside();
        parsed_ = ParseChatCall(body_, &param_);
      }
      ReleaseBody();
      if (!parsed_.ok()) {
        MHD_Result r = Fail(HttpStatusFor(parsed_.status().code()), parsed_.status().message(), param_);
        EndAside();
        return r;
      }
      call_ = *std::move(parsed_);
      id_.id = impl_->NextId();
      id_.created = absl::ToUnixSeconds(absl::Now());
      id_.model = call_.model;
      {
        std::lock_guard<std::mutex> lock(mu_);
        started_ = true;
        self_ = shared_from_this();
      }
      impl_->RunStarted(tcp_);
      impl_->Mark(&context_);
      impl_->runs()->async()->Run(&context_, &call_.run, this);
      StartRead(&event_);
      StartCall();
      EndAside();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!ReadyLocked()) {
      suspended_ = true;
      MHD_suspend_connection(conn_);
      return MHD_YES;
    }
    return RespondLocked();
  }

  // Read fills `buf` from the stream's pending bytes (the streamed
  // response's content reader).
  ssize_t Read(char* buf, size_t max) {
    bool read_more = false;
    ssize_t n = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!pending_.empty()) {
        n = static_cast<ssize_t>(std::min(max, pending_.size()));
        memcpy(buf, pending_.data(), static_cast<size_t>(n));
        pending_.erase(0, static_cast<size_t>(n));
        if (read_paused_ && pending_.size() < kMaxPending / 2) {
          read_paused_ = false;
          read_more = true;
        }
      } else if (done_) {
        return MHD_CONTENT_READER_END_OF_STREAM;
      } else {
        suspended_ = true;
        MHD_suspend_connection(conn_);
        return 0;
      }
    }
    if (read_more) StartRead(&event_);
    return n;
  }

  // Closed: MHD is done with the connection (answered, or the client left).
  void Closed() {
    bool cancel;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
      cancel = started_ && !done_;
    }
    if (cancel) context_.TryCancel();
    EndAside();
  }

  // CheckPeer cancels the run when the client of a suspended connection
  // has gone (its socket reads end-of-file or fails).
  void CheckPeer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!suspended_ || closed_ || done_ || gone_ || fd_ < 0) return;
      char c;
      ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR))) return;
      // On the Unix socket a client that only shut down its sending side
      // (curl and some SDKs do, once the request is sent) still waits for
      // the answer: only a socket closed both ways (POLLHUP) is a client
      // that left. TCP cannot tell the two apart before a write.
      if (n == 0 && !tcp_) {
        pollfd p{fd_, POLLIN | POLLRDHUP, 0};
        if (poll(&p, 1, 0) >= 0 && (p.revents & (POLLHUP | POLLERR)) == 0) return;
      }
      gone_ = true;
    }
    context_.TryCancel();
  }

  bool tcp() const { return tcp_; }

  // Cancel ends the run because aixd stops or the door closes: the client
  // hears 503 (or an error event), not that it cancelled.
  void Cancel() {
    bool cancel;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cancel = started_ && !done_;
    }
    if (cancel) context_.TryCancel();
  }

  // --- gRPC side ---
  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    bool more = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      switch (event_.event_case()) {
        case v1::RunEvent::kText:
          if (call_.stream) {
            pending_ += ChunkEvent(id_, event_.text(), first_chunk_);
            first_chunk_ = false;
          } else {
            whole_ += event_.text();
          }
          break;
        case v1::RunEvent::kDone:
          done_event_ = event_.done();
          break;
        default:
          break;  // notices are for people at a terminal
      }
      if (call_.stream && pending_.size() > kMaxPending) {
        read_paused_ = true;
        more = false;
      }
      // A whole answer waits for OnDone; a stream is woken for its text.
      if (stream_started_ || ReadyLocked()) WakeLocked();
    }
    if (more) StartRead(&event_);
  }

  void OnDone(const grpc::Status& status) override {
    std::shared_ptr<Exchange> keep;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      final_ = FromGrpcStatus(status);
      if (stopping_ && absl::IsCancelled(final_)) {
        final_ = absl::UnavailableError(
            "aixd is stopping or this port was closed; the run was cancelled, send it again");
      }
      if (stream_started_) pending_ += Ending();
      WakeLocked();
      keep = std::move(self_);
    }
    impl_->RunEnded(tcp_);
  }

 private:
  // ParseAside parses the body on a thread of its own and suspends the
  // connection until it is done. Shutdown waits for it as for a run: it
  // counts as one until EndAside, once the real run has started (so the
  // count never drops to zero in between) or the request has ended.
  MHD_Result ParseAside() {
    bool start = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!parsing_) parsing_ = start = aside_open_ = true;
      suspended_ = true;
      MHD_suspend_connection(conn_);
    }
    if (start) {
      impl_->RunStarted(tcp_);
      std::thread([self = shared_from_this()] {
        std::string param;
        auto parsed = ParseChatCall(self->body_, &param);
        std::lock_guard<std::mutex> lock(self->mu_);
        self->parsed_ = std::move(parsed);
        self->param_ = std::move(param);
        self->parse_done_ = true;
        self->WakeLocked();
      }).detach();
    }
    return MHD_YES;
  }

  void EndAside() {
    bool end;
    {
      std::lock_guard<std::mutex> lock(mu_);
      end = aside_open_;
      aside_open_ = false;
    }
    if (end) impl_->RunEnded(tcp_);
  }

  // ReleaseBody frees the request body and its share of the budget; the
  // memory of a large one goes back to the system.
  void ReleaseBody() {
    const size_t size = body_.capacity();
    body_.clear();
    body_.shrink_to_fit();
    impl_->GiveBody(counted_);
    counted_ = 0;
    if (size >= kTrimAfterBody) malloc_trim(0);
  }

  MHD_Result Fail(int status, absl::string_view message, absl::string_view param = "",
                  absl::string_view code = "") {
    responded_ = true;
    return Respond(conn_, status, ErrorJson(status, message, param, code));
  }

  // A response is queued once the answer has begun, or the run is over:
  // until text arrives a failure (after retries and fallbacks) can still
  // be a plain HTTP error with its own status, which SDKs understand best.
  bool ReadyLocked() const { return done_ || (call_.stream && !first_chunk_); }

  // Ending is the end of a started stream: the finish reason, usage when
  // asked, [DONE]; or the error, as OpenAI sends one mid-stream.
  std::string Ending() const {
    if (final_.ok()) return FinalEvents(id_, done_event_, call_.include_usage);
    return ErrorEvent(HttpStatusFor(final_.code()), final_.message());
  }

  // RespondLocked queues the response once the run is far enough along: a
  // run that failed before its answer began gets a plain HTTP error.
  MHD_Result RespondLocked() {
    responded_ = true;
    if (done_ && !final_.ok() && (!call_.stream || first_chunk_)) {
      const int status = HttpStatusFor(final_.code());
      return Respond(conn_, status, ErrorJson(status, final_.message()));
    }
    if (!call_.stream) return Respond(conn_, 200, CompletionJson(id_, whole_, done_event_));
    stream_started_ = true;
    if (done_) pending_ += Ending();
    auto* holder = new std::shared_ptr<Exchange>(shared_from_this());
    MHD_Response* r = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 4 << 10,
        [](void* cls, uint64_t, char* buf, size_t max) -> ssize_t {
          return (*static_cast<std::shared_ptr<Exchange>*>(cls))->Read(buf, max);
        },
        holder, [](void* cls) { delete static_cast<std::shared_ptr<Exchange>*>(cls); });
    if (r == nullptr) {
      delete holder;
      return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_Result ok = MHD_queue_response(conn_, 200, r);
    MHD_destroy_response(r);
    return ok;
  }

  // WakeLocked resumes the connection if it waits for us.
  void WakeLocked() {
    if (suspended_ && !closed_) {
      suspended_ = false;
      MHD_resume_connection(conn_);
    }
  }

  // Models answers GET /v1/models: each provider's default model, each
  // custom provider's, and each saved prompt as prompt:NAME.
  MHD_Result Models() {
    std::vector<std::string> ids, owners;
    {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      impl_->Mark(&ctx);
      v1::ListProvidersResponse list;
      grpc::Status s = impl_->providers()->ListProviders(&ctx, v1::ListProvidersRequest(), &list);
      if (!s.ok()) {
        absl::Status st = FromGrpcStatus(s);
        return Fail(HttpStatusFor(st.code()), st.message());
      }
      for (const v1::ProviderInfo& p : list.providers()) {
        if (p.default_model().empty()) continue;
        ids.push_back(absl::StrCat(p.name(), "/", p.default_model()));
        owners.push_back(p.name());
      }
    }
    {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      impl_->Mark(&ctx);
      v1::ListPromptsRequest req;
      req.set_all(true);
      v1::ListPromptsResponse list;
      grpc::Status s = impl_->prompts()->ListPrompts(&ctx, req, &list);
      if (s.ok()) {
        for (const v1::Prompt& p : list.prompts()) {
          ids.push_back(absl::StrCat("prompt:", p.name()));
          owners.push_back("aixd");
        }
      }
    }
    responded_ = true;
    return Respond(conn_, 200, ModelsJson(ids, owners));
  }

  HttpEndpoint::Impl* const impl_;
  MHD_Connection* const conn_;
  const bool tcp_;
  int fd_ = -1;

  // MHD thread only.
  Kind kind_ = Kind::kChat;
  std::string body_;
  size_t counted_ = 0;  // bytes of body_ taken from the endpoint's budget
  bool too_large_ = false;
  bool busy_ = false;  // the budget was spent: 503
  // The parsed body: written by the MHD thread, or by ParseAside's thread
  // under mu_ before parse_done_ is set; read by the MHD thread after.
  absl::StatusOr<ChatCall> parsed_ = absl::UnknownError("not parsed");
  std::string param_;
  bool responded_ = false;

  // Set before the call starts, then read-only.
  ChatCall call_;
  ReplyId id_;
  grpc::ClientContext context_;
  v1::RunEvent event_;  // the read in flight

  std::mutex mu_;
  std::shared_ptr<Exchange> self_;  // guarded by mu_; the gRPC call's reference
  bool suspended_ = false;          // guarded by mu_
  bool closed_ = false;             // guarded by mu_
  bool gone_ = false;               // guarded by mu_; the client left
  bool stopping_ = false;           // guarded by mu_; cancelled by aixd
  bool started_ = false;            // guarded by mu_ (written on MHD's thread)
  bool done_ = false;               // guarded by mu_
  bool read_paused_ = false;        // guarded by mu_
  bool first_chunk_ = true;         // guarded by mu_
  bool stream_started_ = false;     // guarded by mu_
  bool parsing_ = false;            // guarded by mu_; ParseAside's thread started
  bool parse_done_ = false;         // guarded by mu_
  bool aside_open_ = false;         // guarded by mu_; ParseAside counts as a run
  absl::Status final_;              // guarded by mu_
  v1::RunDone done_event_;          // guarded by mu_
  std::string pending_;             // guarded by mu_; stream bytes not yet sent
  std::string whole_;               // guarded by mu_; a whole answer's text
};

namespace {

MHD_Result OnRequest(void* cls, MHD_Connection* conn, const char* url, const char* method,
                     const char* /*version*/, const char* upload, size_t* upload_size,
                     void** con_cls) {
  Door* door = static_cast<Door*>(cls);
  auto* holder = static_cast<std::shared_ptr<Exchange>*>(*con_cls);
  if (holder == nullptr) {
    door->impl->HeadersSeen(conn);
    auto ex = std::make_shared<Exchange>(door->impl, conn, door->tcp);
    door->impl->Register(ex);
    *con_cls = new std::shared_ptr<Exchange>(ex);
    return ex->Begin(url, method);
  }
  return (*holder)->Continue(upload, upload_size);
}

void OnCompleted(void* /*cls*/, MHD_Connection* /*conn*/, void** con_cls,
                 MHD_RequestTerminationCode /*why*/) {
  auto* holder = static_cast<std::shared_ptr<Exchange>*>(*con_cls);
  if (holder == nullptr) return;
  (*holder)->Closed();
  delete holder;
  *con_cls = nullptr;
}

void OnConnection(void* cls, MHD_Connection* conn, void** /*socket_context*/,
                  MHD_ConnectionNotificationCode code) {
  HttpEndpoint::Impl* impl = static_cast<Door*>(cls)->impl;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    impl->connections()->Enter();
    impl->ConnectionOpened(conn);
  }
  if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
    impl->ConnectionClosed(conn);
    impl->connections()->Leave();
  }
}

// MHD's own messages: a peer can make it talk (malformed requests, a flood
// of connections), so at most one line per 10 s reaches the log.
LogLimiter mhd_log(absl::Seconds(10));

void OnLog(void* /*cls*/, const char* fmt, va_list ap) {
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  absl::string_view text(line);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  // A client that leaves mid-answer is not aixd's problem to report.
  if (absl::StrContains(text, "no longer available") ||
      absl::StrContains(text, "Connection reset") ||
      absl::StrContains(text, "detected connection closure")) {
    return;
  }
  mhd_log.Log(LogLevel::kWarning, absl::StrCat("http endpoint: ", text));
}

absl::StatusOr<int> BindTcp(const ListenAddress& a) {
  int fd = socket(a.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (a.ipv6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(static_cast<uint16_t>(a.port));
    inet_pton(AF_INET6, a.host.c_str(), &sa.sin6_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(a.port));
    inet_pton(AF_INET, a.host.c_str(), &sa.sin_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }
  if (rc != 0 || listen(fd, SOMAXCONN) != 0) {
    int err = errno;
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "aixd cannot listen on ", a.host, ":", a.port, ": ", strerror(err),
        "; choose another port: aix config --set http_listen 127.0.0.1:PORT"));
  }
  return fd;
}

}  // namespace

absl::Status HttpEndpoint::Impl::StartDoor(int fd, bool tcp, std::unique_ptr<Door>* out) {
  auto door = std::make_unique<Door>();
  door->impl = this;
  door->tcp = tcp;
  door->daemon = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, nullptr,
      nullptr, &OnRequest, door.get(), MHD_OPTION_EXTERNAL_LOGGER, &OnLog, nullptr,
      MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, ConnectionLimit(tcp),
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,
      MHD_OPTION_CONNECTION_TIMEOUT, kConnectionTimeout, MHD_OPTION_NOTIFY_COMPLETED,
      &OnCompleted, nullptr, MHD_OPTION_NOTIFY_CONNECTION, &OnConnection, door.get(),
      MHD_OPTION_END);
  if (door->daemon == nullptr) {
    close(fd);
    return absl::InternalError("the HTTP server (libmicrohttpd) did not start; see aixd's log");
  }
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    if (!watcher_.joinable() && !watcher_stop_) {
      watcher_ = std::thread([this] {
        std::unique_lock<std::mutex> lock(live_mu_);
        while (!watcher_stop_) {
          live_cv_.wait_for(lock, absl::ToChronoMilliseconds(kPeerCheck));
          if (watcher_stop_) break;
          lock.unlock();
          CheckPeers();
          ExpireSlowHeaders();
          lock.lock();
        }
      });
    }
  }
  *out = std::move(door);
  return absl::OkStatus();
}

void HttpEndpoint::Impl::StopDoor(std::unique_ptr<Door> door) {
  if (door == nullptr) return;
  MHD_stop_daemon(door->daemon);
}

namespace {

// Quiesce stops a door accepting; MHD hands the listening socket back.
void Quiesce(Door* door) {
  if (door == nullptr) return;
  MHD_socket fd = MHD_quiesce_daemon(door->daemon);
  if (fd != MHD_INVALID_SOCKET) close(fd);
}

}  // namespace

void HttpEndpoint::Impl::ConnectionOpened(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  std::lock_guard<std::mutex> lock(conns_mu_);
  conns_[c] = Pending{info != nullptr ? info->connect_fd : -1, absl::Now()};
}

void HttpEndpoint::Impl::ConnectionClosed(MHD_Connection* c) {
  std::lock_guard<std::mutex> lock(conns_mu_);
  conns_.erase(c);
}

void HttpEndpoint::Impl::HeadersSeen(MHD_Connection* c) {
  std::lock_guard<std::mutex> lock(conns_mu_);
  conns_.erase(c);
}

void HttpEndpoint::Impl::ExpireSlowHeaders() {
  const absl::Time too_old = absl::Now() - kHeaderDeadline;
  std::lock_guard<std::mutex> lock(conns_mu_);
  if (conns_.empty()) return;
  // A peer that closed before its headers were in will never send them.
  // MHD may not notice (a connection accepted with its data and its end
  // already queued gets no further wake-up), so it is cut off now too.
  std::vector<pollfd> fds;
  fds.reserve(conns_.size());
  for (const auto& [c, p] : conns_) fds.push_back(pollfd{p.fd, POLLRDHUP, 0});
  poll(fds.data(), fds.size(), 0);
  size_t i = 0;
  for (auto it = conns_.begin(); it != conns_.end(); ++i) {
    const bool ended = (fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    if (!ended && it->second.opened > too_old) {
      ++it;
      continue;
    }
    // MHD sees the end of the stream at once and closes the connection.
    if (it->second.fd >= 0) shutdown(it->second.fd, SHUT_RDWR);
    it = conns_.erase(it);
  }
}

void HttpEndpoint::Impl::Register(const std::shared_ptr<Exchange>& ex) {
  std::lock_guard<std::mutex> lock(live_mu_);
  live_[ex.get()] = ex;
}

void HttpEndpoint::Impl::Unregister(Exchange* ex) {
  std::lock_guard<std::mutex> lock(live_mu_);
  live_.erase(ex);
  if (live_.empty()) live_cv_.notify_all();
}

std::vector<std::shared_ptr<Exchange>> HttpEndpoint::Impl::Live() {
  std::vector<std::shared_ptr<Exchange>> all;
  std::lock_guard<std::mutex> lock(live_mu_);
  for (auto& [p, weak] : live_) {
    if (auto ex = weak.lock()) all.push_back(std::move(ex));
  }
  return all;
}

void HttpEndpoint::Impl::CheckPeers() {
  for (auto& ex : Live()) ex->CheckPeer();
}

void HttpEndpoint::Impl::RunStarted(bool tcp) {
  std::lock_guard<std::mutex> lock(live_mu_);
  ++in_flight_[tcp];
}

void HttpEndpoint::Impl::RunEnded(bool tcp) {
  std::lock_guard<std::mutex> lock(live_mu_);
  --in_flight_[tcp];
  live_cv_.notify_all();
}

void HttpEndpoint::Impl::Cancel(bool tcp, bool all) {
  for (auto& ex : Live()) {
    if (all || ex->tcp() == tcp) ex->Cancel();
  }
}

bool HttpEndpoint::Impl::WaitRuns(bool tcp, bool all, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(live_mu_);
  return live_cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] {
    return all ? in_flight_[0] + in_flight_[1] == 0 : in_flight_[tcp] == 0;
  });
}

bool HttpEndpoint::Impl::WaitIdle(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(live_mu_);
  return live_cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [this] { return live_.empty(); });
}

void HttpEndpoint::Impl::StopWatcher() {
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    watcher_stop_ = true;
    live_cv_.notify_all();
  }
  if (watcher_.joinable()) watcher_.join();
}

HttpEndpoint::HttpEndpoint(std::shared_ptr<grpc::Channel> channel, std::string secret,
                           TokenStore* token)
    : impl_(std::make_unique<Impl>(std::move(channel), std::move(secret), token)) {}

HttpEndpoint::~HttpEndpoint() { Shutdown(absl::ZeroDuration()); }

absl::Status HttpEndpoint::ServeUnix(int fd, const std::string& path) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  if (impl_->shut_down_) {
    close(fd);
    return absl::FailedPreconditionError("aixd is shutting down");
  }
  absl::Status s = impl_->StartDoor(fd, /*tcp=*/false, &impl_->unix_door_);
  if (s.ok()) impl_->socket_path_ = path;
  return s;
}

absl::Status HttpEndpoint::Listen(const std::optional<ListenAddress>& address) {
  std::unique_ptr<Door> old;
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    if (impl_->shut_down_) return absl::FailedPreconditionError("aixd is shutting down");
    const auto& cur = impl_->tcp_address_;
    if (cur.has_value() == address.has_value() &&
        (!address || (cur->host == address->host && cur->port == address->port))) {
      return absl::OkStatus();
    }
    std::unique_ptr<Door> fresh;
    if (address) {
      // The token exists before the door opens, so no request is ever
      // compared against nothing.
      auto token = impl_->token()->Get();
      if (!token.ok()) return token.status();
      auto fd = BindTcp(*address);
      if (!fd.ok()) return fd.status();
      absl::Status s = impl_->StartDoor(*fd, /*tcp=*/true, &fresh);
      if (!s.ok()) return s;
    }
    old = std::move(impl_->tcp_door_);
    impl_->tcp_door_ = std::move(fresh);
    impl_->tcp_address_ = address;
  }
  if (old != nullptr) {
    // Streams on the old port end (their runs cancelled); clients reconnect
    // to the new address. MHD must not stop while a connection is
    // suspended, and a connection waits suspended only while its run is in
    // flight.
    Quiesce(old.get());
    impl_->Cancel(/*tcp=*/true, /*all=*/false);
    impl_->WaitRuns(/*tcp=*/true, /*all=*/false, absl::Seconds(5));
    impl_->StopDoor(std::move(old));
  }
  return absl::OkStatus();
}

std::string HttpEndpoint::socket_path() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->unix_door_ != nullptr ? impl_->socket_path_ : "";
}

std::string HttpEndpoint::url() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->tcp_address_ ? impl_->tcp_address_->Url() : "";
}

void HttpEndpoint::Shutdown(absl::Duration grace) {
  std::unique_ptr<Door> unix_door, tcp_door;
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    if (impl_->shut_down_) return;
    impl_->shut_down_ = true;
    unix_door = std::move(impl_->unix_door_);
    tcp_door = std::move(impl_->tcp_door_);
    impl_->tcp_address_.reset();
  }
  Quiesce(unix_door.get());
  Quiesce(tcp_door.get());
  if (!impl_->WaitRuns(false, /*all=*/true, grace)) {
    impl_->Cancel(false, /*all=*/true);
    // Cancelled runs end promptly; their connections are resumed by
    // OnDone, so none is left suspended when MHD stops.
    if (!impl_->WaitRuns(false, /*all=*/true, absl::Seconds(5))) {
      Log(LogLevel::kWarning, "http endpoint: runs still open at shutdown");
    }
  }
  // Let the last bytes (an error event, [DONE]) reach their clients.
  impl_->WaitIdle(absl::Seconds(1));
  impl_->StopDoor(std::move(unix_door));
  impl_->StopDoor(std::move(tcp_door));
  impl_->StopWatcher();
}

}  // namespace aix::endpoint
