#include "daemon/runs/prepare.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_text.h"
#include "common/limits.h"
#include "common/mask.h"
#include "common/status_macros.h"
#include "daemon/config/settings.h"
#include "daemon/providers/chat_fields.h"
#include "daemon/providers/json_fields.h"
#include "daemon/runs/attachments.h"

namespace aix::runs {
namespace {

using Json = nlohmann::json;

// ParseObject reads a JSON object a caller sent as text.
absl::StatusOr<Json> ParseObject(absl::string_view text, absl::string_view what) {
  std::optional<Json> j = providers::ParseUntrusted(text);
  if (!j || !j->is_object()) return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object"));
  return *std::move(j);
}

// Messages reads RunRequest.messages into turns, each message with more
// than text kept whole, after checking them all as one conversation.
absl::StatusOr<std::vector<providers::Turn>> MessagesOf(const v1::RunRequest& req) {
  Json all = Json::array();
  for (int i = 0; i < req.messages_size(); ++i) {
    const v1::ChatMessage& m = req.messages(i);
    if (m.message_json().empty()) {
      all.push_back({{"role", m.role()}, {"content", m.content()}});
      continue;
    }
    AIX_ASSIGN_OR_RETURN(Json j, ParseObject(m.message_json(), absl::StrCat("messages[", i, "].message_json")));
    j["role"] = m.role();
    all.push_back(std::move(j));
  }
  std::string param;
  if (absl::Status s = providers::CheckMessages(all, &param); !s.ok()) return s;
  std::vector<providers::Turn> turns;
  for (int i = 0; i < req.messages_size(); ++i) {
    const std::string& role = req.messages(i).role();
    providers::Turn t{role == "developer" ? "system" : role, providers::MessageText(all[i])};
    if (!req.messages(i).message_json().empty() && t.role != "system") t.message = std::move(all[i]);
    turns.push_back(std::move(t));
  }
  return turns;
}

absl::StatusOr<RunInputs> InputsOf(const v1::RunRequest& req) {
  RunInputs in;
  in.params.insert(req.params().begin(), req.params().end());
  if (req.has_stdin_input()) in.stdin_input = req.stdin_input();
  in.provider = req.provider();
  in.model = req.model();
  if (req.has_system()) in.system = req.system();
  if (req.has_max_tokens()) in.max_tokens = req.max_tokens();
  if (req.has_temperature()) in.temperature = req.temperature();
  in.no_stream = req.no_stream();
  if (req.has_max_retries()) in.max_retries = req.max_retries();
  in.fallback.assign(req.fallback().begin(), req.fallback().end());
  in.env_keys.insert(req.api_keys().begin(), req.api_keys().end());
  in.command_outputs.assign(req.command_outputs().begin(), req.command_outputs().end());
  in.commands_as_text = req.commands_as_text();
  if (req.messages_size() > 0) {
    AIX_ASSIGN_OR_RETURN(in.messages, MessagesOf(req));
  }
  if (req.attachments_size() > 0) {
    if (req.messages_size() > 0) {
      return absl::InvalidArgumentError(
          "attachments go with a saved prompt or a follow-up; with messages, put images in a "
          "message's content parts (message_json)");
    }
    AIX_ASSIGN_OR_RETURN(in.attachment_parts, AttachmentParts(req.attachments()));
  }
  if (!req.options_json().empty()) {
    AIX_ASSIGN_OR_RETURN(in.options, ParseObject(req.options_json(), "options_json"));
    std::string param;
    AIX_RETURN_IF_ERROR(providers::CheckOptions(in.options, &param));
  }
  return in;
}


// KeptForHistory is what the history keeps of an input: the first
// kHistoryTextBytes (cut at a character boundary), marked when cut.
std::string KeptForHistory(absl::string_view text) {
  if (text.size() <= kHistoryTextBytes) return std::string(text);
  size_t end = kHistoryTextBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), kHistoryCutMark);
}

// RecordMessages keeps messages sent as written as a turn of the history:
// the last user message is its prompt, the messages before it its context
// (sent again when the conversation is continued). System messages are the
// record's system prompt. The context keeps text: tool calls and their
// results are not sent again with a follow-up.
void RecordMessages(const std::vector<providers::Turn>& messages, history::RunRecord* h) {
  int last_user = -1;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role == "user") last_user = static_cast<int>(i);
  }
  Json context = Json::array();
  for (int i = 0; i < static_cast<int>(messages.size()); ++i) {
    const providers::Turn& m = messages[i];
    if (i == last_user) {
      h->rendered = KeptForHistory(m.content);
      break;
    }
    if (m.role != "user" && m.role != "assistant") continue;
    if (m.content.empty() && m.role == "assistant") continue;  // a tool call's turn
    context.push_back({{"role", m.role}, {"content", KeptForHistory(m.content)}});
  }
  if (!context.empty()) h->context_json = JsonText(context);
}

}  // namespace

