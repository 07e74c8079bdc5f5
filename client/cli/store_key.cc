#include "client/cli/store_key.h"

#include "absl/strings/str_cat.h"
#include "aix/v1/keys.grpc.pb.h"
#include "client/call.h"
#include "client/terminal.h"
#include "common/status_macros.h"

namespace aix {

absl::StatusOr<v1::KeyInfo> StoreKey(const std::string& provider) {
  v1::SetKeyRequest req;
  req.set_provider(provider);
  // Read before any call: a daemon start must not eat into typing time,
  // and a piped key is consumed even if the daemon is down.
  AIX_ASSIGN_OR_RETURN(*req.mutable_key(),
                       ReadSecret(absl::StrCat("API key for ", provider, " (input hidden): ")));
  v1::KeyInfo info;
  AIX_RETURN_IF_ERROR(Call(&v1::KeyService::Stub::SetKey, req, &info));
  return info;
}

}  // namespace aix
