#include "daemon/history/history_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <set>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/files.h"
#include "common/json_text.h"
#include "common/status_macros.h"

namespace aix::history {
namespace {

using Arg = std::variant<std::string, int64_t>;

// Schema versions, in order; Open applies those after the file's
// user_version. Never edit one that has shipped: add the next.
const char* const kMigrations[] = {
    // 1: runs, their full-text index (prompt and answer), kept in step by
    // triggers.
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  prompt TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  rendered TEXT NOT NULL DEFAULT '',
  system TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  answer TEXT NOT NULL DEFAULT '',
  finish_reason TEXT NOT NULL DEFAULT '',
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  ttft_ms INTEGER NOT NULL DEFAULT -1,
  total_ms INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL,
  error_class TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  attempts TEXT NOT NULL DEFAULT '[]',
  client TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_time ON runs(started_ms);
CREATE VIRTUAL TABLE runs_text USING fts5(rendered, answer, content='runs', content_rowid='id');
CREATE TRIGGER runs_text_add AFTER INSERT ON runs BEGIN
  INSERT INTO runs_text(rowid, rendered, answer) VALUES (new.id, new.rendered, new.answer);
END;
CREATE TRIGGER runs_text_remove AFTER DELETE ON runs BEGIN
  INSERT INTO runs_text(runs_text, rowid, rendered, answer)
    VALUES ('delete', old.id, old.rendered, old.answer);
END;
)sql",
    // 2: conversations. A run is a turn of a conversation, whose id is its
    // first run's id; every earlier run becomes a conversation of one turn.
    // context keeps messages a caller sent before the turn's prompt (an
    // OpenAI-style request carries them all).
    R"sql(
ALTER TABLE runs ADD COLUMN conversation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN turn INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN context TEXT NOT NULL DEFAULT '';
UPDATE runs SET conversation = id;
CREATE INDEX runs_by_conversation ON runs(conversation, turn);
)sql",
    // 3: what a run carried besides text, as one JSON object: attachments
    // (by name, type, size and digest), the tool calls its answer made, the
    // structured output it asked for, the cost its provider reported.
    R"sql(
ALTER TABLE runs ADD COLUMN extras TEXT NOT NULL DEFAULT '{}';
)sql",
};
constexpr int kVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// kCost is a run's cost, NULL when its provider reported none.
constexpr char kCost[] =
    "CASE WHEN json_valid(extras) THEN json_extract(extras, '$.cost') END";

constexpr char kColumns[] =
    "id, started_ms, prompt, params, rendered, system, provider, model, answer, finish_reason, "
    "prompt_tokens, completion_tokens, ttft_ms, total_ms, outcome, error_class, error_message, "
    "attempts, client, conversation, turn, context, extras";
constexpr int kColumnCount = 23;

// kListedColumns are kColumns for listings: the long texts only as far as a
// listing shows them (the service cuts them to 160 characters), so listing
// 1,000 runs never reads their megabytes of answers.
constexpr char kListedColumns[] =
    "id, started_ms, prompt, params, substr(rendered, 1, 1000), system, provider, model, "
    "substr(answer, 1, 1000), finish_reason, prompt_tokens, completion_tokens, ttft_ms, "
    "total_ms, outcome, error_class, error_message, attempts, client, conversation, turn, '', "
    "extras";

// Fix is what to do about the error `db` last had: a damaged file has a
// remedy that loses nothing the user can still get back.
std::string Fix(sqlite3* db) {
  const int rc = sqlite3_extended_errcode(db) & 0xff;
  if (rc != SQLITE_CORRUPT && rc != SQLITE_NOTADB) return "";
  const char* file = sqlite3_db_filename(db, "main");
  const std::string path = file != nullptr && *file != '\0' ? file : "history.db";
  return absl::StrCat(
      ". The history file is damaged: move it away (mv ", path, " ", path,
      ".damaged) and aix starts a new one with the next run; sqlite3's .recover can get old runs "
      "out of the moved file. Runs themselves are not affected");
}

absl::Status Error(sqlite3* db, const std::string& what) {
  return absl::InternalError(
      absl::StrCat("run history (", what, "): ", sqlite3_errmsg(db), Fix(db)));
}

