// The run history: aix history [search|show|rerun|delete|prune], aix usage.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "aix/v1/history.grpc.pb.h"
#include "client/call.h"
#include "client/cli/subcommand.h"
#include "client/cli/run_cmd.h"
#include "common/proto_json.h"
#include "client/terminal.h"
#include "common/json_text.h"
#include "common/limits.h"
#include "common/status_macros.h"
#include "common/text.h"

namespace aix {
namespace {

// ParseWhen reads a time the way people type one: a date or date and time
// in local time (2026-11-30, 2026-11-30T14:05, "2026-11-30 14:05:09"), or an
// age back from now (30m, 12h, 7d, 2w).
absl::StatusOr<absl::Time> ParseWhen(const std::string& text, const char* option) {
  std::string t(absl::StripAsciiWhitespace(text));
  int64_t n;
  if (t.size() >= 2 && absl::SimpleAtoi(t.substr(0, t.size() - 1), &n) && n >= 0) {
    const char unit = absl::ascii_tolower(t.back());
    const absl::Duration per = unit == 'm'   ? absl::Minutes(1)
                               : unit == 'h' ? absl::Hours(1)
                               : unit == 'd' ? absl::Hours(24)
                               : unit == 'w' ? absl::Hours(24 * 7)
                                             : absl::ZeroDuration();
    if (per != absl::ZeroDuration()) return absl::Now() - n * per;
  }
  for (const char* format : {"%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                             "%Y-%m-%d %H:%M:%S"}) {
    absl::Time when;
    if (absl::ParseTime(format, t, absl::LocalTimeZone(), &when, nullptr)) return when;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      option, " '", text, "' is not a time: give a date (2026-11-30), a date and time "
      "(2026-11-30T14:05), or an age (30m, 12h, 7d, 2w)"));
}

std::string When(int64_t unix_ms, const char* format = "%Y-%m-%d %H:%M") {
  return absl::FormatTime(format, absl::FromUnixMillis(unix_ms), absl::LocalTimeZone());
}

std::string Outcome(const v1::RunRecord& r) {
  if (r.outcome() == "failed") return absl::StrCat("failed (", r.error_class(), ")");
  return r.outcome();
}

// PromptName is the saved prompt a run came from, or "(chat)" for a
// conversation sent as is (the HTTP endpoint, RunRequest.messages).
std::string PromptName(const v1::RunRecord& r) {
  return r.prompt().empty() ? "(chat)" : r.prompt();
}

// Marked renders a search hit's snippet: matched words in bold on a
// terminal, between [ and ] elsewhere.
std::string Marked(const std::string& snippet) {
  const bool tty = IsTerminal(STDOUT_FILENO);
  std::string out;
  for (char c : snippet) {
    if (c == '\x02') {
      out += tty ? "\x1b[1m" : "[";
    } else if (c == '\x03') {
      out += tty ? "\x1b[0m" : "]";
    } else {
      out += c;
    }
  }
  return out;
}

// NullUnreportedTokens makes token counts a provider did not report null in
// a run's JSON (proto JSON leaves them out): a script reads "unknown", and
// never a 0 that would be summed as a count.
void NullUnreportedTokens(nlohmann::json* run) {
  for (const char* k : {"prompt_tokens", "completion_tokens"}) {
    if (!run->contains(k)) (*run)[k] = nullptr;
  }
}

std::string RunsJson(const v1::ListRunsResponse& resp) {
  nlohmann::json j = nlohmann::json::parse(ProtoJson(resp));
  for (nlohmann::json& run : j["runs"]) NullUnreportedTokens(&run);
  return JsonText(j, 2) + "\n";
}

void PrintList(const v1::ListRunsResponse& resp, const char* empty) {
  if (resp.runs_size() == 0) {
    std::cerr << empty << "\n";
    return;
  }
  for (const v1::RunRecord& r : resp.runs()) {
    std::string answer = r.answer().empty() ? "-" : r.answer();
    const std::string where =
        r.conversation_id() != r.id() || r.turn() > 1
            ? absl::StrCat("  (conversation ", r.conversation_id(), ", turn ", r.turn(), ")")
            : "";
    std::cout << absl::StrFormat("%-6d %s  %-16s %-10s %s%s\n    %s/%s  %s\n", r.id(),
                                 When(r.started_unix_ms()), PromptName(r), Outcome(r),
                                 absl::StrCat(r.total_ms(), " ms"), where, r.provider(), r.model(),
                                 answer);
    if (!r.snippet().empty()) std::cout << "    matched: " << Marked(r.snippet()) << "\n";
  }
}

// ---- list ------------------------------------------------------------------

// ConversationJson is a conversation for machines, with unreported token counts
// null.
nlohmann::json ConversationJson(const v1::Conversation& c) {
  nlohmann::json j = nlohmann::json::parse(ProtoJson(c));
  for (const char* end : {"first", "last"}) {
    if (j.contains(end)) NullUnreportedTokens(&j[end]);
  }
  if (j.contains("runs")) {
    for (nlohmann::json& run : j["runs"]) NullUnreportedTokens(&run);
  }
  return j;
}

absl::Status ListConversations(const v1::ListRunsRequest& req, bool json) {
  v1::ListConversationsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::ListConversations, req, &resp));
  if (json) {
    nlohmann::json out = {{"conversations", nlohmann::json::array()}};
    for (const v1::Conversation& c : resp.conversations()) {
      out["conversations"].push_back(ConversationJson(c));
    }
    std::cout << JsonText(out, 2) << "\n";
    return absl::OkStatus();
  }
  if (resp.conversations_size() == 0) {
    std::cerr << "No runs recorded yet (or none match). Runs are recorded as they end.\n";
    return absl::OkStatus();
  }
  for (const v1::Conversation& c : resp.conversations()) {
    const v1::RunRecord& last = c.last();
    std::cout << absl::StrFormat(
        "%-6d %s  %-16s %-10s %s\n    %s/%s  %s\n", c.id(), When(c.updated_unix_ms()),
        PromptName(c.first()), Outcome(last),
        c.turns() == 1 ? std::string("1 turn") : absl::StrCat(c.turns(), " turns"),
        last.provider(), last.model(), last.answer().empty() ? "-" : last.answer());
  }
  return absl::OkStatus();
}

