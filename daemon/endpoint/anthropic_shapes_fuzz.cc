// Fuzz target for the Messages API's request translation: nothing throws
// or crashes on any body, and a request it accepts is a chat the run path
// takes (a model, at least one message).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/endpoint/anthropic_shapes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string param;
  absl::string_view body(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<aix::endpoint::ChatCall> call = aix::endpoint::ParseMessagesCall(body, &param);
  if (call.ok() && (call->model.empty() || (call->run.messages_size() == 0 && call->run.prompt().empty()))) {
    std::abort();
  }
  return 0;
}