// Statement is one prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  absl::Status Bind(const std::vector<Arg>& args) {
    if (rc_ != SQLITE_OK) return Error(db_, "prepare");
    for (size_t i = 0; i < args.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      int rc;
      if (const auto* s = std::get_if<std::string>(&args[i])) {
        rc = sqlite3_bind_text(stmt_, at, s->data(), static_cast<int>(s->size()),
                               SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_int64(stmt_, at, std::get<int64_t>(args[i]));
      }
      if (rc != SQLITE_OK) return Error(db_, "bind");
    }
    return absl::OkStatus();
  }

  // Step returns true while there is a row.
  absl::StatusOr<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Error(db_, "step");
  }

  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  int Columns() const { return sqlite3_column_count(stmt_); }
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

absl::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return absl::InternalError(absl::StrCat("run history: ", msg, Fix(db)));
  }
  return absl::OkStatus();
}

RunRecord FromRow(const Statement& s) {
  RunRecord r;
  r.id = s.Int(0);
  r.started = absl::FromUnixMillis(s.Int(1));
  r.prompt = s.Text(2);
  nlohmann::json params = nlohmann::json::parse(s.Text(3), nullptr, false);
  if (params.is_object()) {
    for (auto& [k, v] : params.items()) {
      if (v.is_string()) r.params[k] = v.get<std::string>();
    }
  }
  r.rendered = s.Text(4);
  r.system = s.Text(5);
  r.provider = s.Text(6);
  r.model = s.Text(7);
  r.answer = s.Text(8);
  r.finish_reason = s.Text(9);
  // -1 is "not reported"; rows from before it was recorded say 0.
  if (s.Int(10) >= 0) r.prompt_tokens = s.Int(10);
  if (s.Int(11) >= 0) r.completion_tokens = s.Int(11);
  r.ttft_ms = s.Int(12);
  r.total_ms = s.Int(13);
  r.outcome = s.Text(14);
  r.error_class = s.Text(15);
  r.error_message = s.Text(16);
  r.attempts_json = s.Text(17);
  r.client = s.Text(18);
  r.conversation = s.Int(19);
  r.turn = static_cast<int>(s.Int(20));
  r.context_json = s.Text(21);
  r.extras = nlohmann::json::parse(s.Text(22), nullptr, false);
  if (!r.extras.is_object()) r.extras = nlohmann::json::object();
  if (s.Columns() > kColumnCount) r.snippet = s.Text(kColumnCount);
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HistoryStore>> HistoryStore::Open(const std::string& path) {
  // Created 0600 before SQLite opens it, whatever the umask; SQLite gives
  // its -wal and -shm files the database's mode.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus(errno, "open the run history " + path);
  fchmod(fd, 0600);
  close(fd);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    absl::Status s = Error(db, "open " + path);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<HistoryStore> store(new HistoryStore(db, path));
  sqlite3_busy_timeout(db, 5000);
  // WAL: a killed daemon loses at most the transaction it was in; readers
  // never wait for the writer. NORMAL sync is durable against a crash of
  // the process (what matters here), not of the machine's power.
  absl::Status s = Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (!s.ok()) return s;
  int version = 0;
  {
    Statement v(db, "PRAGMA user_version");
    if (absl::Status b = v.Bind({}); !b.ok()) return b;
    auto row = v.Step();
    if (!row.ok()) return row.status();
    version = *row ? static_cast<int>(v.Int(0)) : 0;
  }
  if (version > kVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the run history ", path, " was written by a newer aix (schema ", version,
        "; this one knows ", kVersion, "). Upgrade aix, or move the file away to start anew"));
  }
  if (version < kVersion) {
    if (s = Exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
    for (int v = version; v < kVersion; ++v) {
      if (s = Exec(db, kMigrations[v]); !s.ok()) {
        Exec(db, "ROLLBACK").IgnoreError();
        return s;
      }
    }
    s = Exec(db, absl::StrCat("PRAGMA user_version = ", kVersion, "; COMMIT").c_str());
    if (!s.ok()) {
      Exec(db, "ROLLBACK").IgnoreError();
      return s;
    }
  }
  {
    Statement last(db, "SELECT COALESCE(MAX(id), 0) FROM runs");
    if (absl::Status b = last.Bind({}); !b.ok()) return b;
    auto row = last.Step();
    if (!row.ok()) return row.status();
    store->next_id_ = (*row ? last.Int(0) : 0) + 1;
  }
  return store;
}

HistoryStore::~HistoryStore() { sqlite3_close(db_); }

int64_t HistoryStore::ReserveId() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_id_++;
}