struct ListArgs {
  std::string prompt, provider, model, since;
  bool failed = false;
  bool runs = false;
  int limit = 20;
  bool json = false;
};

absl::Status List(const ListArgs& a) {
  v1::ListRunsRequest req;
  req.set_prompt(a.prompt);
  req.set_provider(a.provider);
  req.set_model(a.model);
  if (!a.since.empty()) {
    AIX_ASSIGN_OR_RETURN(absl::Time since, ParseWhen(a.since, "--since"));
    req.set_since_unix_ms(absl::ToUnixMillis(since));
  }
  req.set_failed_only(a.failed);
  req.set_limit(a.limit);
  if (!a.runs) return ListConversations(req, a.json);
  v1::ListRunsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::ListRuns, req, &resp));
  if (a.json) {
    std::cout << RunsJson(resp);
  } else {
    PrintList(resp, "No runs recorded yet (or none match). Runs are recorded as they end.");
  }
  return absl::OkStatus();
}

// ---- search ----------------------------------------------------------------

absl::Status Search(const std::vector<std::string>& words, int limit, bool json) {
  v1::SearchRunsRequest req;
  req.set_query(absl::StrJoin(words, " "));
  req.set_limit(limit);
  v1::ListRunsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::SearchRuns, req, &resp));
  if (json) {
    std::cout << RunsJson(resp);
  } else {
    PrintList(resp, "No recorded run has all of those words.");
  }
  return absl::OkStatus();
}

// ---- show ------------------------------------------------------------------

absl::StatusOr<v1::RunRecord> Fetch(int64_t id) {
  v1::GetRunRequest req;
  req.set_id(id);
  v1::RunRecord r;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::GetRun, req, &r));
  return r;
}

// Tokens is "12 in, 40 out" for a turn, "?" where the provider was silent.
std::string TurnTokens(const v1::RunRecord& r) {
  return absl::StrCat(r.has_prompt_tokens() ? absl::StrCat(r.prompt_tokens()) : "?", " in, ",
                      r.has_completion_tokens() ? absl::StrCat(r.completion_tokens()) : "?",
                      " out");
}

