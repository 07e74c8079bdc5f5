// The OpenAI chat-completions wire format (see dialect.h for what a dialect does).
#ifndef AIX_DAEMON_PROVIDERS_OPENAI_DIALECT_H_
#define AIX_DAEMON_PROVIDERS_OPENAI_DIALECT_H_

#include "daemon/providers/dialect.h"

namespace aix::providers {

// OpenAiDialectInstance is the one instance (stateless, shared by all runs).
const Dialect& OpenAiDialectInstance();

}  // namespace aix::providers

#endif  // AIX_DAEMON_PROVIDERS_OPENAI_DIALECT_H_
