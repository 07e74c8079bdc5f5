#include "daemon/mcp/resources.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace aix::mcp {
namespace {

constexpr char kPrompts[] = "aix://prompts/";
constexpr char kRuns[] = "aix://runs/";

}  // namespace

absl::StatusOr<Json> ListResources(const Call& call) {
  AIX_ASSIGN_OR_RETURN(v1::ListPromptsResponse listing, call.backend->ListPrompts(call.control));
  Json out = Json::array();
  for (const v1::Prompt& p : listing.prompts()) {
    Json r{{"uri", absl::StrCat(kPrompts, p.name())}, {"name", p.name()},
           {"mimeType", "application/yaml"}};
    if (!p.description().empty()) r["description"] = p.description();
    out.push_back(std::move(r));
  }
  return Json{{"resources", std::move(out)}};
}

absl::StatusOr<Json> ListResourceTemplates(const Call&) {
  return Json{{"resourceTemplates",
               Json::array({Json{{"uriTemplate", "aix://prompts/{name}"},
                                 {"name", "prompt"},
                                 {"description", "a saved aix prompt (its YAML file)"},
                                 {"mimeType", "application/yaml"}},
                            Json{{"uriTemplate", "aix://runs/{id}"},
                                 {"name", "run"},
                                 {"description", "a run from aix's history: prompt, answer, provider, usage"},
                                 {"mimeType", "application/json"}}})}};
}

absl::StatusOr<Json> ReadResource(const Call& call) {
  AIX_ASSIGN_OR_RETURN(std::string uri, StringParam(call.params, "uri", true));
  absl::string_view rest = uri;
  if (absl::ConsumePrefix(&rest, kPrompts) && !rest.empty()) {
    AIX_ASSIGN_OR_RETURN(v1::Prompt p, call.backend->GetPrompt(std::string(rest), call.control));
    return Json{{"contents", Json::array({Json{{"uri", uri}, {"mimeType", "application/yaml"},
                                               {"text", p.yaml()}}})}};
  }
  rest = uri;
  int64_t id = 0;
  if (absl::ConsumePrefix(&rest, kRuns) && absl::SimpleAtoi(rest, &id) && id > 0) {
    AIX_ASSIGN_OR_RETURN(v1::RunRecord r, call.backend->GetRun(id, call.control));
    return Json{{"contents", Json::array({Json{{"uri", uri}, {"mimeType", "application/json"},
                                               {"text", ProtoJson(r, JsonFields::kSetOnly)}}})}};
  }
  return absl::NotFoundError(absl::StrCat("no resource ", uri,
                                          "; aix serves aix://prompts/{name} and aix://runs/{id}"));
}

}  // namespace aix::mcp
