// A recorded conversation as the next turn continues it: the turns sent
// before the new prompt, and the provider, model and system prompt the
// follow-up inherits. Pure: it reads records the caller loaded from the run
// history (conversation_test.cc).
#ifndef AIX_DAEMON_RUNS_CONVERSATION_H_
#define AIX_DAEMON_RUNS_CONVERSATION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/history/history_store.h"
#include "daemon/providers/provider.h"

namespace aix::runs {

// kMaxConversationBytes bounds what a follow-up sends of its earlier turns:
// past it, the caller is told to keep fewer (last_turns). A provider's
// context window is far smaller; the bound keeps one request from holding
// hundreds of megabytes in aixd.
inline constexpr size_t kMaxConversationBytes = 32 << 20;

// Earlier is what a follow-up continues from.
struct Earlier {
  int64_t conversation = 0;
  std::vector<providers::Turn> turns;  // in order, user and assistant
  int sent_turns = 0;                  // recorded turns those come from
  // From the newest turn that was answered (else the newest): who answered
  // and with which system prompt.
  std::string provider, model, system;
};

// EarlierTurns turns `runs` (a conversation's records, by turn) into what a
// follow-up sends. A turn without an answer (failed before any text) is
// left out; a cancelled one goes with what streamed. With `last` > 0 only
// the last `last` turns are sent. FailedPrecondition when a turn sent was
// longer than the history keeps, or the turns exceed kMaxConversationBytes
// (both name --last as the way on).
absl::StatusOr<Earlier> EarlierTurns(int64_t conversation,
                                     const std::vector<history::RunRecord>& runs, int last);

// TooMuchText is the refusal of a conversation over kMaxConversationBytes.
absl::Status TooMuchText(int64_t conversation);

// TooLongHint is what to add to a provider's refusal of a continued
// conversation that looks like "too long for the model"; empty otherwise.
std::string TooLongHint(absl::string_view error, int sent_turns);

}  // namespace aix::runs

#endif  // AIX_DAEMON_RUNS_CONVERSATION_H_
