#include "daemon/endpoint/control.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mask.h"

namespace aix::endpoint {

absl::Status Control::Apply() {
  std::lock_guard<std::mutex> lock(mu_);
  return ApplyLocked();
}

absl::Status Control::ApplyLocked() {
  auto doc = config_->Document();
  if (!doc.ok()) return doc.status();
  std::optional<ListenAddress> address;
  auto it = doc->find("http_listen");
  if (it != doc->end() && it->is_string()) {
    auto parsed = ParseListenAddress(it->get<std::string>());
    if (!parsed.ok()) {
      tcp_error_ = std::string(parsed.status().message());
      return parsed.status();
    }
    address = *parsed;
  } else {
    address = picked_;  // the web page's port stays open
  }
  auto served = endpoint_->Listen(address);
  absl::Status s = served.status();
  if (served.ok()) serving_ = *served;
  tcp_error_ = s.ok() ? "" : std::string(s.message());
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("http_listen is saved but not in effect: ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status Control::OpenUi(v1::EndpointInfo* info) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Status s = ApplyLocked();
  if (!serving_) {
    // No http_listen: a port of aixd's choosing on 127.0.0.1, kept until
    // aixd stops (or http_listen takes over).
    ListenAddress any{"127.0.0.1", 0, false};
    auto served = endpoint_->Listen(any);
    if (!served.ok()) return served.status();
    serving_ = picked_ = *served;
    s = absl::OkStatus();
  }
  if (!s.ok()) return s;
  auto code = sign_in_->NewCode(absl::Now());
  if (!code.ok()) return code.status();
  info->set_ui_origin(serving_->Origin());
  info->set_ui_url(absl::StrCat(serving_->Origin(), "/ui/signin?code=", *code));
  return absl::OkStatus();
}

absl::StatusOr<v1::EndpointInfo> Control::Info(const v1::GetEndpointRequest& request) {
  v1::EndpointInfo info;
  if (request.open_ui()) {
    if (absl::Status s = OpenUi(&info); !s.ok()) return s;
  } else {
    // A hand edit of http_listen takes effect here too.
    (void)Apply();
  }
  info.set_socket_path(endpoint_->socket_path());
  info.set_url(endpoint_->url());
  info.set_token_path(token_->path());
  if (request.rotate_token() || request.reveal_token() || !info.url().empty()) {
    auto token = request.rotate_token() ? token_->Rotate() : token_->Get();
    if (!token.ok()) return token.status();
    info.set_masked_token(MaskSecret(*token));
    if (request.reveal_token() || request.rotate_token()) info.set_token(*token);
  }
  std::string error = socket_error_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!tcp_error_.empty()) error = error.empty() ? tcp_error_ : absl::StrCat(error, "; ", tcp_error_);
  }
  info.set_error(error);
  return info;
}

}  // namespace aix::endpoint
