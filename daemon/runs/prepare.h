// Prepare: a RunRequest (from aix, a gRPC client or the HTTP endpoint)
// becomes a run ready to go: the plan event the client sees first, the plan
// of attempts, and what the history will record of it. The checks that
// come before anything is sent are here: a saved prompt or messages, not
// both; an imported prompt's own destination only once trusted; fallbacks
// well formed; the loaded collection's notes.
#ifndef AIX_DAEMON_RUNS_PREPARE_H_
#define AIX_DAEMON_RUNS_PREPARE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "aix/v1/runs.pb.h"
#include "daemon/config/config_store.h"
#include "daemon/history/history_store.h"
#include "daemon/prompts/collection_store.h"
#include "daemon/prompts/prompt_store.h"
#include "daemon/runs/conversation.h"
#include "daemon/runs/plan.h"

namespace aix::runs {

// Prepared is a run ready to go: the plan event for the client and, for
// EXECUTE, the plan of attempts.
struct Prepared {
  v1::RunEvent plan_event;
  v1::RunRequest::Mode mode = v1::RunRequest::EXECUTE;
  runs::Plan plan;
  // record: the run goes into the run history; `history` has what is known
  // before it starts.
  bool record = false;
  history::RunRecord history;
};

// `earlier` is the conversation the request continues, loaded from the
// history (RunRequest.conversation_id); the history record then names it.
absl::StatusOr<Prepared> Prepare(config::ConfigStore* config, prompts::PromptStore* prompts,
                                 const prompts::CollectionStore* collections,
                                 const v1::RunRequest& req,
                                 std::optional<Earlier> earlier = std::nullopt);

}  // namespace aix::runs

#endif  // AIX_DAEMON_RUNS_PREPARE_H_
