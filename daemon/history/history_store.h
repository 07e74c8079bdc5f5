// HistoryStore keeps every run in one SQLite database (history.db in the
// storage directory): what was asked, what came back, what it cost.
//
// Why SQLite: one file, transactions that survive a killed daemon (WAL),
// full-text search (FTS5) and aggregation without a server, and other tools
// can read it. The file is created 0600 in the private storage directory;
// no API key ever reaches it (runs carry keys only in the request headers,
// which are not recorded).
//
// The schema is versioned with PRAGMA user_version; Open migrates an older
// file forward in one transaction and refuses a newer one.
//
// Thread-safe: one connection behind a mutex. Writes come from one writer
// thread (HistoryWriter); reads from gRPC handlers wait at most for one
// insert.
#ifndef AIX_DAEMON_HISTORY_HISTORY_STORE_H_
#define AIX_DAEMON_HISTORY_HISTORY_STORE_H_

#include <optional>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct sqlite3;

namespace aix::history {

// RunRecord is one run as recorded.
struct RunRecord {
  int64_t id = 0;  // from ReserveId, or assigned by Add when 0
  // conversation: the conversation this run continues (any of its run
  // ids), or 0 for a new one; Add sets it to the conversation's id (its
  // first run's id) and numbers the turn.
  int64_t conversation = 0;
  int turn = 0;
  // context: messages sent before this turn's prompt that are not earlier
  // turns in the history, as JSON [{"role":…,"content":…}]; "" for none.
  std::string context_json;
  absl::Time started;
  std::string prompt;  // the saved prompt's name
  std::map<std::string, std::string> params;
  std::string rendered;  // the prompt as sent
  std::string system;    // the system prompt sent, if any
  std::string provider;  // that answered (or was last tried)
  std::string model;
  std::string answer;  // as streamed, also when the run was cut short
  std::string finish_reason;
  // Absent when the provider did not report them (stored as -1).
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  int64_t ttft_ms = -1;  // time to first token; -1: none arrived
  int64_t total_ms = 0;
  std::string outcome;        // "ok", "cancelled" or "failed"
  std::string error_class;    // failed: the status code's name ("UNAVAILABLE")
  std::string error_message;  // failed or cancelled: the first line
  std::string attempts_json;  // every attempt: [{"provider":…,"model":…,…}]
  std::string client;         // who asked: "aix", "grpc", "http"
  // extras: what the run carried besides text, a JSON object: "attachments"
  // [{name, media_type, bytes, sha256}], "tool_calls" [{id, name,
  // arguments}], "response_format" (OpenAI's object), "cost" (a number, in
  // the provider's unit); each only when there is one.
  nlohmann::json extras = nlohmann::json::object();
  // Search only: the words around a match in the prompt or the answer, each
  // matched word between kMatchStart and kMatchEnd.
  std::string snippet;
};

inline constexpr char kMatchStart = '\x02';
inline constexpr char kMatchEnd = '\x03';

struct Filter {
  std::string prompt, provider, model;  // exact matches; empty: any
  absl::Time since = absl::InfinitePast();
  bool failed_only = false;  // outcome other than ok
  int limit = 20;
};

// Conversation sums up a run and its follow-ups.
struct Conversation {
  int64_t id = 0;
  absl::Time started, updated;
  int turns = 0;
  int64_t prompt_tokens = 0, completion_tokens = 0;
  RunRecord first, last;
};

struct UsageRow {
  std::string period;  // "2026-11-30", or "2026-11" by month
  std::string provider, model;
  int64_t runs = 0;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  // Summed over the runs whose provider reported a cost; absent if none.
  std::optional<double> cost;
  int64_t failed_runs = 0;  // outcome other than "ok"
  // Mean time to the first token over the successful runs that streamed
  // one; 0 when none did.
  int64_t mean_ttft_ms = 0;
};

class HistoryStore {
 public:
  // Open opens (creating if needed, 0600) and migrates the database.
  static absl::StatusOr<std::unique_ptr<HistoryStore>> Open(const std::string& path);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // ReserveId returns an id no run has, for a run about to start: its
  // caller knows it before the run is written (RunDone.run_id).
  int64_t ReserveId();