// ExtrasText is what a run carried besides text, a line each: its
// attachments, the structured output it asked for, the tool calls its
// answer made, its cost.
std::string ExtrasText(const v1::RunRecord& r, const std::string& indent) {
  std::string out;
  for (const v1::AttachmentRecord& a : r.attachments()) {
    absl::StrAppend(&out, indent, "attached:  ", a.name(), " (", a.media_type(), ", ", a.bytes(),
                    " bytes, sha256 ", a.sha256().substr(0, 16), "…)\n");
  }
  if (!r.response_format_json().empty()) {
    nlohmann::json f = nlohmann::json::parse(r.response_format_json(), nullptr, false);
    std::string what = f.is_object() ? f.value("type", "") : "";
    if (what == "json_schema" && f.contains("json_schema") && f["json_schema"].is_object()) {
      absl::StrAppend(&what, " ", f["json_schema"].value("name", ""));
    }
    absl::StrAppend(&out, indent, "asked for: ", what, "\n");
  }
  for (const v1::ToolCallDelta& c : r.tool_calls()) {
    absl::StrAppend(&out, indent, "tool call: ", c.name(), " ", PrintableExcerpt(c.arguments(), 200),
                    " (", c.id(), ")\n");
  }
  if (r.has_cost()) absl::StrAppend(&out, indent, absl::StrFormat("cost:      %.6f\n", r.cost()));
  return out;
}

absl::Status ShowConversation(int64_t id, bool json) {
  v1::GetRunRequest req;
  req.set_id(id);
  v1::Conversation c;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::GetConversation, req, &c));
  if (json) {
    std::cout << JsonText(ConversationJson(c), 2) << "\n";
    return absl::OkStatus();
  }
  std::cout << "conversation " << c.id() << ", " << c.turns() << (c.turns() == 1 ? " turn" : " turns")
            << ", " << When(c.started_unix_ms()) << " to " << When(c.updated_unix_ms()) << "\n";
  // What the next follow-up costs is about the last turn's prompt tokens
  // (every earlier turn is sent again) plus its answer.
  std::cout << "tokens:    " << c.prompt_tokens() << " in, " << c.completion_tokens()
            << " out so far";
  const v1::RunRecord* last = c.runs_size() > 0 ? &c.runs(c.runs_size() - 1) : nullptr;
  if (last != nullptr && last->has_prompt_tokens()) {
    std::cout << "; the last turn sent " << last->prompt_tokens() << " prompt tokens";
  }
  std::cout << "\n";
  if (c.runs_size() < c.turns()) {
    std::cout << "(the newest " << c.runs_size() << " turns are shown; see an older one with: aix "
              << "history show RUN --run, its ids with: aix history --runs)\n";
  }
  std::string system;
  for (const v1::RunRecord& r : c.runs()) {
    std::cout << "\n=== turn " << r.turn() << " (run " << r.id() << ", "
              << When(r.started_unix_ms()) << ", " << r.provider() << "/" << r.model() << ", "
              << Outcome(r) << ", " << TurnTokens(r) << ") ===\n";
    if (!r.prompt().empty()) std::cout << "[prompt " << r.prompt() << "]\n";
    if (r.system() != system && !r.system().empty()) {
      std::cout << "--- system ---\n" << r.system() << "\n";
    }
    system = r.system();
    for (const v1::ChatMessage& m : r.context()) {
      std::cout << "--- " << m.role() << " (sent with this turn) ---\n" << m.content() << "\n";
    }
    if (!r.rendered().empty()) std::cout << "--- user ---\n" << r.rendered() << "\n";
    std::cout << "--- assistant ---\n" << r.answer() << "\n";
    std::cout << ExtrasText(r, "  ");
    if (!r.error_message().empty()) std::cout << "(error: " << r.error_message() << ")\n";
  }
  return absl::OkStatus();
}

