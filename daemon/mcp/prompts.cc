#include "daemon/mcp/prompts.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace aix::mcp {
namespace {

// At most this many values answer one completion (MCP's own cap).
constexpr size_t kMaxCompletions = 100;
// How many recent runs of a prompt completion looks through.
constexpr int kCompletionRuns = 500;
constexpr size_t kMaxCompletionBytes = 1024;

}  // namespace

Json PromptArguments(const v1::Prompt& prompt) {
  Json args = Json::array();
  for (const std::string& v : prompt.variables()) {
    Json a{{"name", v}, {"required", true}};
    if (v == "input") a["description"] = "the text the prompt works on (aix run reads it from stdin)";
    args.push_back(std::move(a));
  }
  return args;
}

absl::StatusOr<Json> ListPrompts(const Call& call) {
  AIX_ASSIGN_OR_RETURN(std::string cursor, StringParam(call.params, "cursor", false));
  AIX_ASSIGN_OR_RETURN(v1::ListPromptsResponse listing, call.backend->ListPrompts(call.control));
  std::vector<const v1::Prompt*> prompts;
  for (const v1::Prompt& p : listing.prompts()) prompts.push_back(&p);
  std::sort(prompts.begin(), prompts.end(),
            [](const v1::Prompt* a, const v1::Prompt* b) { return a->name() < b->name(); });
  // The cursor is the last name of the previous page, so a prompt added or
  // removed between pages neither repeats nor hides another.
  auto begin = prompts.begin();
  if (!cursor.empty()) {
    if (!absl::StartsWith(cursor, "after:")) {
      return absl::InvalidArgumentError("the cursor is not one this server gave; list from the start");
    }
    const std::string after = cursor.substr(6);
    begin = std::upper_bound(prompts.begin(), prompts.end(), after,
                             [](const std::string& n, const v1::Prompt* p) { return n < p->name(); });
  }
  Json page = Json::array();
  auto it = begin;
  for (; it != prompts.end() && page.size() < kPromptsPerPage; ++it) {
    const v1::Prompt& p = **it;
    Json entry{{"name", p.name()}, {"arguments", PromptArguments(p)}};
    if (!p.description().empty()) entry["description"] = p.description();
    page.push_back(std::move(entry));
  }
  Json result{{"prompts", std::move(page)}};
  if (it != prompts.end()) result["nextCursor"] = absl::StrCat("after:", (*(it - 1))->name());
  return result;
}

absl::StatusOr<std::string> RenderPrompt(const Call& call, const std::string& name,
                                         const std::map<std::string, std::string>& args,
                                         std::string* description) {
  AIX_ASSIGN_OR_RETURN(v1::Prompt prompt, call.backend->GetPrompt(name, call.control));
  std::vector<std::string> missing;
  for (const std::string& v : prompt.variables()) {
    if (args.count(v) == 0) missing.push_back(v);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "missing argument", missing.size() > 1 ? "s " : " ", absl::StrJoin(missing, ", "),
        " (prompt ", name, " takes: ", absl::StrJoin(prompt.variables(), ", "), ")"));
  }
  if (description != nullptr) *description = prompt.description();
  v1::RunRequest req;
  req.set_prompt(name);
  req.set_mode(v1::RunRequest::RENDER_ONLY);
  req.set_commands_as_text(true);
  req.set_no_history(true);
  for (const auto& [k, v] : args) (*req.mutable_params())[k] = v;
  v1::RunPlan plan;
  AIX_RETURN_IF_ERROR(call.backend->Run(req, [&plan](const v1::RunEvent& e) {
    if (e.has_plan()) plan = e.plan();
  }, call.control));
  if (plan.system().empty()) return plan.rendered_prompt();
  return absl::StrCat(plan.system(), "\n\n", plan.rendered_prompt());
}

absl::StatusOr<Json> GetPrompt(const Call& call) {
  AIX_ASSIGN_OR_RETURN(std::string name, StringParam(call.params, "name", true));
  AIX_ASSIGN_OR_RETURN(auto args, StringMapParam(call.params, "arguments"));
  std::string description;
  AIX_ASSIGN_OR_RETURN(std::string text, RenderPrompt(call, name, args, &description));
  Json result{{"messages", Json::array({Json{{"role", "user"},
                                             {"content", {{"type", "text"}, {"text", text}}}}})}};
  if (!description.empty()) result["description"] = description;
  return result;
}

absl::StatusOr<Json> Complete(const Call& call) {
  Json none{{"completion", {{"values", Json::array()}, {"total", 0}, {"hasMore", false}}}};
  auto ref = call.params.find("ref");
  auto argument = call.params.find("argument");
  if (ref == call.params.end() || !ref->is_object() || argument == call.params.end() ||
      !argument->is_object()) {
    return absl::InvalidArgumentError("completion/complete needs ref and argument objects");
  }
  AIX_ASSIGN_OR_RETURN(std::string type, StringParam(*ref, "type", true));
  AIX_ASSIGN_OR_RETURN(std::string arg, StringParam(*argument, "name", true));
  AIX_ASSIGN_OR_RETURN(std::string prefix, StringParam(*argument, "value", false));
  if (type != "ref/prompt") return none;  // resource templates take run ids and prompt names: no history of them
  AIX_ASSIGN_OR_RETURN(std::string name, StringParam(*ref, "name", true));
  AIX_ASSIGN_OR_RETURN(v1::Prompt prompt, call.backend->GetPrompt(name, call.control));
  v1::ListRunsRequest req;
  req.set_prompt(name);
  req.set_limit(kCompletionRuns);
  auto runs = call.backend->ListRuns(req, call.control);
  if (!runs.ok()) return none;  // no history (turned off, unreadable): nothing to offer
  // Most recent first, each value once.
  std::vector<std::string> values;
  std::set<std::string> seen;
  size_t total = 0;
  for (const v1::RunRecord& r : runs->runs()) {
    auto v = r.params().find(arg);
    if (v == r.params().end() || v->second.size() > kMaxCompletionBytes ||
        !absl::StartsWith(v->second, prefix)) {
      continue;  // a whole document pasted as an argument is no completion
    }
    if (!seen.insert(v->second).second) continue;
    ++total;
    if (values.size() < kMaxCompletions) values.push_back(v->second);
  }
  return Json{{"completion", {{"values", values}, {"total", total}, {"hasMore", total > values.size()}}}};
}

}  // namespace aix::mcp
