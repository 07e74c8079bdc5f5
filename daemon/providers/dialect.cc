#include "daemon/providers/dialect.h"

#include "daemon/providers/anthropic_dialect.h"
#include "daemon/providers/openai_dialect.h"

namespace aix::providers {

const Dialect& DialectFor(Wire wire) {
  return wire == Wire::kAnthropic ? AnthropicDialectInstance() : OpenAiDialectInstance();
}

}  // namespace aix::providers
