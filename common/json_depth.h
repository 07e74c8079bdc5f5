// A bound on how deeply JSON text nests, checked before it is parsed.
//
// A parser builds one node per level: 16 MiB of "[" cost nlohmann::json over
// a gigabyte and seconds of one thread. No request, reply or file aix reads
// needs more than a few dozen levels (a tool's JSON Schema included).
#ifndef AIX_COMMON_JSON_DEPTH_H_
#define AIX_COMMON_JSON_DEPTH_H_

#include "absl/strings/string_view.h"

namespace aix {

inline constexpr int kMaxJsonDepth = 128;

// NestingWithin is true when no array or object in `text` (assumed JSON,
// valid or not) is nested more than `max_depth` levels deep. Brackets
// inside strings do not count. Linear, no allocation.
bool NestingWithin(absl::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace aix

#endif  // AIX_COMMON_JSON_DEPTH_H_
