#include "daemon/mcp/tools.h"

#include <chrono>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/mcp/prompts.h"

namespace aix::mcp {
namespace {

// An answer longer than this is cut in the tool result (the whole one
// stays in the history: get_run, aix history show).
constexpr size_t kMaxAnswerBytes = 2 << 20;
constexpr auto kProgressEvery = std::chrono::milliseconds(200);
constexpr int kDefaultSearch = 10;
constexpr int kMaxSearch = 50;

Json StringProp(const char* description) {
  return Json{{"type", "string"}, {"description", description}};
}

Json ReadOnly() {
  return Json{{"readOnlyHint", true}, {"destructiveHint", false}, {"idempotentHint", true},
              {"openWorldHint", false}};
}

// A run calls a provider with the user's key (it costs money and is
// recorded), but changes nothing the agent could break.
Json Runs() {
  return Json{{"readOnlyHint", false}, {"destructiveHint", false}, {"idempotentHint", false},
              {"openWorldHint", true}};
}

Json AnswerSchema() {
  return Json{
      {"type", "object"},
      {"properties",
       {{"text", {{"type", "string"}, {"description", "the model's answer"}}},
        {"provider", {{"type", "string"}}},
        {"model", {{"type", "string"}}},
        {"run_id", {{"type", "integer"}, {"description", "its entry in the run history (0: not recorded)"}}},
        {"usage",
         {{"type", "object"},
          {"properties",
           {{"prompt_tokens", {{"type", "integer"}}},
            {"completion_tokens", {{"type", "integer"}}}}}}},
        {"truncated", {{"type", "boolean"}}}}},
      {"required", Json::array({"text", "provider", "model", "run_id"})}};
}

Json ToolList(bool structured) {
  Json run_prompt{
      {"name", "run_prompt"},
      {"title", "Run a saved aix prompt"},
      {"description",
       "Runs one of the user's saved aix prompts (list_prompts shows them) with its arguments, "
       "through the user's configured provider, keys, retries and fallbacks, and returns the "
       "answer. Shell commands in a template are not run: they stay in the prompt as written."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"name", StringProp("the prompt's name")},
          {"arguments",
           {{"type", "object"},
            {"additionalProperties", {{"type", "string"}}},
            {"description", "the prompt's parameters, by name"}}},
          {"provider", StringProp("a provider to use instead of the prompt's or the default: "
                                  "openrouter, openai, anthropic, custom:NAME")},
          {"model", StringProp("a model to use instead of the prompt's or the provider's default")}}},
        {"required", Json::array({"name"})}}},
      {"annotations", Runs()}};
  Json ask{
      {"name", "ask"},
      {"title", "Ask another model"},
      {"description",
       "Sends a question to any model the user's aix can reach, with the user's keys: a second "
       "opinion from another model. model is PROVIDER/MODEL (openrouter/meta-llama/llama-3.2-3b-"
       "instruct:free, openai/gpt-4o-mini, anthropic/claude-3-haiku-20240307, custom:NAME/MODEL); "
       "without it, the user's default provider and model answer."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"question", StringProp("the question, with any context the model needs")},
          {"model", StringProp("PROVIDER/MODEL, custom:NAME/MODEL, or a model of the default provider")},
          {"system", StringProp("a system prompt")}}},
        {"required", Json::array({"question"})}}},
      {"annotations", Runs()}};
  if (structured) {
    run_prompt["outputSchema"] = AnswerSchema();
    ask["outputSchema"] = AnswerSchema();
  }
  Json tools = Json::array({run_prompt, ask});
  tools.push_back(Json{
      {"name", "list_prompts"},
      {"title", "List saved aix prompts"},
      {"description", "Lists the user's saved aix prompts: name, description and arguments."},
      {"inputSchema",
       {{"type", "object"}, {"properties", {{"tag", StringProp("only prompts with this tag")}}}}},
      {"annotations", ReadOnly()}});
  tools.push_back(Json{
      {"name", "get_prompt"},
      {"title", "Show a saved aix prompt"},
      {"description", "Renders a saved prompt with its arguments and returns the text, without running it."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"name", StringProp("the prompt's name")},
          {"arguments", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}}}},
        {"required", Json::array({"name"})}}},
      {"annotations", ReadOnly()}});
  tools.push_back(Json{
      {"name", "search_history"},
      {"title", "Search aix's run history"},
      {"description", "Full-text search over the prompts and answers of past runs; newest first."},
      {"inputSchema",
       {{"type", "object"},
        {"properties",
         {{"query", StringProp("words to find (SQLite FTS5 syntax)")},
          {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", kMaxSearch}}}}},
        {"required", Json::array({"query"})}}},
      {"annotations", ReadOnly()}});
  tools.push_back(Json{
      {"name", "get_run"},
      {"title", "Show a run from aix's history"},
      {"description", "One run from the history: prompt, parameters, answer, provider, usage."},
      {"inputSchema",
       {{"type", "object"},
        {"properties", {{"id", {{"type", "integer"}, {"minimum", 1}}}}},
        {"required", Json::array({"id"})}}},
      {"annotations", ReadOnly()}});
  return tools;
}

Json TextResult(const std::string& text, bool error = false) {
  Json r{{"content", Json::array({Json{{"type", "text"}, {"text", text}}})}};
  if (error) r["isError"] = true;
  return r;
}

// Failure is a tool's failure: the model sees the message and may try
// something else. Only a cancelled call answers nothing.
absl::StatusOr<Json> ToolFailure(const absl::Status& s) {
  if (absl::IsCancelled(s)) return s;
  return TextResult(std::string(s.message()), /*error=*/true);
}

// RunAndAnswer runs `req` and shapes its answer.
absl::StatusOr<Json> RunAndAnswer(const Call& call, v1::RunRequest req) {
  req.set_commands_as_text(true);
  std::string text;
  bool truncated = false;
  v1::RunDone done;
  auto last = std::chrono::steady_clock::now() - kProgressEvery;
  size_t received = 0;
  absl::Status s = call.backend->Run(req, [&](const v1::RunEvent& e) {
    switch (e.event_case()) {
      case v1::RunEvent::kText: {
        received += e.text().size();
        if (text.size() + e.text().size() <= kMaxAnswerBytes) {
          text += e.text();
        } else {
          truncated = true;
        }
        auto now = std::chrono::steady_clock::now();
        if (now - last >= kProgressEvery) {
          last = now;
          call.progress(static_cast<double>(received), absl::StrCat(received, " bytes of answer so far"));
        }
        break;
      }
      case v1::RunEvent::kNotice:
        call.log("warning", e.notice().message());
        break;
      case v1::RunEvent::kDone:
        done = e.done();
        break;
      default:
        break;
    }
  }, call.control);
  if (!s.ok()) {
    if (!text.empty() && !absl::IsCancelled(s)) {
      return ToolFailure(absl::Status(s.code(), absl::StrCat(s.message(), "\n(the answer so far: ", text, ")")));
    }
    return ToolFailure(s);
  }
  if (truncated) {
    text += absl::StrCat("\n[aix: the answer was cut at ", kMaxAnswerBytes >> 20,
                         " MiB here; get_run ", done.run_id(), " has all of it]");
  }
  Json usage = Json::object();
  if (done.has_prompt_tokens()) usage["prompt_tokens"] = done.prompt_tokens();
  if (done.has_completion_tokens()) usage["completion_tokens"] = done.completion_tokens();
  Json structured{{"text", text}, {"provider", done.provider()}, {"model", done.model()},
                  {"run_id", done.run_id()}, {"usage", usage}};
  if (truncated) structured["truncated"] = true;
  Json result = TextResult(text);
  if (HasStructuredContent(call.version)) result["structuredContent"] = std::move(structured);
  return result;
}

absl::StatusOr<Json> RunPromptTool(const Call& call, const Json& args) {
  AIX_ASSIGN_OR_RETURN(std::string name, StringParam(args, "name", true));
  AIX_ASSIGN_OR_RETURN(auto params, StringMapParam(args, "arguments"));
  AIX_ASSIGN_OR_RETURN(std::string provider, StringParam(args, "provider", false));
  AIX_ASSIGN_OR_RETURN(std::string model, StringParam(args, "model", false));
  v1::RunRequest req;
  req.set_prompt(name);
  for (auto& [k, v] : params) (*req.mutable_params())[k] = v;
  req.set_provider(provider);
  req.set_model(model);
  return RunAndAnswer(call, std::move(req));
}

absl::StatusOr<Json> AskTool(const Call& call, const Json& args) {
  AIX_ASSIGN_OR_RETURN(std::string question, StringParam(args, "question", true));
  AIX_ASSIGN_OR_RETURN(std::string model, StringParam(args, "model", false));
  AIX_ASSIGN_OR_RETURN(std::string system, StringParam(args, "system", false));
  v1::RunRequest req;
  if (!model.empty()) {
    endpoint::RouteModel(model, &req);
    if (!req.prompt().empty()) {
      return absl::InvalidArgumentError("model names a model; to run a saved prompt, use run_prompt");
    }
  }
  if (!system.empty()) {
    auto* m = req.add_messages();
    m->set_role("system");
    m->set_content(system);
  }
  auto* m = req.add_messages();
  m->set_role("user");
  m->set_content(question);
  return RunAndAnswer(call, std::move(req));
}

absl::StatusOr<Json> ListPromptsTool(const Call& call, const Json& args) {
  AIX_ASSIGN_OR_RETURN(std::string tag, StringParam(args, "tag", false));
  AIX_ASSIGN_OR_RETURN(v1::ListPromptsResponse listing, call.backend->ListPrompts(call.control));
  Json out = Json::array();
  for (const v1::Prompt& p : listing.prompts()) {
    if (!tag.empty() && std::find(p.tags().begin(), p.tags().end(), tag) == p.tags().end()) continue;
    Json args_out = Json::array();
    for (const std::string& v : p.variables()) args_out.push_back(v);
    out.push_back(Json{{"name", p.name()}, {"description", p.description()}, {"arguments", args_out}});
  }
  return TextResult(JsonText(out, 2));
}

absl::StatusOr<Json> SearchTool(const Call& call, const Json& args) {
  AIX_ASSIGN_OR_RETURN(std::string query, StringParam(args, "query", true));
  int limit = kDefaultSearch;
  if (auto l = args.find("limit"); l != args.end() && !l->is_null()) {
    if (!l->is_number_integer() || l->get<int64_t>() < 1 || l->get<int64_t>() > kMaxSearch) {
      return absl::InvalidArgumentError(absl::StrCat("\"limit\" must be an integer from 1 to ", kMaxSearch));
    }
    limit = l->get<int>();
  }
  v1::SearchRunsRequest req;
  req.set_query(query);
  req.set_limit(limit);
  auto found = call.backend->SearchRuns(req, call.control);
  if (!found.ok()) return ToolFailure(found.status());
  Json out = Json::array();
  for (const v1::RunRecord& r : found->runs()) {
    out.push_back(Json{{"id", r.id()}, {"started_unix_ms", r.started_unix_ms()},
                       {"prompt", r.prompt()}, {"provider", r.provider()}, {"model", r.model()},
                       {"outcome", r.outcome()}, {"snippet", r.snippet()}});
  }
  return TextResult(JsonText(out, 2));
}

absl::StatusOr<Json> GetPromptTool(const Call& call, const Json& args) {
  AIX_ASSIGN_OR_RETURN(std::string prompt, StringParam(args, "name", true));
  AIX_ASSIGN_OR_RETURN(auto params, StringMapParam(args, "arguments"));
  auto text = RenderPrompt(call, prompt, params, nullptr);
  if (!text.ok()) return ToolFailure(text.status());
  return TextResult(*text);
}

absl::StatusOr<Json> GetRunTool(const Call& call, const Json& args) {
  auto id = args.find("id");
  if (id == args.end() || !id->is_number_integer() || id->get<int64_t>() < 1) {
    return absl::InvalidArgumentError("\"id\" must be a run id (a positive integer; search_history finds them)");
  }
  auto run = call.backend->GetRun(id->get<int64_t>(), call.control);
  if (!run.ok()) return ToolFailure(run.status());
  return TextResult(ProtoJson(*run, JsonFields::kSetOnly));
}

}  // namespace

absl::StatusOr<Json> ListTools(const Call& call) {
  return Json{{"tools", ToolList(HasStructuredContent(call.version))}};
}

absl::StatusOr<Json> CallTool(const Call& call) {
  AIX_ASSIGN_OR_RETURN(std::string name, StringParam(call.params, "name", true));
  Json args = Json::object();
  if (auto a = call.params.find("arguments"); a != call.params.end() && !a->is_null()) {
    if (!a->is_object()) return absl::InvalidArgumentError("\"arguments\" must be an object");
    args = *a;
  }
  using Tool = absl::StatusOr<Json> (*)(const Call&, const Json&);
  static const auto* tools = new std::map<std::string, Tool>{
      {"run_prompt", RunPromptTool},     {"ask", AskTool},
      {"list_prompts", ListPromptsTool}, {"get_prompt", GetPromptTool},
      {"search_history", SearchTool},    {"get_run", GetRunTool},
  };
  auto tool = tools->find(name);
  if (tool == tools->end()) {
    return absl::NotFoundError(absl::StrCat(
        "no tool named ", name, "; tools/list names them: run_prompt, ask, list_prompts, get_prompt, "
        "search_history, get_run"));
  }
  absl::StatusOr<Json> result = tool->second(call, args);
  // A tool's own bad arguments are the model's to fix: a tool error it can
  // read, not a protocol error (only an unknown tool is -32602).
  if (!result.ok() && absl::IsInvalidArgument(result.status())) {
    return TextResult(std::string(result.status().message()), /*error=*/true);
  }
  return result;
}

}  // namespace aix::mcp
