// The Anthropic Messages wire format (see dialect.h for what a dialect does).
#ifndef AIX_DAEMON_PROVIDERS_ANTHROPIC_DIALECT_H_
#define AIX_DAEMON_PROVIDERS_ANTHROPIC_DIALECT_H_

#include "daemon/providers/dialect.h"

namespace aix::providers {

// AnthropicDialectInstance is the one instance (stateless, shared by all runs).
const Dialect& AnthropicDialectInstance();

}  // namespace aix::providers

#endif  // AIX_DAEMON_PROVIDERS_ANTHROPIC_DIALECT_H_
