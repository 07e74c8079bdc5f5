// The defaults of the run path's numeric settings, in one place.
//
// FixedSettings (settings_schema.h) states them to users and validation;
// the typed views aixd passes along a run (RunSettings, the provider
// request, the plan, a transfer's limits) start from the same constants,
// so a default is changed here and nowhere else. Header-only, no
// dependencies: the HTTP layer reads it too.
#ifndef AIX_COMMON_SETTING_DEFAULTS_H_
#define AIX_COMMON_SETTING_DEFAULTS_H_

#include <cstdint>

namespace aix::config::defaults {

inline constexpr int64_t kMaxTokens = 1024;
inline constexpr double kTemperature = 0.7;
inline constexpr int64_t kCommandTimeoutSeconds = 30;
inline constexpr int64_t kConnectTimeoutSeconds = 10;
inline constexpr int64_t kFirstByteTimeoutSeconds = 120;
inline constexpr int64_t kIdleTimeoutSeconds = 60;
inline constexpr int64_t kMaxRetries = 2;
inline constexpr int64_t kHistoryKeepDays = 0;  // keep every run

}  // namespace aix::config::defaults

#endif  // AIX_COMMON_SETTING_DEFAULTS_H_
