// Fuzz target for the MCP message parser: nothing throws or crashes on any
// bytes; an accepted message has a kind its fields agree with, and every
// error it answers is one line of JSON-RPC.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/mcp/jsonrpc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using aix::mcp::Message;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  aix::mcp::ParseResult r = aix::mcp::Parse(text);
  if (r.ok) {
    const Message& m = r.message;
    const bool has_id = m.id.is_string() || m.id.is_number();
    if ((m.kind == Message::kNotification) == has_id) std::abort();
    if (m.kind != Message::kResponse && m.method.empty()) std::abort();
    if (!m.params.is_null() && !m.params.is_object()) std::abort();
  } else {
    std::string line = aix::mcp::Error(r.id, r.error);
    if (line.find('\n') != std::string::npos || r.error.message.empty()) std::abort();
  }
  return 0;
}
