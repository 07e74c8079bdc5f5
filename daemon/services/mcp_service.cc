#include "daemon/services/mcp_service.h"

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "common/grpc_status.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

// Above this many bytes, or messages, waiting to be written, the session
// stops reading requests until the client reads again.
constexpr size_t kMaxQueued = 4 << 20;
constexpr size_t kMaxQueuedMessages = 4096;

class McpReactor;

// Stream carries one session's messages to the client. Workers may send
// after the stream has ended (a request that finished late): they hold the
// Stream, not the reactor, and what they send then is dropped.
class Stream final : public mcp::Outbox {
 public:
  explicit Stream(McpReactor* reactor) : reactor_(reactor) {}
  void Send(std::string message) override;
  // WriteDone continues after a write; false when the stream failed.
  void WriteDone(bool ok);
  // Over says whether reading should pause (too much is waiting).
  bool Over() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queued_ > kMaxQueued || queue_.size() > kMaxQueuedMessages;
  }
  // Finish ends the stream once everything queued is written.
  void FinishWhenDrained();
  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    reactor_ = nullptr;
  }

 private:
  void WriteNextLocked(std::unique_lock<std::mutex>& lock);

  mutable std::mutex mu_;
  McpReactor* reactor_;              // guarded by mu_; null once the reactor is done
  std::deque<std::string> queue_;    // guarded by mu_
  size_t queued_ = 0;                // guarded by mu_
  bool writing_ = false;             // guarded by mu_
  bool finishing_ = false;           // guarded by mu_
  bool finished_ = false;            // guarded by mu_
  v1::McpMessage current_;           // the write in flight
};

class StreamReply final : public mcp::Reply {
 public:
  explicit StreamReply(std::shared_ptr<Stream> stream) : stream_(std::move(stream)) {}
  void Send(std::string message, bool /*last*/) override {
    if (!message.empty()) stream_->Send(std::move(message));
  }

 private:
  std::shared_ptr<Stream> stream_;
};

class McpReactor final : public grpc::ServerBidiReactor<v1::McpMessage, v1::McpMessage> {
 public:
  McpReactor() : stream_(std::make_shared<Stream>(this)) {}

  void Begin(std::shared_ptr<mcp::Session> session) {
    session_ = std::move(session);
    StartRead(&in_);
  }

  std::shared_ptr<Stream> stream() const { return stream_; }

  void Fail(const absl::Status& status) { Finish(ToGrpcStatus(status)); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client closed its side (aix mcp's stdin ended): nothing more
      // will be asked, and nobody waits for what is in flight.
      session_->Close();
      stream_->FinishWhenDrained();
      return;
    }
    session_->Receive(in_.json(), std::make_shared<StreamReply>(stream_));
    std::lock_guard<std::mutex> lock(mu_);
    if (stream_->Over()) {
      read_paused_ = true;
    } else {
      StartRead(&in_);
    }
  }

  void OnWriteDone(bool ok) override {
    stream_->WriteDone(ok);
    std::lock_guard<std::mutex> lock(mu_);
    if (read_paused_ && !stream_->Over()) {
      read_paused_ = false;
      StartRead(&in_);
    }
  }

  void OnCancel() override {
    if (session_ != nullptr) session_->Close();
  }

  void OnDone() override {
    if (session_ != nullptr) session_->Close();
    stream_->Detach();
    delete this;
  }

 private:
  friend class Stream;
  std::shared_ptr<Stream> stream_;
  std::shared_ptr<mcp::Session> session_;
  v1::McpMessage in_;
  std::mutex mu_;
  bool read_paused_ = false;  // guarded by mu_
};

void Stream::Send(std::string message) {
  std::unique_lock<std::mutex> lock(mu_);
  if (reactor_ == nullptr || finished_) return;
  queued_ += message.size();
  queue_.push_back(std::move(message));
  if (!writing_) WriteNextLocked(lock);
}

void Stream::WriteNextLocked(std::unique_lock<std::mutex>& lock) {
  if (queue_.empty()) {
    if (finishing_ && !finished_ && reactor_ != nullptr) {
      finished_ = true;
      McpReactor* r = reactor_;
      lock.unlock();
      r->Finish(grpc::Status::OK);
    }
    return;
  }
  writing_ = true;
  current_.set_json(std::move(queue_.front()));
  queue_.pop_front();
  McpReactor* r = reactor_;
  // The reactor lives until OnDone, which cannot come while a write is
  // in flight.
  lock.unlock();
  r->StartWrite(&current_);
}

void Stream::WriteDone(bool ok) {
  std::unique_lock<std::mutex> lock(mu_);
  writing_ = false;
  queued_ -= std::min(queued_, current_.json().size());
  if (!ok) {
    finished_ = true;  // the client is gone; OnDone follows
    queue_.clear();
    queued_ = 0;
    return;
  }
  if (reactor_ != nullptr) WriteNextLocked(lock);
}

void Stream::FinishWhenDrained() {
  std::unique_lock<std::mutex> lock(mu_);
  finishing_ = true;
  if (!writing_) WriteNextLocked(lock);
}

}  // namespace

grpc::ServerBidiReactor<v1::McpMessage, v1::McpMessage>* McpServiceImpl::Session(
    grpc::CallbackServerContext* context) {
  auto* reactor = new McpReactor();
  absl::StatusOr<std::shared_ptr<mcp::Session>> session = absl::UnknownError("not opened");
  absl::Status checked = Checked(*peers_, context, [&]() -> absl::Status {
    session = hub_->Open(reactor->stream());
    return session.status();
  });
  if (!checked.ok()) {
    reactor->Fail(checked);
    return reactor;
  }
  reactor->Begin(*std::move(session));
  return reactor;
}

}  // namespace aix
