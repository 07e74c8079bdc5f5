// Message-size limits of the aix.v1 API, shared by aixd and aix (docs/API.md).
#ifndef AIX_COMMON_LIMITS_H_
#define AIX_COMMON_LIMITS_H_

#include <cstddef>

namespace aix {

// kMaxRequestBytes: the largest request aixd accepts (a run's stdin and
// parameters, a prompt's template). aix checks before sending and says so.
inline constexpr size_t kMaxRequestBytes = 16 << 20;

// kMaxResponseBytes: the largest single reply aix accepts. Listings carry
// no templates, so they stay far below it.
inline constexpr size_t kMaxResponseBytes = 64 << 20;

// The run history keeps the first kHistoryTextBytes of each parameter and
// of the prompt as sent (a 9 MB stdin is not kept twice, plus its index,
// for every run); what was cut ends with kHistoryCutMark, so `aix history
// rerun` knows it does not have the whole input. Answers keep 4 MiB.
inline constexpr size_t kHistoryTextBytes = 1 << 20;
inline constexpr char kHistoryCutMark[] = "\n[aix: the rest was not kept in the run history]";

// Metadata keys carrying each side's release, so a client newer than the
// daemon it reaches notices (proto3 would silently drop the fields the old
// daemon does not know).
inline constexpr char kDaemonVersionHeader[] = "aixd-version";
inline constexpr char kClientVersionHeader[] = "aix-client-version";

}  // namespace aix

#endif  // AIX_COMMON_LIMITS_H_
