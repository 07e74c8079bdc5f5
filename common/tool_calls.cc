#include "common/tool_calls.h"

namespace aix {

bool JoinToolCall(const v1::ToolCallDelta& piece, std::vector<v1::ToolCallDelta>* calls,
                  size_t max_calls, size_t max_arguments) {
  for (v1::ToolCallDelta& c : *calls) {
    if (c.index() != piece.index()) continue;
    if (c.id().empty()) c.set_id(piece.id());
    if (c.name().empty()) c.set_name(piece.name());
    if (c.arguments().size() < max_arguments) c.mutable_arguments()->append(piece.arguments());
    return true;
  }
  if (calls->size() >= max_calls) return false;
  calls->push_back(piece);
  return true;
}

}  // namespace aix
