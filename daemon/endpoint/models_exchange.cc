#include "daemon/endpoint/models_exchange.h"

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/provider_registry.h"
#include "common/text.h"
#include "common/grpc_status.h"
#include "daemon/endpoint/openai_shapes.h"
#include "daemon/endpoint/respond.h"

namespace aix::endpoint {
namespace {

// Both lists are answered from memory; a daemon too busy to answer in this
// long is reported, not waited for.
constexpr std::chrono::seconds kListDeadline{5};

}  // namespace

MHD_Result ModelsExchange::Continue(const char* /*upload*/, size_t* upload_size) {
  if (*upload_size > 0 || responded_) {
    *upload_size = 0;  // a GET's body, if a client sends one, is ignored
    return MHD_YES;
  }
  responded_ = true;
  std::vector<std::string> ids, owners;
  std::set<std::string> names;
  std::string default_provider;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kListDeadline);
    calls_->Mark(&ctx);
    v1::ListProvidersResponse list;
    grpc::Status s = calls_->providers()->ListProviders(&ctx, v1::ListProvidersRequest(), &list);
    if (!s.ok()) {
      absl::Status st = FromGrpcStatus(s);
      return RespondError(conn(), HttpStatusFor(st.code()), st.message());
    }
    for (const v1::ProviderInfo& p : list.providers()) {
      names.insert(p.name());
      if (p.is_default()) default_provider = p.name();
      if (p.default_model().empty()) continue;
      ids.push_back(absl::StrCat(p.name(), "/", p.default_model()));
      owners.push_back(p.name());
    }
  }
  {
    // Prompts are a convenience: without them the providers still answer.
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kListDeadline);
    calls_->Mark(&ctx);
    v1::ListPromptsRequest req;
    req.set_all(true);
    v1::ListPromptsResponse list;
    if (calls_->prompts()->ListPrompts(&ctx, req, &list).ok()) {
      for (const v1::Prompt& p : list.prompts()) {
        ids.push_back(absl::StrCat("prompt:", p.name()));
        owners.push_back("aixd");
      }
    }
  }
  if (id_.empty()) return Respond(conn(), 200, ModelsJson(ids, owners));
  return One(ids, owners, names, default_provider);
}

// One answers GET /v1/models/{id} for any model a chat would route: a
// listed one, PROVIDER/MODEL of a configured provider, or a model of the
// default provider. Whether the provider has the model is for the provider
// to say when asked; a prompt that does not exist, or a custom provider
// that is not configured, is a 404 now.
MHD_Result ModelsExchange::One(const std::vector<std::string>& ids,
                               const std::vector<std::string>& owners,
                               const std::set<std::string>& names,
                               const std::string& default_provider) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == id_) return Respond(conn(), 200, ModelJson(id_, owners[i]));
  }
  const registry::ProviderRef ref = registry::ParseRef(id_);
  const bool named = id_.find('/') != std::string::npos && names.count(ref.provider) > 0;
  if (absl::StartsWith(id_, "prompt:") || absl::StartsWith(id_, "custom:") ||
      (!named && default_provider.empty())) {
    return RespondError(conn(), 404,
                        absl::StrCat("no model ", PrintableExcerpt(id_, 200),
                                     " here: GET /v1/models lists the saved prompts and providers"),
                        "model", "model_not_found");
  }
  return Respond(conn(), 200, ModelJson(id_, named ? ref.provider : default_provider));
}

}  // namespace aix::endpoint