absl::Status Show(int64_t id, bool json) {
  AIX_ASSIGN_OR_RETURN(v1::RunRecord r, Fetch(id));
  if (json) {
    nlohmann::json j = nlohmann::json::parse(ProtoJson(r));
    NullUnreportedTokens(&j);
    std::cout << JsonText(j, 2) << "\n";
    return absl::OkStatus();
  }
  std::vector<std::string> params;
  for (const auto& [k, v] : r.params()) {
    if (k != "input") params.push_back(absl::StrCat(k, "=", v));
  }
  std::cout << "run " << r.id() << ", " << When(r.started_unix_ms(), "%Y-%m-%d %H:%M:%S %Z")
            << ", from " << r.client() << "; turn " << r.turn() << " of conversation "
            << r.conversation_id() << "\n";
  std::cout << "prompt:    " << PromptName(r);
  if (!params.empty()) std::cout << " (" << absl::StrJoin(params, ", ") << ")";
  std::cout << "\nprovider:  " << r.provider() << ", model " << r.model() << "\n";
  std::cout << "outcome:   " << Outcome(r);
  if (!r.finish_reason().empty()) std::cout << ", finish " << r.finish_reason();
  std::cout << "\n";
  if (!r.error_message().empty()) std::cout << "error:     " << r.error_message() << "\n";
  std::cout << "tokens:    " << TurnTokens(r)
            << (r.has_prompt_tokens() && r.has_completion_tokens() ? "" : " (not reported)")
            << "\n";
  std::cout << "time:      "
            << (r.time_to_first_token_ms() < 0
                    ? std::string("no text")
                    : absl::StrCat("first token ", r.time_to_first_token_ms(), " ms"))
            << ", total " << r.total_ms() << " ms\n";
  if (r.attempts_size() > 1) {
    std::vector<std::string> tried;
    for (const v1::Attempt& t : r.attempts()) {
      tried.push_back(absl::StrCat(t.provider(), "/", t.model(),
                                   t.http_status() ? absl::StrCat(" HTTP ", t.http_status())
                                                   : std::string(" (no answer)")));
    }
    std::cout << "attempts:  " << absl::StrJoin(tried, "; ") << "\n";
  }
  std::cout << ExtrasText(r, "");
  if (!r.system().empty()) std::cout << "\n--- system prompt ---\n" << r.system() << "\n";
  std::cout << "\n--- prompt ---\n" << r.rendered() << "\n";
  std::cout << "\n--- answer ---\n" << r.answer() << "\n";
  return absl::OkStatus();
}

// ---- rerun -----------------------------------------------------------------

absl::Status Rerun(int64_t id, RunArgs args) {
  AIX_ASSIGN_OR_RETURN(v1::RunRecord r, Fetch(id));
  if (r.prompt().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("run ", id, " did not come from a saved prompt, so it cannot be rerun; "
                     "continue its conversation instead: aix reply -c ", id, " TEXT"));
  }
  for (const auto& [name, value] : r.params()) {
    if (absl::EndsWith(value, kHistoryCutMark)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run ", id, "'s ", name, " was over ", kHistoryTextBytes >> 20,
          " MiB and the history kept only its beginning, so it cannot be rerun as it was; run it "
          "again with its input: aix run ", r.prompt()));
    }
  }
  // The saved prompt as it is now, with the recorded inputs.
  args.prompt = r.prompt();
  args.literal_params.insert(r.params().begin(), r.params().end());
  args.provider = r.provider();
  args.model = r.model();
  args.system = r.system();
  return RunPrompt(args);
}

// ---- delete, prune ---------------------------------------------------------

absl::Status Delete(const std::vector<int64_t>& ids, bool conversations) {
  v1::DeleteRunsRequest req;
  for (int64_t id : ids) req.add_ids(id);
  req.set_conversations(conversations);
  if (conversations) {
    v1::DeleteRunsResponse resp;
    AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::DeleteRuns, req, &resp));
    std::cerr << "deleted " << resp.deleted() << " run(s)\n";
    return resp.deleted() == 0 ? absl::NotFoundError(
                                     "none of those conversations is in the history; see the "
                                     "ids with: aix history")
                               : absl::OkStatus();
  }
  v1::DeleteRunsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::DeleteRuns, req, &resp));
  if (resp.deleted() < static_cast<int>(ids.size())) {
    std::cerr << "deleted " << resp.deleted() << " of " << ids.size()
              << " runs; the others were not in the history\n";
  } else {
    std::cerr << "deleted " << resp.deleted() << " run(s)\n";
  }
  return resp.deleted() == 0
             ? absl::NotFoundError("none of those runs is in the history; see the ids with: "
                                   "aix history")
             : absl::OkStatus();
}