absl::StatusOr<int64_t> HistoryStore::Add(const RunRecord& r) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : r.params) params[k] = v;
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t id = r.id != 0 ? r.id : next_id_++;
  next_id_ = std::max(next_id_, id + 1);
  // The turn is numbered here, by the one writer, so that two follow-ups
  // racing to the same conversation get distinct turns. A conversation
  // deleted meanwhile makes this run the first turn of a new one.
  int64_t conversation = id;
  int64_t turn = 1;
  if (r.conversation != 0) {
    auto found = ConversationOfLocked(r.conversation);
    if (found.ok()) {
      conversation = *found;
      auto last = IdsLocked("SELECT MAX(turn) FROM runs WHERE conversation = ?", conversation);
      if (!last.ok()) return last.status();
      turn = (last->empty() ? 0 : last->front()) + 1;
    } else if (found.status().code() != absl::StatusCode::kNotFound) {
      return found.status();
    }
  }
  Statement s(db_, absl::StrCat("INSERT INTO runs (", kColumns, ") VALUES (",
                                absl::StrJoin(std::vector<std::string>(kColumnCount, "?"), ","), ")"));
  absl::Status b = s.Bind({id, absl::ToUnixMillis(r.started), r.prompt,
                           JsonText(params),
                           r.rendered, r.system, r.provider, r.model, r.answer, r.finish_reason,
                           r.prompt_tokens.value_or(-1), r.completion_tokens.value_or(-1), r.ttft_ms, r.total_ms, r.outcome,
                           r.error_class, r.error_message,
                           r.attempts_json.empty() ? std::string("[]") : r.attempts_json,
                           r.client, conversation, turn, r.context_json,
                           JsonText(r.extras.is_object() ? r.extras : nlohmann::json::object())});
  if (!b.ok()) return b;
  auto done = s.Step();
  if (!done.ok()) return done.status();
  return id;
}

absl::StatusOr<std::vector<int64_t>> HistoryStore::IdsLocked(const std::string& sql, int64_t arg) {
  Statement s(db_, sql);
  if (absl::Status b = s.Bind({arg}); !b.ok()) return b;
  std::vector<int64_t> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (sqlite3_column_type(s.raw(), 0) != SQLITE_NULL) out.push_back(s.Int(0));
  }
  return out;
}

absl::StatusOr<int64_t> HistoryStore::ConversationOfLocked(int64_t id) {
  AIX_ASSIGN_OR_RETURN(
      std::vector<int64_t> found,
      IdsLocked("SELECT conversation FROM runs WHERE id = ?1 UNION ALL "
                "SELECT conversation FROM runs WHERE conversation = ?1 LIMIT 1",
                id));
  if (found.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no conversation or run ", id, " in the history (deleted, pruned, or never recorded); "
        "see the ids with: aix history"));
  }
  return found.front();
}

absl::StatusOr<int64_t> HistoryStore::ConversationOf(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return ConversationOfLocked(id);
}

absl::StatusOr<int64_t> HistoryStore::NewestConversation(const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, "SELECT conversation FROM runs WHERE client = ? ORDER BY id DESC LIMIT 1");
  if (absl::Status b = s.Bind({client}); !b.ok()) return b;
  AIX_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return absl::NotFoundError(
        "there is no conversation to continue yet: start one with aix run NAME (or aix chat)");
  }
  return s.Int(0);
}

