#include "client/cli/plan_text.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"

namespace aix {
namespace {

std::string KeyLine(const v1::RunPlan& plan) {
  if (!plan.masked_key().empty()) return plan.masked_key() + " from " + plan.key_source();
  if (!plan.key_fix().empty()) return "none set; store one with: " + plan.key_fix();
  return "none (this provider takes none)";
}

}  // namespace

std::string FormatPlan(const v1::RunPlan& plan, const std::vector<CommandNote>& notes,
                       bool render_only, bool json) {
  if (json) {
    nlohmann::json out = {{"prompt", plan.rendered_prompt()}, {"system", plan.system()}};
    if (!notes.empty()) {
      out["commands"] = nlohmann::json::array();
      for (const CommandNote& n : notes) {
        out["commands"].push_back({{"command", n.command}, {"verdict", n.verdict}});
      }
    }
    if (!render_only) {
      out["provider"] = plan.provider();
      out["model"] = plan.model();
      out["url"] = plan.url();
      out["key"] = plan.masked_key().empty()
                       ? nlohmann::json(nullptr)
                       : nlohmann::json{{"masked", plan.masked_key()},
                                        {"source", plan.key_source()}};
      if (!plan.key_fix().empty()) out["key_fix"] = plan.key_fix();
      out["max_tokens"] = plan.max_tokens();
      out["temperature"] = plan.temperature();
      out["max_retries"] = plan.max_retries();
      out["fallbacks"] = std::vector<std::string>(plan.fallbacks().begin(), plan.fallbacks().end());
    }
    return JsonText(out, 2) + "\n";
  }
  if (render_only) {
    std::string out = plan.rendered_prompt();
    if (!out.empty() && out.back() != '\n') out += "\n";
    return out;
  }
  std::string out = absl::StrCat(
      "provider:    ", plan.provider(), "\n", "model:       ", plan.model(), "\n",
      "url:         ", plan.url(), "\n", "key:         ", KeyLine(plan), "\n",
      "max_tokens:  ", plan.max_tokens(), "\n", "temperature: ", plan.temperature(), "\n",
      "retries:     ", plan.max_retries(), "\n");
  if (plan.fallbacks_size() > 0) {
    absl::StrAppend(&out, "fallback:    ", absl::StrJoin(plan.fallbacks(), ", "), "\n");
  }
  if (!notes.empty()) {
    absl::StrAppend(&out, "\n--- commands (run by aix, not in this dry run) ---\n");
    for (const CommandNote& n : notes) absl::StrAppend(&out, n.command, "\n    ", n.verdict, "\n");
  }
  if (!plan.system().empty()) absl::StrAppend(&out, "\n--- system ---\n", plan.system(), "\n");
  absl::StrAppend(&out, "\n--- prompt ---\n", plan.rendered_prompt(), "\n");
  return out;
}

}  // namespace aix