absl::Status Prune(const std::string& before) {
  AIX_ASSIGN_OR_RETURN(absl::Time when, ParseWhen(before, "--before"));
  v1::PruneRunsRequest req;
  req.set_before_unix_ms(absl::ToUnixMillis(when));
  v1::DeleteRunsResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::PruneRuns, req, &resp));
  std::cerr << "deleted " << resp.deleted() << " run(s) of conversations last used before "
            << absl::FormatTime("%Y-%m-%d %H:%M", when, absl::LocalTimeZone()) << "\n";
  return absl::OkStatus();
}

// ---- usage -----------------------------------------------------------------

absl::Status Usage(const std::string& since, const std::string& by, bool json) {
  v1::UsageRequest req;
  if (!since.empty()) {
    AIX_ASSIGN_OR_RETURN(absl::Time when, ParseWhen(since, "--since"));
    req.set_since_unix_ms(absl::ToUnixMillis(when));
  }
  req.set_by_month(by == "month");
  v1::UsageResponse resp;
  AIX_RETURN_IF_ERROR(Call(&v1::HistoryService::Stub::GetUsage, req, &resp));
  if (json) {
    std::cout << ProtoJson(resp);
    return absl::OkStatus();
  }
  if (resp.rows_size() == 0) {
    std::cerr << "No runs recorded in that time.\n";
    return absl::OkStatus();
  }
  // Cost appears when a provider reported one (OpenRouter does); its unit
  // is the provider's (OpenRouter: credits, about US dollars).
  bool costs = false;
  for (const v1::UsageRow& u : resp.rows()) costs |= u.has_cost();
  auto cost = [&](bool has, double c) {
    return costs ? (has ? absl::StrFormat(" %10.6f", c) : absl::StrFormat(" %10s", "-")) : std::string();
  };
  std::cout << absl::StrFormat("%-10s  %-12s %-40s %6s %12s %12s", by == "month" ? "month" : "day",
                               "provider", "model", "runs", "tokens in", "tokens out")
            << (costs ? absl::StrFormat(" %10s", "cost") : "") << "\n";
  int64_t runs = 0, in = 0, out = 0;
  double total_cost = 0;
  for (const v1::UsageRow& u : resp.rows()) {
    std::cout << absl::StrFormat("%-10s  %-12s %-40s %6d %12d %12d", u.period(), u.provider(),
                                 u.model(), u.runs(), u.prompt_tokens(), u.completion_tokens())
              << cost(u.has_cost(), u.cost()) << "\n";
    runs += u.runs();
    in += u.prompt_tokens();
    out += u.completion_tokens();
    total_cost += u.cost();
  }
  std::cout << absl::StrFormat("%-10s  %-12s %-40s %6d %12d %12d", "total", "", "", runs, in, out)
            << cost(true, total_cost) << "\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<Subcommand> AddHistory(CLI::App& root) {
  std::vector<Subcommand> out;
  auto l = std::make_shared<ListArgs>();
  CLI::App* history = root.add_subcommand(
      "history", "Conversations aixd has recorded, one line each (newest first; --runs for one "
                 "line per run); subcommands search, show, rerun, delete and prune them");
  history->require_subcommand(0, 1);
  history->add_option("--prompt", l->prompt, "Only runs of this prompt");
  history->add_option("--provider", l->provider, "Only runs answered by this provider");
  history->add_option("--model", l->model, "Only runs with this model");
  history->add_option("--since", l->since,
                      "Only runs since a date (2026-11-30), date and time, or an age (12h, 7d)");
  history->add_flag("--failed", l->failed, "Only runs that failed or were cancelled");
  history->add_option("-n,--limit", l->limit, "At most this many (default 20)")
      ->check(CLI::Range(1, 1000));
  history->add_flag("--runs", l->runs, "One line per run instead of per conversation");
  history->add_flag("--json", l->json, "Print JSON for machines");
  // The listing goes last: main runs the first parsed command, and a
  // subcommand (history search ...) is parsed together with its parent.
  const Subcommand list{history, [l] { return List(*l); }};

  auto words = std::make_shared<std::vector<std::string>>();
  auto search_limit = std::make_shared<int>(20);
  auto search_json = std::make_shared<bool>(false);
  CLI::App* search = history->add_subcommand(
      "search", "Find runs whose prompt or answer has every one of these words");
  search->add_option("words", *words, "Words to find")->required();
  search->add_option("-n,--limit", *search_limit, "At most this many (default 20)")
      ->check(CLI::Range(1, 1000));
  search->add_flag("--json", *search_json, "Print JSON for machines");
  out.push_back({search, [=] { return Search(*words, *search_limit, *search_json); }});

  auto show_id = std::make_shared<int64_t>(0);
  auto show_json = std::make_shared<bool>(false);
  auto show_run = std::make_shared<bool>(false);
  CLI::App* show = history->add_subcommand(
      "show", "Print a conversation, every turn in order (or, with --run, one run in detail)");
  show->add_option("id", *show_id, "Conversation id, or any of its run ids (from aix history)")
      ->required();
  show->add_flag("--run", *show_run,
                 "Only the run ID: prompt, answer, usage, timing, attempts");
  show->add_flag("--json", *show_json, "Print JSON for machines");
  out.push_back({show, [=] {
                   return *show_run ? Show(*show_id, *show_json)
                                    : ShowConversation(*show_id, *show_json);
                 }});

  auto rerun_id = std::make_shared<int64_t>(0);
  auto rerun = std::make_shared<RunArgs>();
  CLI::App* re = history->add_subcommand(
      "rerun", "Run a recorded run's prompt again with the same parameters, provider, model and "
               "system prompt (the prompt's template as it is now)");
  re->add_option("id", *rerun_id, "Run id (from aix history)")->required();
  re->add_option("-o,--output", rerun->output, "Write the answer to FILE, atomically");
  re->add_flag("--json", rerun->json, "Print one JSON object: text, usage, timings, attempts");
  re->add_flag("-v,--verbose", rerun->verbose,
               "Retries, fallbacks, token usage and time to first token on stderr");
  re->add_flag("--no-history", rerun->no_history, "Keep this run out of the run history");
  out.push_back({re, [=] { return Rerun(*rerun_id, *rerun); }});

  auto del_ids = std::make_shared<std::vector<int64_t>>();
  auto del_whole = std::make_shared<bool>(false);
  CLI::App* del = history->add_subcommand(
      "delete", "Delete recorded runs; a deleted turn is no longer sent with its conversation's "
                "follow-ups");
  del->add_option("ids", *del_ids, "Run ids (with --conversation: conversation ids)")->required();
  del->add_flag("--conversation", *del_whole, "Delete the whole conversation each id names");
  out.push_back({del, [=] { return Delete(*del_ids, *del_whole); }});

  auto before = std::make_shared<std::string>();
  CLI::App* prune = history->add_subcommand(
      "prune", "Delete the conversations last used before a time (every turn of each)");
  prune->add_option("--before", *before,
                    "A date (2026-11-30), date and time (2026-11-30T14:05), or an age (30d)")
      ->required();
  out.push_back({prune, [=] { return Prune(*before); }});
  out.push_back(list);

  auto since = std::make_shared<std::string>();
  auto by = std::make_shared<std::string>("day");
  auto usage_json = std::make_shared<bool>(false);
  CLI::App* usage = root.add_subcommand(
      "usage", "Runs and tokens by day (or month), provider and model, from the run history");
  usage->add_option("--since", *since, "Since a date, date and time, or an age (7d)");
  usage->add_option("--by", *by, "day or month")->check(CLI::IsMember({"day", "month"}));
  usage->add_flag("--json", *usage_json, "Print JSON for machines");
  out.push_back({usage, [=] { return Usage(*since, *by, *usage_json); }});
  return out;
}

}  // namespace aix