absl::StatusOr<std::vector<RunRecord>> HistoryStore::Turns(int64_t conversation, int max_turns,
                                                           size_t max_bytes, bool* over_budget) {
  if (over_budget != nullptr) *over_budget = false;
  std::lock_guard<std::mutex> lock(mu_);
  // Newest first, so that a budget keeps the turns a follow-up needs most,
  // and a conversation of any size costs at most the budget (and one row).
  Statement s(db_, absl::StrCat("SELECT ", kColumns,
                                " FROM runs WHERE conversation = ? ORDER BY turn DESC, id DESC",
                                max_turns > 0 ? " LIMIT ?" : ""));
  std::vector<Arg> args = {conversation};
  if (max_turns > 0) args.push_back(int64_t{max_turns});
  AIX_RETURN_IF_ERROR(s.Bind(args));
  std::vector<RunRecord> out;
  size_t bytes = 0;
  while (true) {
    AIX_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    RunRecord r = FromRow(s);
    bytes += r.rendered.size() + r.answer.size() + r.context_json.size() + r.system.size();
    if (bytes > max_bytes && !out.empty()) {
      if (over_budget != nullptr) *over_budget = true;
      break;
    }
    out.push_back(std::move(r));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

absl::Status HistoryStore::SummarizeLocked(Conversation* c) {
  Statement s(db_,
              "SELECT MIN(started_ms), MAX(started_ms), COUNT(*), SUM(MAX(prompt_tokens, 0)), "
              "SUM(MAX(completion_tokens, 0)), MIN(turn), MAX(turn) FROM runs WHERE "
              "conversation = ?");
  AIX_RETURN_IF_ERROR(s.Bind({c->id}));
  AIX_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return absl::OkStatus();
  c->started = absl::FromUnixMillis(s.Int(0));
  c->updated = absl::FromUnixMillis(s.Int(1));
  c->turns = static_cast<int>(s.Int(2));
  c->prompt_tokens = s.Int(3);
  c->completion_tokens = s.Int(4);
  c->first.turn = static_cast<int>(s.Int(5));
  c->last.turn = static_cast<int>(s.Int(6));
  return absl::OkStatus();
}

absl::StatusOr<Conversation> HistoryStore::Summary(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Conversation c;
  AIX_ASSIGN_OR_RETURN(c.id, ConversationOfLocked(id));
  AIX_RETURN_IF_ERROR(SummarizeLocked(&c));
  return c;
}

absl::StatusOr<std::vector<Conversation>> HistoryStore::Conversations(const Filter& f) {
  std::vector<std::string> where;
  std::vector<Arg> args;
  if (!f.prompt.empty()) where.push_back("prompt = ?"), args.push_back(f.prompt);
  if (!f.provider.empty()) where.push_back("provider = ?"), args.push_back(f.provider);
  if (!f.model.empty()) where.push_back("model = ?"), args.push_back(f.model);
  if (f.failed_only) where.push_back("outcome != 'ok'");
  // Without a time the scan goes by id, newest first, and stops early.
  if (f.since != absl::InfinitePast()) {
    where.push_back("started_ms >= ?");
    args.push_back(absl::ToUnixMillis(f.since));
  }
  where.push_back("1");
  std::vector<Conversation> out;
  std::lock_guard<std::mutex> lock(mu_);
  {
    // Matching runs newest first, until `limit` conversations are seen: a
    // listing reads a few rows, not the whole history (GROUP BY over
    // 100,000 runs would).
    Statement s(db_, absl::StrCat("SELECT conversation FROM runs WHERE ",
                                  absl::StrJoin(where, " AND "), " ORDER BY id DESC"));
    AIX_RETURN_IF_ERROR(s.Bind(args));
    std::set<int64_t> seen;
    while (out.size() < static_cast<size_t>(f.limit)) {
      AIX_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (!seen.insert(s.Int(0)).second) continue;
      Conversation c;
      c.id = s.Int(0);
      out.push_back(std::move(c));
    }
  }
  for (Conversation& c : out) AIX_RETURN_IF_ERROR(SummarizeLocked(&c));
  for (Conversation& c : out) {
    Statement s(db_, absl::StrCat("SELECT ", kListedColumns,
                                  " FROM runs WHERE conversation = ? AND turn IN (?, ?) "
                                  "ORDER BY turn, id"));
    AIX_RETURN_IF_ERROR(s.Bind({c.id, int64_t{c.first.turn}, int64_t{c.last.turn}}));
    std::vector<RunRecord> ends;
    while (true) {
      AIX_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ends.push_back(FromRow(s));
    }
    if (ends.empty()) continue;
    c.first = ends.front();
    c.last = ends.back();
  }
  return out;
}

absl::StatusOr<std::vector<RunRecord>> HistoryStore::Query(const std::string& sql,
                                                           const std::vector<std::string>& text,
                                                           const std::vector<int64_t>& ints) {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryLocked(sql, text, ints);
}

absl::StatusOr<std::vector<RunRecord>> HistoryStore::QueryLocked(
    const std::string& sql, const std::vector<std::string>& text,
    const std::vector<int64_t>& ints) {
  std::vector<Arg> args(text.begin(), text.end());
  args.insert(args.end(), ints.begin(), ints.end());
  Statement s(db_, sql);
  if (absl::Status b = s.Bind(args); !b.ok()) return b;
  std::vector<RunRecord> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(FromRow(s));
  }
  return out;
}

absl::StatusOr<std::vector<RunRecord>> HistoryStore::List(const Filter& f) {
  std::vector<std::string> where = {"started_ms >= ?"};
  std::vector<std::string> text;
  if (!f.prompt.empty()) where.push_back("prompt = ?"), text.push_back(f.prompt);
  if (!f.provider.empty()) where.push_back("provider = ?"), text.push_back(f.provider);
  if (!f.model.empty()) where.push_back("model = ?"), text.push_back(f.model);
  if (f.failed_only) where.push_back("outcome != 'ok'");
  // Text parameters are bound first, so the time goes last in the clause.
  std::rotate(where.begin(), where.begin() + 1, where.end());
  const int64_t since =
      f.since == absl::InfinitePast() ? INT64_MIN : absl::ToUnixMillis(f.since);
  return Query(absl::StrCat("SELECT ", kListedColumns, " FROM runs WHERE ", absl::StrJoin(where, " AND "),
                            " ORDER BY started_ms DESC, id DESC LIMIT ?"),
               text, {since, f.limit});
}

absl::StatusOr<std::vector<RunRecord>> HistoryStore::Search(const std::string& query, int limit) {
  // A query is a few words: FTS5's cost grows with every term (a 450 KB
  // query took 19 s and 1.5 GB while the history was locked).
  if (query.size() > kMaxSearchBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a search is at most ", kMaxSearchBytes, " bytes (this one is ", query.size(),
        "); search for a few distinctive words"));
  }
  // Plain words are quoted, so that "what's -x" is words, not FTS5 syntax
  // errors; all must match.
  std::vector<std::string> terms;
  std::string term;
  for (char c : query + " ") {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!term.empty()) terms.push_back("\"" + term + "\"");
      term.clear();
    } else if (c == '"') {
      term += "\"\"";
    } else {
      term += c;
    }
  }
  if (terms.empty()) return absl::InvalidArgumentError("search for what? Give one or more words");
  if (terms.size() > kMaxSearchWords) {
    return absl::InvalidArgumentError(absl::StrCat("a search takes at most ", kMaxSearchWords,
                                                   " words (this one has ", terms.size(),
                                                   "); search for fewer, more distinctive words"));
  }
  // Newest first, as in a shell's history: FTS5 walks its index in rowid
  // order and stops at the limit, where ranking by relevance would score
  // every match (160 ms for a common word over 100,000 runs).
  // Each hit carries a snippet of the column that matched best: a dozen
  // words, the matched ones marked, so a listing shows why a run matched.
  const std::string snippet = absl::StrCat(
      "(SELECT snippet(runs_text, -1, char(", int{kMatchStart}, "), char(", int{kMatchEnd},
      "), '…', 12) FROM runs_text WHERE runs_text MATCH ?1 AND rowid = runs.id)");
  std::string sql = absl::StrCat("SELECT ", kListedColumns, ", ", snippet,
                                 " FROM runs WHERE id IN (SELECT rowid FROM runs_text WHERE "
                                 "runs_text MATCH ?1 ORDER BY rowid DESC LIMIT ?2) ORDER BY id DESC");
  return Query(sql, {absl::StrJoin(terms, " ")}, {limit});
}

