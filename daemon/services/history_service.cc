#include "daemon/services/history_service.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/attempts_json.h"
#include "common/json_text.h"
#include "common/status_macros.h"
#include "common/text.h"
#include "daemon/services/guarded.h"

namespace aix {
namespace {

// Characters of the prompt and the answer a listing carries.
constexpr size_t kExcerpt = 160;

// Most text GetConversation returns; the client takes 64 MiB.
constexpr size_t kMaxConversationReplyBytes = 48 << 20;

// Most runs one listing returns.
constexpr int kMaxLimit = 1000;

int Limit(int requested) {
  if (requested <= 0) return 20;
  return std::min(requested, kMaxLimit);
}

// Snippet makes a search hit's snippet safe to print: each piece between the
// match marks is made printable and bounded; the marks stay.
std::string Snippet(const std::string& raw) {
  std::string out;
  bool inside = false;
  for (absl::string_view piece : absl::StrSplit(raw, absl::ByAnyChar(
           std::string{history::kMatchStart, history::kMatchEnd}))) {
    if (inside) out += history::kMatchStart;
    out += PrintableExcerpt(piece, kExcerpt);
    if (inside) out += history::kMatchEnd;
    inside = !inside;
  }
  return out;
}

// ExtrasToProto reads what a run carried besides text (RunRecord.extras).
void ExtrasToProto(const nlohmann::json& extras, v1::RunRecord* out) {
  auto text = [](const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto a = extras.find("attachments"); a != extras.end() && a->is_array()) {
    for (const nlohmann::json& x : *a) {
      if (!x.is_object()) continue;
      v1::AttachmentRecord* r = out->add_attachments();
      r->set_name(text(x, "name"));
      r->set_media_type(text(x, "media_type"));
      auto bytes = x.find("bytes");
      r->set_bytes(bytes != x.end() && bytes->is_number_integer() ? bytes->get<int64_t>() : 0);
      r->set_sha256(text(x, "sha256"));
    }
  }
  if (auto c = extras.find("tool_calls"); c != extras.end() && c->is_array()) {
    for (const nlohmann::json& x : *c) {
      if (!x.is_object()) continue;
      v1::ToolCallDelta* t = out->add_tool_calls();
      t->set_index(out->tool_calls_size() - 1);
      t->set_id(text(x, "id"));
      t->set_name(text(x, "name"));
      t->set_arguments(text(x, "arguments"));
    }
  }
  if (auto f = extras.find("response_format"); f != extras.end() && f->is_object()) {
    out->set_response_format_json(JsonText(*f));
  }
  if (auto cost = extras.find("cost"); cost != extras.end() && cost->is_number()) {
    out->set_cost(cost->get<double>());
  }
}

void ToProto(const history::RunRecord& r, bool excerpt, v1::RunRecord* out) {
  if (!r.snippet.empty()) out->set_snippet(Snippet(r.snippet));
  out->set_id(r.id);
  out->set_started_unix_ms(absl::ToUnixMillis(r.started));
  out->set_prompt(r.prompt);
  if (excerpt) {
    // A listing of 1,000 runs stays small whatever their inputs were.
    bool cut = r.rendered.size() > kExcerpt || r.answer.size() > kExcerpt;
    for (const auto& [k, v] : r.params) {
      (*out->mutable_params())[k] = PrintableExcerpt(v, kExcerpt);
      cut = cut || v.size() > kExcerpt;
    }
    out->set_rendered(PrintableExcerpt(r.rendered, kExcerpt));
    out->set_answer(PrintableExcerpt(r.answer, kExcerpt));
    out->set_excerpt(cut);
  } else {
    out->mutable_params()->insert(r.params.begin(), r.params.end());
    out->set_rendered(r.rendered);
    out->set_system(r.system);
    out->set_answer(r.answer);
  }
  out->set_provider(r.provider);
  out->set_model(r.model);
  out->set_finish_reason(r.finish_reason);
  if (r.prompt_tokens) out->set_prompt_tokens(*r.prompt_tokens);
  if (r.completion_tokens) out->set_completion_tokens(*r.completion_tokens);
  out->set_time_to_first_token_ms(r.ttft_ms);
  out->set_total_ms(r.total_ms);
  out->set_outcome(r.outcome);
  out->set_error_class(r.error_class);
  out->set_error_message(r.error_message);
  out->set_client(r.client);
  *out->mutable_attempts() = AttemptsFromText(r.attempts_json);
  out->set_conversation_id(r.conversation);
  out->set_turn(r.turn);
  ExtrasToProto(r.extras, out);
  if (!excerpt && !r.context_json.empty()) {
    nlohmann::json context = nlohmann::json::parse(r.context_json, nullptr, false);
    if (context.is_array()) {
      for (const nlohmann::json& m : context) {
        if (!m.is_object()) continue;
        v1::ChatMessage* c = out->add_context();
        c->set_role(m.value("role", ""));
        c->set_content(m.value("content", ""));
      }
    }
  }
}

void ConversationToProto(const history::Conversation& c, v1::Conversation* out) {
  out->set_id(c.id);
  out->set_started_unix_ms(absl::ToUnixMillis(c.started));
  out->set_updated_unix_ms(absl::ToUnixMillis(c.updated));
  out->set_turns(c.turns);
  out->set_prompt_tokens(c.prompt_tokens);
  out->set_completion_tokens(c.completion_tokens);
}

absl::Time Since(int64_t unix_ms) {
  return unix_ms == 0 ? absl::InfinitePast() : absl::FromUnixMillis(unix_ms);
}

history::Filter FilterOf(const v1::ListRunsRequest& request) {
  history::Filter f;
  f.prompt = request.prompt();
  f.provider = request.provider();
  f.model = request.model();
  f.since = Since(request.since_unix_ms());
  f.failed_only = request.failed_only();
  f.limit = Limit(request.limit());
  return f;
}

}  // namespace

absl::StatusOr<history::HistoryStore*> HistoryServiceImpl::Store() {
  writer_->Flush();
  absl::StatusOr<history::HistoryStore*> store = db_->Store();
  if (!store.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the run history cannot be used: ", store.status().message()));
  }
  return store;
}

grpc::Status HistoryServiceImpl::ListRuns(grpc::ServerContext* context,
                                          const v1::ListRunsRequest* request,
                                          v1::ListRunsResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    AIX_ASSIGN_OR_RETURN(auto runs, store->List(FilterOf(*request)));
    for (const auto& r : runs) ToProto(r, /*excerpt=*/true, response->add_runs());
    return absl::OkStatus();
  });
}

