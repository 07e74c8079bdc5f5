// Fuzz target for the endpoint's request parser (a request body is the
// least trusted input aixd has: anything on the machine may send one).
// Properties: nothing throws or crashes; a refusal names a field or says
// the body is malformed; an accepted request is one gRPC can carry (every
// string valid UTF-8) and names a prompt or holds a user or assistant turn;
// the error object for any message is valid JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "daemon/endpoint/openai_shapes.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  std::string param;
  auto call = aix::endpoint::ParseChatCall(body, &param);
  if (!call.ok()) {
    Check(call.status().code() == absl::StatusCode::kInvalidArgument);
    std::string error = aix::endpoint::ErrorJson(400, call.status().message(), param);
    Check(!nlohmann::json::parse(error, nullptr, false).is_discarded());
    return 0;
  }
  const aix::v1::RunRequest& run = call->run;
  Check(!run.prompt().empty() || run.messages_size() > 0);
  std::string wire;
  Check(run.SerializeToString(&wire));
  for (const aix::v1::ChatMessage& m : run.messages()) {
    Check(m.role() == "system" || m.role() == "user" || m.role() == "assistant");
    Check(aix::FirstInvalidUtf8(m.content()) == absl::string_view::npos);
  }
  return 0;
}