absl::StatusOr<RunRecord> HistoryStore::Get(int64_t id) {
  auto rows = Query(absl::StrCat("SELECT ", kColumns, " FROM runs WHERE id = ?"), {}, {id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::NotFoundError(
        absl::StrCat("no run ", id, " in the history; see the ids with: aix history"));
  }
  return std::move(rows->front());
}

absl::StatusOr<int> HistoryStore::Delete(const std::vector<int64_t>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  int removed = 0;
  if (absl::Status s = Exec(db_, "BEGIN IMMEDIATE"); !s.ok()) return s;
  for (int64_t id : ids) {
    Statement s(db_, "DELETE FROM runs WHERE id = ?");
    absl::Status b = s.Bind({id});
    absl::StatusOr<bool> done = b.ok() ? s.Step() : absl::StatusOr<bool>(b);
    if (!done.ok()) {
      Exec(db_, "ROLLBACK").IgnoreError();
      return done.status();
    }
    removed += sqlite3_changes(db_);
  }
  if (absl::Status s = Exec(db_, "COMMIT"); !s.ok()) return s;
  return removed;
}

absl::StatusOr<int> HistoryStore::DeleteConversations(const std::vector<int64_t>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  int removed = 0;
  AIX_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  for (int64_t id : ids) {
    absl::StatusOr<int64_t> conversation = ConversationOfLocked(id);
    if (!conversation.ok() && conversation.status().code() == absl::StatusCode::kNotFound) continue;
    absl::StatusOr<bool> done = false;
    if (!conversation.ok()) {
      done = conversation.status();
    } else {
      Statement s(db_, "DELETE FROM runs WHERE conversation = ?");
      absl::Status b = s.Bind({*conversation});
      done = b.ok() ? s.Step() : absl::StatusOr<bool>(b);
    }
    if (!done.ok()) {
      Exec(db_, "ROLLBACK").IgnoreError();
      return done.status();
    }
    removed += sqlite3_changes(db_);
  }
  AIX_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
  return removed;
}

absl::StatusOr<int> HistoryStore::Prune(absl::Time before) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_,
              "DELETE FROM runs WHERE conversation IN (SELECT conversation FROM runs GROUP BY "
              "conversation HAVING MAX(started_ms) < ?)");
  if (absl::Status b = s.Bind({absl::ToUnixMillis(before)}); !b.ok()) return b;
  auto done = s.Step();
  if (!done.ok()) return done.status();
  return sqlite3_changes(db_);
}