grpc::Status HistoryServiceImpl::SearchRuns(grpc::ServerContext* context,
                                            const v1::SearchRunsRequest* request,
                                            v1::ListRunsResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    AIX_ASSIGN_OR_RETURN(auto runs, store->Search(request->query(), Limit(request->limit())));
    for (const auto& r : runs) ToProto(r, /*excerpt=*/true, response->add_runs());
    return absl::OkStatus();
  });
}

grpc::Status HistoryServiceImpl::GetRun(grpc::ServerContext* context,
                                        const v1::GetRunRequest* request,
                                        v1::RunRecord* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    AIX_ASSIGN_OR_RETURN(auto run, store->Get(request->id()));
    ToProto(run, /*excerpt=*/false, response);
    return absl::OkStatus();
  });
}

grpc::Status HistoryServiceImpl::ListConversations(grpc::ServerContext* context,
                                                   const v1::ListRunsRequest* request,
                                                   v1::ListConversationsResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    AIX_ASSIGN_OR_RETURN(auto conversations, store->Conversations(FilterOf(*request)));
    for (const auto& c : conversations) {
      v1::Conversation* out = response->add_conversations();
      ConversationToProto(c, out);
      ToProto(c.first, /*excerpt=*/true, out->mutable_first());
      ToProto(c.last, /*excerpt=*/true, out->mutable_last());
    }
    return absl::OkStatus();
  });
}

grpc::Status HistoryServiceImpl::GetConversation(grpc::ServerContext* context,
                                                 const v1::GetRunRequest* request,
                                                 v1::Conversation* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    AIX_ASSIGN_OR_RETURN(history::Conversation c, store->Summary(request->id()));
    // The newest turns whole, as many as fit in a reply a client takes;
    // `turns` still counts them all, and GetRun has any older one.
    AIX_ASSIGN_OR_RETURN(auto runs, store->Turns(c.id, 0, kMaxConversationReplyBytes));
    ConversationToProto(c, response);
    for (const history::RunRecord& r : runs) ToProto(r, /*excerpt=*/false, response->add_runs());
    return absl::OkStatus();
  });
}

grpc::Status HistoryServiceImpl::DeleteRuns(grpc::ServerContext* context,
                                            const v1::DeleteRunsRequest* request,
                                            v1::DeleteRunsResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    std::vector<int64_t> ids(request->ids().begin(), request->ids().end());
    AIX_ASSIGN_OR_RETURN(int deleted, request->conversations() ? store->DeleteConversations(ids)
                                                                : store->Delete(ids));
    response->set_deleted(deleted);
    return absl::OkStatus();
  });
}

grpc::Status HistoryServiceImpl::PruneRuns(grpc::ServerContext* context,
                                           const v1::PruneRunsRequest* request,
                                           v1::DeleteRunsResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    AIX_ASSIGN_OR_RETURN(int deleted,
                         store->Prune(absl::FromUnixMillis(request->before_unix_ms())));
    response->set_deleted(deleted);
    return absl::OkStatus();
  });
}

grpc::Status HistoryServiceImpl::GetUsage(grpc::ServerContext* context,
                                          const v1::UsageRequest* request,
                                          v1::UsageResponse* response) {
  return Guarded(*peers_, context, [&]() -> absl::Status {
    AIX_ASSIGN_OR_RETURN(history::HistoryStore * store, Store());
    AIX_ASSIGN_OR_RETURN(auto rows,
                         store->Usage(Since(request->since_unix_ms()), request->by_month()));
    for (const auto& u : rows) {
      v1::UsageRow* row = response->add_rows();
      row->set_period(u.period);
      row->set_provider(u.provider);
      row->set_model(u.model);
      row->set_runs(u.runs);
      row->set_prompt_tokens(u.prompt_tokens);
      row->set_completion_tokens(u.completion_tokens);
      if (u.cost) row->set_cost(*u.cost);
      row->set_failed_runs(u.failed_runs);
      row->set_mean_ttft_ms(u.mean_ttft_ms);
    }
    return absl::OkStatus();
  });
}

}  // namespace aix