absl::StatusOr<Prepared> Prepare(config::ConfigStore* config, prompts::PromptStore* prompts,
                                 const prompts::CollectionStore* collections,
                                 const v1::RunRequest& req, std::optional<Earlier> earlier) {
  AIX_ASSIGN_OR_RETURN(Json doc, config->Document());
  const bool conversation = req.prompt().empty() && req.messages_size() > 0;
  if (!req.prompt().empty() && req.messages_size() > 0) {
    return absl::InvalidArgumentError(
        "a run sends either a saved prompt or messages, not both; leave prompt empty");
  }
  prompts::Prompt prompt;
  if (!conversation) {
    AIX_ASSIGN_OR_RETURN(prompt, prompts->Get(req.prompt()));
  }
  // A collection's system prompt goes with its prompts' runs unless the
  // prompt (or --system, in MakePlan) sets one.
  std::vector<std::string> notes;
  if (!conversation && !prompt.system) {
    std::string from;
    if (std::optional<std::string> system = collections->SystemFor(prompt.name, &from)) {
      prompt.system = system;
    }
  }
  std::optional<std::string> loaded;
  if (!conversation) loaded = collections->Loaded();
  if (loaded) {
    auto c = collections->Get(*loaded);
    if (c.ok() && std::find(c->prompts.begin(), c->prompts.end(), prompt.name) == c->prompts.end()) {
      notes.push_back(absl::StrCat("prompt ", prompt.name, " is not in the loaded collection ",
                                   *loaded, " (add it: aix collection add ", prompt.name,
                                   "; or: aix collection unload)"));
    }
  }
  for (const std::string& item : req.fallback()) {
    AIX_RETURN_IF_ERROR(config::CheckProviderSpec(item));
  }
  // An imported prompt's own provider and fallbacks are where the user's
  // input would go: used only once the user trusted them, like commands.
  const bool own_destination =
      (prompt.provider && req.provider().empty()) || (!prompt.fallback.empty() && req.fallback().empty());
  if (!conversation && req.mode() == v1::RunRequest::EXECUTE && own_destination &&
      !prompts::DestinationTrusted(prompt)) {
    std::vector<std::string> where;
    if (prompt.provider) where.push_back(*prompt.provider);
    for (const std::string& f : prompt.fallback) where.push_back(f);
    return absl::FailedPreconditionError(absl::StrCat(
        "prompt ", prompt.name, " came from ", prompt.origin.value_or("an import"),
        " and chooses where your input goes: ", absl::StrJoin(where, ", "),
        ". Nothing was sent. Look at it (aix show ", prompt.name, "), then trust it: aix trust ",
        prompt.name, "; or choose yourself: --provider NAME (and --fallback)"));
  }
  // Only a run that sends needs a key: a dry run says which one it would
  // use, or how to store one.
  const bool execute = req.mode() == v1::RunRequest::EXECUTE;
  AIX_ASSIGN_OR_RETURN(RunInputs inputs, InputsOf(req));
  const int64_t continues = earlier ? earlier->conversation : 0;
  inputs.earlier = std::move(earlier);
  history::RunRecord from_messages;
  if (conversation) RecordMessages(inputs.messages, &from_messages);
  AIX_ASSIGN_OR_RETURN(Plan plan, MakePlan(doc, prompt, inputs, execute));
  Prepared out;
  out.mode = req.mode();
  const Attempt& first = plan.attempts.front();
  v1::RunPlan* p = out.plan_event.mutable_plan();
  p->set_provider(first.endpoint.provider);
  p->set_model(first.model);
  p->set_url(MaskUrl(first.endpoint.chat_url));
  if (req.mode() != v1::RunRequest::EXECUTE) p->set_rendered_prompt(plan.rendered);
  p->set_system(plan.chat.system);
  p->set_max_tokens(plan.chat.max_tokens);
  p->set_temperature(plan.chat.temperature);
  p->set_key_source(first.key.source);
  p->set_masked_key(first.key.key.empty() ? "" : MaskSecret(first.key.key));
  for (const auto& w : plan.warnings) p->add_warnings(w);
  for (const auto& w : notes) p->add_warnings(w);
  for (size_t i = 1; i < plan.attempts.size(); ++i) {
    p->add_fallbacks(absl::StrCat(plan.attempts[i].endpoint.provider, "/", plan.attempts[i].model));
  }
  p->set_max_retries(static_cast<int32_t>(plan.max_retries));
  p->set_key_fix(plan.key_fix);
  out.record = execute && !req.no_history() && config::ReadRunSettings(doc).history;
  if (out.record) {
    history::RunRecord& h = out.history;
    h.prompt = prompt.name;
    for (const auto& [k, v] : req.params()) h.params[k] = KeptForHistory(v);
    if (req.has_stdin_input() && h.params.count("input") == 0) {
      h.params["input"] = KeptForHistory(req.stdin_input());
    }
    h.conversation = continues;
    if (conversation) {
      h.rendered = std::move(from_messages.rendered);
      h.context_json = std::move(from_messages.context_json);
    } else {
      h.rendered = KeptForHistory(plan.rendered);
    }
    h.system = KeptForHistory(plan.chat.system);
    if (req.attachments_size() > 0) h.extras["attachments"] = AttachmentRecords(req.attachments());
    if (auto rf = plan.chat.options.find("response_format");
        rf != plan.chat.options.end() && rf->is_object() && rf->value("type", "") != "text") {
      h.extras["response_format"] = *rf;
    }
  }
  out.plan = std::move(plan);
  return out;
}


}  // namespace aix::runs