  // Add writes `run` and returns its id.
  absl::StatusOr<int64_t> Add(const RunRecord& run);

  // ConversationOf returns the id of the conversation that `id` names: a
  // run's, or a conversation's (whose first turn may have been deleted).
  // NotFound names the id and where to find ids.
  absl::StatusOr<int64_t> ConversationOf(int64_t id);
  // NewestConversation is the conversation of the newest run made by
  // `client` ("aix"); NotFound when there is none.
  absl::StatusOr<int64_t> NewestConversation(const std::string& client);
  // Turns returns a conversation's runs in order (by turn): the newest
  // `max_turns` (0: all), and of those, newest first, only as many as keep
  // their text (prompt, answer, context, system prompt) within `max_bytes`
  // (the newest always); *over_budget says whether older ones were left
  // out for that.
  absl::StatusOr<std::vector<RunRecord>> Turns(int64_t conversation, int max_turns = 0,
                                               size_t max_bytes = SIZE_MAX,
                                               bool* over_budget = nullptr);
  // Summary sums up the conversation `id` names (any of its run ids):
  // times, turns, tokens (first and last carry only their turn numbers).
  absl::StatusOr<Conversation> Summary(int64_t id);
  // Conversations returns the conversations with a run that matches
  // `filter`, the newest-updated first.
  absl::StatusOr<std::vector<Conversation>> Conversations(const Filter& filter);
  // DeleteConversations removes every run of the conversations `ids` name;
  // returns how many runs.
  absl::StatusOr<int> DeleteConversations(const std::vector<int64_t>& ids);
  // List returns the newest runs first that match `filter`.
  absl::StatusOr<std::vector<RunRecord>> List(const Filter& filter);
  // Search returns the newest runs whose prompt or answer contain every
  // word of `query` (whole words, any case; quotes and operators are taken
  // as text).
  // A query over kMaxSearchBytes or kMaxSearchWords is refused
  // (InvalidArgument, naming the bound).
  static constexpr size_t kMaxSearchBytes = 1024;
  static constexpr size_t kMaxSearchWords = 32;
  absl::StatusOr<std::vector<RunRecord>> Search(const std::string& query, int limit);
  // Get returns one run; NotFound names the id.
  absl::StatusOr<RunRecord> Get(int64_t id);
  // Delete removes the given runs; returns how many existed.
  absl::StatusOr<int> Delete(const std::vector<int64_t>& ids);
  // Prune removes the conversations whose newest run started before
  // `before` (one still in use keeps its old turns); returns how many runs.
  absl::StatusOr<int> Prune(absl::Time before);
  // Usage sums runs and tokens by day (or month), provider and model.
  absl::StatusOr<std::vector<UsageRow>> Usage(absl::Time since, bool by_month);

  const std::string& path() const { return path_; }

 private:
  HistoryStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  absl::StatusOr<std::vector<RunRecord>> Query(const std::string& sql,
                                               const std::vector<std::string>& text_args,
                                               const std::vector<int64_t>& int_args);

  // The *Locked helpers expect mu_ held.
  absl::StatusOr<std::vector<RunRecord>> QueryLocked(const std::string& sql,
                                                     const std::vector<std::string>& text_args,
                                                     const std::vector<int64_t>& int_args);
  absl::StatusOr<std::vector<int64_t>> IdsLocked(const std::string& sql, int64_t arg);
  absl::StatusOr<int64_t> ConversationOfLocked(int64_t id);
  absl::Status SummarizeLocked(Conversation* c);

  std::mutex mu_;
  sqlite3* db_;  // guarded by mu_
  int64_t next_id_ = 1;  // guarded by mu_
  const std::string path_;
};

}  // namespace aix::history

#endif  // AIX_DAEMON_HISTORY_HISTORY_STORE_H_