absl::StatusOr<std::vector<UsageRow>> HistoryStore::Usage(absl::Time since, bool by_month) {
  const std::string period = by_month ? "strftime('%Y-%m', started_ms / 1000, 'unixepoch')"
                                      : "strftime('%Y-%m-%d', started_ms / 1000, 'unixepoch')";
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, absl::StrCat("SELECT ", period,
                                " AS p, provider, model, COUNT(*), SUM(MAX(prompt_tokens, 0)), "
                                "SUM(MAX(completion_tokens, 0)), COUNT(", kCost, "), TOTAL(", kCost,
                                "), SUM(outcome != 'ok'), "
                                "AVG(CASE WHEN outcome = 'ok' AND ttft_ms > 0 THEN ttft_ms END) "
                                "FROM runs WHERE started_ms >= ? "
                                "GROUP BY p, provider, model ORDER BY p, provider, model"));
  const int64_t from = since == absl::InfinitePast() ? INT64_MIN : absl::ToUnixMillis(since);
  if (absl::Status b = s.Bind({from}); !b.ok()) return b;
  std::vector<UsageRow> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    UsageRow row_out{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4), s.Int(5), std::nullopt};
    if (s.Int(6) > 0) row_out.cost = sqlite3_column_double(s.raw(), 7);
    row_out.failed_runs = s.Int(8);
    row_out.mean_ttft_ms = static_cast<int64_t>(sqlite3_column_double(s.raw(), 9) + 0.5);
    out.push_back(std::move(row_out));
  }
  return out;
}

}  // namespace aix::history
